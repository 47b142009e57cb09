"""Every input and output of the action, in one table each, and how the runner names them.

The tables are the single source for ``action.yml`` (``python -m build_push_py.actionyml``),
for the CLI's flags, for what the entry point reads from ``INPUT_<NAME>``, for what is masked
before parsing, and for the names the outputs are written under. Each input's row names the
one module that parses it (``tests/unit/inputs/test_table.py`` checks that no other reads it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class InputSpec:
    name: str
    description: str
    default: str = ""
    group: str = "build"  # a key of GROUPS
    # Its text is secret in whole or in part: masked before anything parses it, never
    # quoted by an error, and the CLI warns when it is given as a flag.
    secret: bool = False
    # The module that parses it into its group's record, under the package.
    parser: str = ""


@dataclass(frozen=True)
class ParsedBy:
    """An item of a row below: the input is parsed by ``module``, not by its group's parser."""

    module: str


# The BuildKit of a builder the action creates: v0.33.0 by the index digest that public pins
# give for it (Docker Hub cannot be asked from the test machines).
DEFAULT_BUILDKIT_IMAGE = (
    "moby/buildkit:v0.33.0@sha256:6c2fa84a6b61ccd72899dde4239f8d5717f05f9a8ca6f3cad185fb1a95a94de3"
)

# The groups of the inputs, in the order of the README's tables and the CLI's help.
GROUPS: Mapping[str, str] = {
    "metadata": "Tags and labels (docker/metadata-action)",
    "login": "Login (docker/login-action)",
    "build": "Build and push (docker/build-push-action)",
    "scale": "Scale out: push by digest, merge, remote builders",
    "sign": "Signing (cosign)",
    "action": "This action",
}


SECRET = "secret"  # noqa: S105 - an item of a row below: the input is secret
# The module that parses a group's inputs, unless a row says ``ParsedBy``.
GROUP_PARSERS: Mapping[str, str] = {
    "metadata": "metadata.config",
    "login": "registry.login",
    "build": "inputs.build",
    "scale": "inputs.digests",
    "sign": "inputs.sign",
    "action": "inputs.report",
}
# The switches of the run as a whole, read by the parse of all inputs (``plan.inputs``).
RUN = ParsedBy("plan.inputs")
DRIVER = ParsedBy("inputs.driver")
RETRY = ParsedBy("inputs.retry")


def _spec(group: str, rows: Sequence[tuple[str | ParsedBy, ...]]) -> list[InputSpec]:
    specs = []
    for name, default, desc, *rest in rows:
        parser = next((r.module for r in rest if isinstance(r, ParsedBy)), GROUP_PARSERS[group])
        specs.append(InputSpec(str(name), str(desc), str(default), group, SECRET in rest, parser))
    return specs


INPUTS: tuple[InputSpec, ...] = tuple(
    _spec(
        "metadata",
        [
            ("images", "", "Images to tag, one per line (`name=`, `enable=` attributes allowed)"),
            ("tags", "", "Tag rules, one per line (`type=semver,pattern={{version}}` ...)"),
            ("flavor", "", "Flavor: `latest=auto|true|false`, `prefix=`, `suffix=`"),
            ("labels", "", "Extra labels, one `key=value` per line; merged over the computed ones"),
            (
                "annotations",
                "",
                "Annotations, one per line: `key=value` is a custom annotation as in "
                "metadata-action, merged over the computed ones at each level of "
                "`DOCKER_METADATA_ANNOTATIONS_LEVELS` (default `manifest`); an item that names "
                "its level (`index:`, `manifest:`, `index-descriptor:`, `manifest-descriptor:`, "
                "optionally `[os/arch]`, or a list like `index,manifest:`) goes to buildx as "
                "written, merged over the computed one of that level and key",
            ),
            ("sep-tags", "\n", "Separator of the `tags` output"),
            ("sep-labels", "\n", "Separator of the `labels` output"),
            ("sep-annotations", "\n", "Separator of the `annotations` output"),
            ("bake-target", "docker-metadata-action", "Target name in the bake files"),
            ("meta-context", "workflow", "Where the ref and sha come from: `workflow` or `git`"),
            (
                "github-token",
                "${{ github.token }}",
                "Token for the repository API (title, description, licence of the labels)",
                SECRET,
            ),
        ],
    )
    + _spec(
        "login",
        [
            ("registry", "", "Registry to log in to (default: Docker Hub when a username is set)"),
            ("username", "", "Username for `registry` (for ECR: an AWS access key id)"),
            (
                "password",
                "",
                "Password or token for `registry` (masked; for ECR: the AWS secret)",
                SECRET,
            ),
            (
                "ecr",
                "",
                "Log in to Amazon ECR through the AWS API: `auto` (empty: when `registry` is an"
                " ECR registry), `true`, `false`",
            ),
            (
                "scope",
                "",
                "Credentials for one repository and its actions, for buildx only"
                " (`myorg/app@push`; buildx >= 0.31)",
            ),
            (
                "registry-auth",
                "",
                "YAML list of `{registry, username, password, ecr, scope}` to log in to",
                SECRET,
            ),
            ("logout", "true", "Log out and remove the credentials at the end of the step", RUN),
        ],
    )
    + _spec(
        "build",
        [
            ("context", ".", "Build context (a path in the workspace, or a URL)"),
            ("file", "", "Dockerfile path (default `{context}/Dockerfile`)"),
            ("target", "", "Build stage to stop at"),
            ("platforms", "", "Target platforms, comma or newline separated"),
            ("build-args", "", "Build arguments, one `NAME=value` per line"),
            ("build-contexts", "", "Additional build contexts, one `name=path` per line"),
            ("secrets", "", "Build secrets, one `id=value` per line (masked)", SECRET),
            (
                "secret-envs",
                "",
                "Build secrets from environment variables, `id=ENV_NAME` (not `INPUT_*`)",
            ),
            ("secret-files", "", "Build secrets from files, `id=path`"),
            ("ssh", "", "SSH agent sockets or keys to expose (`default` or `id=path`)"),
            ("cache-from", "", "Cache sources (`type=registry,ref=...`); default: GitHub cache"),
            ("cache-to", "", "Cache exports (`type=gha,mode=max`); default: the GitHub cache"),
            ("cache", "true", "Use the GitHub Actions cache when no cache-from/cache-to is given"),
            ("no-cache", "false", "Do not use any cache when building"),
            ("no-cache-filters", "", "Stages to build without cache"),
            ("pull", "false", "Always pull referenced images"),
            ("load", "false", "Load the image into the local Docker engine"),
            (
                "push",
                "auto",
                "Push: `auto` (on push, release, schedule and workflow_dispatch events; "
                "never under act), `true`, `false`",
            ),
            ("outputs", "", "Raw buildx outputs (`type=local,dest=out`); replaces push/load"),
            ("provenance", "", "Provenance attestation (`false`, `mode=max` ...)"),
            ("sbom", "", "SBOM attestation (`true` or generator options)"),
            ("attests", "", "Other attestations, one per line"),
            ("network", "", "Network mode for `RUN` steps"),
            ("add-hosts", "", "Extra `host:ip` entries"),
            ("allow", "", "Extra privileged entitlements (`network.host`, `security.insecure`)"),
            ("shm-size", "", "Size of /dev/shm for `RUN` steps (`2g`)"),
            ("ulimit", "", "Ulimit options for `RUN` steps"),
            ("cgroup-parent", "", "Parent cgroup for `RUN` steps"),
            ("call", "", "Evaluate a build check or method instead of building (`check`)"),
            ("builder", "", "buildx builder instance to use"),
            (
                "buildkit-image",
                DEFAULT_BUILDKIT_IMAGE,
                "BuildKit image for a builder the action creates",
            ),
        ],
    )
    + _spec(
        "scale",
        [
            (
                "push-by-digest",
                "false",
                "Push the image by digest only, without tags (one job per "
                "platform); writes the digest to `digests-dir`",
            ),
            (
                "digests-dir",
                "",
                "Directory in the workspace (symlinks out of it are refused) of the digest "
                "files: written by `push-by-digest`, read by `merge`",
            ),
            (
                "merge",
                "false",
                "Build nothing: make the multi-platform image of every tag from "
                "the digests in `digests-dir` and `digests`",
            ),
            ("digests", "", "Digests to merge (`sha256:...`), comma or newline separated"),
            (
                "promote",
                "false",
                "Record the build inputs on the pushed image; when the commit's `type=sha` tag "
                "holds an image built with the same inputs, add the tags to it instead of "
                "building (`true`, `false`; see docs/promotion.md)",
                RUN,
            ),
            (
                "driver",
                "",
                "Create a builder for the job: `docker-container`, `remote`, "
                "`kubernetes` or `cloud`",
                DRIVER,
            ),
            (
                "endpoint",
                "",
                "Builder endpoint: `tcp://buildkitd:1234` for `remote`, `ORG/NAME` for `cloud`",
                DRIVER,
            ),
            ("driver-opts", "", "Driver options, one `key=value` per line", DRIVER),
            (
                "tls-cacert",
                "",
                "CA certificate of a `remote` BuildKit: a path, or the PEM text",
                DRIVER,
            ),
            (
                "tls-cert",
                "",
                "Client certificate for a `remote` BuildKit: a path, or the PEM text",
                DRIVER,
            ),
            (
                "tls-key",
                "",
                "Client key for a `remote` BuildKit: a path, or the PEM text (masked)",
                SECRET,
                DRIVER,
            ),
        ],
    )
    + _spec(
        "sign",
        [
            (
                "sign",
                "auto",
                "Sign the pushed image with cosign: `auto` (keyless when the job has "
                "`id-token: write`, or with `sign-key`; only on the events where `push: auto` "
                "pushes), `true` (on other events too, with a warning), `false`",
            ),
            (
                "sign-key",
                "",
                "cosign private key (PEM text, masked) or a KMS URI; empty: keyless (Sigstore)",
                SECRET,
            ),
            ("sign-key-password", "", "Password of `sign-key` (masked)", SECRET),
            (
                "sign-tlog",
                "true",
                "Record the signature in the transparency log (Rekor); "
                "`false` for private Sigstore setups",
            ),
        ],
    )
    + _spec(
        "action",
        [
            ("dry-run", "false", "Compute and print everything; build and push nothing", RUN),
            (
                "retries",
                "3",
                "Retries of login and push after a temporary registry failure (5xx, 429, reset); "
                "at most 20",
                RETRY,
            ),
            (
                "retry-max-wait",
                "30s",
                "Longest wait between two tries (`30s`, `2m`; at most 32 characters)",
                RETRY,
            ),
            (
                "checks-fail-on-warnings",
                "false",
                "Fail the step when the Dockerfile's build checks warn (after the push and the "
                "outputs; `# check=error=true` in the Dockerfile stops the build itself)",
            ),
            (
                "build-summary",
                "",
                "Job summary and build record: `true`, `false`; empty: `DOCKER_BUILD_SUMMARY`, "
                "else `true`",
            ),
            (
                "build-record-upload",
                "",
                "Upload the build record as an artifact: `true`, `false`; empty: "
                "`DOCKER_BUILD_RECORD_UPLOAD`, else `true`",
            ),
            (
                "build-record-retention-days",
                "",
                "Days to keep the build record artifact; empty: "
                "`DOCKER_BUILD_RECORD_RETENTION_DAYS`, else the repository's default",
            ),
        ],
    )
)

OUTPUTS: tuple[tuple[str, str], ...] = (
    ("version", "Docker image version: the value of the highest-priority tag rule"),
    ("tags", "Full image references, separated by `sep-tags`"),
    ("tag-names", "Tag names without the image, separated by `sep-tags`"),
    ("labels", "OCI labels, `key=value`, separated by `sep-labels`"),
    ("annotations", "OCI annotations, separated by `sep-annotations`"),
    ("json", "Tags, labels and annotations as JSON"),
    ("bake-file-tags", "Path of a bake definition file with the tags"),
    ("bake-file-labels", "Path of a bake definition file with the labels"),
    ("bake-file-annotations", "Path of a bake definition file with the annotations"),
    ("bake-file", "Path of a bake definition file with tags, labels and annotations"),
    ("imageid", "Image ID"),
    ("digest", "Image digest (registry manifest digest when pushed)"),
    ("metadata", "Build result metadata (JSON written by buildx)"),
    ("signed", "`true` when the pushed image was signed, else `false`"),
    ("cosign-verify-command", "The `cosign verify` command of each signed image, one per line"),
    (
        "build-record",
        "Path of the exported build record (`.dockerbuild`, under `RUNNER_TEMP`); empty when "
        "none was exported",
    ),
    ("build-record-artifact", "Artifact ID of the uploaded build record; empty when not uploaded"),
    ("check-warnings", "Number of build check warnings of the Dockerfile"),
)
OUTPUT_NAMES = frozenset(name for name, _ in OUTPUTS)


def env_name(name: str) -> str:
    """The variable the runner uses for an input: upper case, spaces to `_`, hyphens kept."""
    return "INPUT_" + name.replace(" ", "_").upper()


def read_raw(env: Mapping[str, str]) -> dict[str, str]:
    """Every input's raw value: from ``INPUT_<NAME>`` when present, else its default.

    ``${{ ... }}`` defaults only mean something to the runner; outside it they read as ''.
    """
    raw: dict[str, str] = {}
    for spec in INPUTS:
        value = env.get(env_name(spec.name))
        if value is None:
            value = "" if spec.default.startswith("${{") else spec.default
        raw[spec.name] = value
    return raw


# Inputs whose text is secret in whole or in part; and those no error quotes: the secret
# ones and the certificates next to them, which are public, but a key pasted into tls-cert
# is still a key.
SECRET_INPUTS = tuple(spec.name for spec in INPUTS if spec.secret)
UNQUOTED_INPUTS = frozenset({*SECRET_INPUTS, "tls-cert", "tls-cacert"})
