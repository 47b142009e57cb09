"""upstream's meta.test.ts tables, run on our event fixtures: version, tags and labels.

Ids keep upstream's case names (push01, tag23, ...) so a difference can be traced back.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from support.meta import (
    NOW,
    SHA_DEV,
    SHA_INVALID,
    SHA_MASTER,
    SHA_PR,
    SHA_PR_HEAD,
    load_event,
    oci_labels,
    run,
)

from build_push_py.errors import InputError
from build_push_py.metadata import Meta

ONE = ["user/app"]
TWO = ["org/app", "ghcr.io/user/app"]


def case(  # noqa: PLR0917 - one table row, positional like upstream's
    case_id: str,
    event: str,
    inputs: dict[str, Any],
    main: str,
    partial: list[str],
    latest: bool,
    tags: list[str],
    revision: str,
    ref: str | None = None,
) -> Any:
    return pytest.param(event, ref, inputs, main, partial, latest, tags, revision, id=case_id)


VERSION_CASES = [
    case(
        "null01-no-event",
        "empty",
        {"images": ONE},
        "",
        [],
        False,
        [],
        "",
    ),
    case(
        "null02-empty-context",
        "empty",
        {"images": ONE, "tags": ["type=sha", "type=raw,{{branch}}"]},
        "",
        [],
        False,
        [],
        "",
    ),
    case(
        "push01-default-rules",
        "push_branch",
        {"images": ONE},
        "dev",
        [],
        False,
        ["user/app:dev"],
        SHA_DEV,
    ),
    case(
        "push02-edge",
        "push_default_branch",
        {"images": ONE, "tags": ["type=edge"]},
        "edge",
        [],
        False,
        ["user/app:edge"],
        SHA_MASTER,
    ),
    case(
        "push03-default-branch",
        "push_default_branch",
        {"images": ONE},
        "master",
        [],
        False,
        ["user/app:master"],
        SHA_MASTER,
    ),
    case(
        "push04-edge-workflow-dispatch",
        "workflow_dispatch",
        {"images": ONE, "tags": ["type=edge"]},
        "edge",
        [],
        False,
        ["user/app:edge"],
        SHA_DEV,
    ),
    case(
        "push05-two-images",
        "push_branch",
        {"images": TWO},
        "dev",
        [],
        False,
        ["org/app:dev", "ghcr.io/user/app:dev"],
        SHA_DEV,
    ),
    case(
        "push06-edge-two-images",
        "push_default_branch",
        {"images": TWO, "tags": ["type=edge"]},
        "edge",
        [],
        False,
        ["org/app:edge", "ghcr.io/user/app:edge"],
        SHA_MASTER,
    ),
    case(
        "push07-branch-and-sha",
        "push_branch",
        {"images": TWO, "tags": ["type=ref,event=branch", "type=sha"]},
        "dev",
        ["sha-860c190"],
        False,
        [
            "org/app:dev",
            "org/app:sha-860c190",
            "ghcr.io/user/app:dev",
            "ghcr.io/user/app:sha-860c190",
        ],
        SHA_DEV,
    ),
    case(
        "push08-edge-and-sha",
        "push_default_branch",
        {"images": TWO, "tags": ["type=edge", "type=sha"]},
        "edge",
        ["sha-2665741"],
        False,
        [
            "org/app:edge",
            "org/app:sha-2665741",
            "ghcr.io/user/app:edge",
            "ghcr.io/user/app:sha-2665741",
        ],
        SHA_MASTER,
    ),
    case(
        "push09-edge-branch-attr",
        "push_branch",
        {"images": TWO, "tags": ["type=edge,branch=dev", "type=sha"]},
        "edge",
        ["sha-860c190"],
        False,
        [
            "org/app:edge",
            "org/app:sha-860c190",
            "ghcr.io/user/app:edge",
            "ghcr.io/user/app:sha-860c190",
        ],
        SHA_DEV,
    ),
    case(
        "push10-edge-other-branch",
        "push_default_branch",
        {"images": TWO, "tags": ["type=edge,branch=dev", "type=sha"]},
        "sha-2665741",
        [],
        False,
        ["org/app:sha-2665741", "ghcr.io/user/app:sha-2665741"],
        SHA_MASTER,
    ),
    case(
        "push11-invalid-chars-branch",
        "push_invalid_chars",
        {"images": TWO, "tags": ["type=edge", "type=sha"]},
        "sha-983315b",
        [],
        False,
        ["org/app:sha-983315b", "ghcr.io/user/app:sha-983315b"],
        SHA_INVALID,
    ),
    case(
        "push12-no-version-on-branch",
        "push_invalid_chars",
        {
            "images": TWO,
            "tags": [
                "type=semver,pattern={{version}}",
                "type=pep440,pattern={{version}}",
                "type=edge",
            ],
        },
        "",
        [],
        False,
        [],
        SHA_INVALID,
    ),
    case(
        "push13-priority",
        "push_default_branch",
        {"images": ONE, "tags": ["type=ref,priority=2000,event=branch", "type=edge"]},
        "master",
        ["edge"],
        False,
        ["user/app:master", "user/app:edge"],
        SHA_MASTER,
    ),
    case(
        "push14-semver-value-on-branch",
        "push_default_branch",
        {
            "images": ONE,
            "tags": [
                "type=semver,pattern={{version}},value=v1.2.3",
                "type=pep440,pattern={{version}},value=v1.2.3",
                "type=edge",
            ],
        },
        "1.2.3",
        ["edge"],
        True,
        ["user/app:1.2.3", "user/app:edge", "user/app:latest"],
        SHA_MASTER,
    ),
    case(
        "push15-match-value",
        "push_default_branch",
        {"images": ONE, "tags": ["type=match,pattern=v(.*),group=1,value=v1.2.3", "type=edge"]},
        "1.2.3",
        ["edge"],
        True,
        ["user/app:1.2.3", "user/app:edge", "user/app:latest"],
        SHA_MASTER,
    ),
    case(
        "push16-match-disabled",
        "push_default_branch",
        {
            "images": ONE,
            "tags": ["type=match,enable=false,pattern=v(.*),group=1,value=v1.2.3", "type=edge"],
        },
        "edge",
        [],
        False,
        ["user/app:edge"],
        SHA_MASTER,
    ),
    case(
        "push17-global-expressions",
        "push_default_branch",
        {
            "images": ONE,
            "tags": [
                "type=raw,value=mytag-{{branch}}",
                "type=raw,value=mytag-{{date 'YYYYMMDD'}}",
                "type=raw,value=mytag-cd-{{commit_date 'YYYYMMDD'}}",
                "type=raw,value=mytag-{{date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}",
                "type=raw,value=mytag-tag-{{tag}}",
                "type=raw,value=mytag-baseref-{{base_ref}}",
                "type=raw,value=mytag-defbranch,enable={{is_default_branch}}",
            ],
        },
        "mytag-master",
        [
            "mytag-20200110",
            "mytag-cd-20200110",
            "mytag-20200110-093000",
            "mytag-tag-",
            "mytag-baseref-",
            "mytag-defbranch",
        ],
        False,
        [
            "user/app:mytag-master",
            "user/app:mytag-20200110",
            "user/app:mytag-cd-20200110",
            "user/app:mytag-20200110-093000",
            "user/app:mytag-tag-",
            "user/app:mytag-baseref-",
            "user/app:mytag-defbranch",
        ],
        SHA_MASTER,
    ),
    case(
        "push18-sha-long",
        "push_branch",
        {"images": TWO, "tags": ["type=ref,event=branch", "type=sha,format=long"]},
        "dev",
        [f"sha-{SHA_DEV}"],
        False,
        [
            "org/app:dev",
            f"org/app:sha-{SHA_DEV}",
            "ghcr.io/user/app:dev",
            f"ghcr.io/user/app:sha-{SHA_DEV}",
        ],
        SHA_DEV,
    ),
    case(
        "push19-not-default-branch",
        "push_branch",
        {
            "images": TWO,
            "tags": [
                "type=edge,branch=master",
                "type=ref,event=branch,enable=false",
                "type=sha,format=long",
                "type=raw,value=defbranch,enable={{is_default_branch}}",
            ],
        },
        f"sha-{SHA_DEV}",
        [],
        False,
        [f"org/app:sha-{SHA_DEV}", f"ghcr.io/user/app:sha-{SHA_DEV}"],
        SHA_DEV,
    ),
    case(
        "push20-image-disabled",
        "push_branch",
        {
            "images": ["org/app", "ghcr.io/user/app,enable=false"],
            "tags": [
                "type=edge,branch=master",
                "type=ref,event=branch,enable=false",
                "type=sha,format=long",
            ],
        },
        f"sha-{SHA_DEV}",
        [],
        False,
        [f"org/app:sha-{SHA_DEV}"],
        SHA_DEV,
    ),
    case(
        "push21-no-images",
        "push_default_branch",
        {
            "tags": [
                "type=raw,value=mytag-{{branch}}",
                "type=raw,value=mytag-{{date 'YYYYMMDD'}}",
                "type=raw,value=mytag-{{date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}",
                "type=raw,value=mytag-src-{{commit_date 'YYYYMMDD'}}",
                "type=raw,value=mytag-tag-{{tag}}",
                "type=raw,value=mytag-baseref-{{base_ref}}",
                "type=raw,value=mytag-defbranch,enable={{is_default_branch}}",
            ]
        },
        "mytag-master",
        [
            "mytag-20200110",
            "mytag-20200110-093000",
            "mytag-src-20200110",
            "mytag-tag-",
            "mytag-baseref-",
            "mytag-defbranch",
        ],
        False,
        [
            "mytag-master",
            "mytag-20200110",
            "mytag-20200110-093000",
            "mytag-src-20200110",
            "mytag-tag-",
            "mytag-baseref-",
            "mytag-defbranch",
        ],
        SHA_MASTER,
    ),
    case(
        "push22-is-not-default-branch",
        "push_branch",
        {
            "images": ["org/app"],
            "tags": [
                "type=edge,branch=master",
                "type=sha,format=long",
                "type=raw,value=notdefbranch,enable={{is_not_default_branch}}",
            ],
        },
        "notdefbranch",
        [f"sha-{SHA_DEV}"],
        False,
        ["org/app:notdefbranch", f"org/app:sha-{SHA_DEV}"],
        SHA_DEV,
    ),
    case(
        "push35-semver-pep440-match-attr",
        "push_default_branch",
        {
            "images": ONE,
            "tags": [
                'type=semver,pattern={{version}},value=p1/v1.2.3,"match=v(\\d.\\d.\\d)$"',
                'type=pep440,pattern={{version}},value=p1/v1.2.3,"match=v(\\d.\\d.\\d)$"',
                "type=edge",
            ],
        },
        "1.2.3",
        ["edge"],
        True,
        ["user/app:1.2.3", "user/app:edge", "user/app:latest"],
        SHA_MASTER,
    ),
    case(
        "own-branch-with-invalid-chars-sanitized",
        "push_invalid_chars",
        {"images": ["Org/App"]},
        "my-feature-1245",
        [],
        False,
        ["org/app:my-feature-1245"],
        SHA_INVALID,
    ),
    # -- tags
    case(
        "tag01-non-version-tag",
        "tag_non_version",
        {"images": ONE},
        "release1",
        [],
        True,
        ["user/app:release1", "user/app:latest"],
        SHA_DEV,
    ),
    case(
        "tag02-date-tag",
        "tag_non_version",
        {"images": ONE},
        "20200110-RC2",
        [],
        True,
        ["user/app:20200110-RC2", "user/app:latest"],
        SHA_DEV,
        ref="refs/tags/20200110-RC2",
    ),
    case(
        "tag03-match-no-latest",
        "tag_non_version",
        {"images": ONE, "tags": ["type=match,pattern=\\d{8}"], "flavor": ["latest=false"]},
        "20200110",
        [],
        False,
        ["user/app:20200110"],
        SHA_DEV,
        ref="refs/tags/20200110-RC2",
    ),
    case(
        "tag04-match-group",
        "tag_non_version",
        {"images": ONE, "tags": ["type=match,pattern=(.*)-RC,group=1"], "flavor": ["latest=false"]},
        "20200110",
        [],
        False,
        ["user/app:20200110"],
        SHA_DEV,
        ref="refs/tags/20200110-RC2",
    ),
    case(
        "tag05-match-quoted",
        "tag_semver",
        {"images": TWO, "tags": ['type=match,"pattern=\\d.\\d.\\d"']},
        "1.1.1",
        [],
        True,
        ["org/app:1.1.1", "org/app:latest", "ghcr.io/user/app:1.1.1", "ghcr.io/user/app:latest"],
        SHA_DEV,
    ),
    case(
        "tag06-match-anchored-group",
        "tag_semver",
        {"images": TWO, "tags": ['type=match,"pattern=^v(\\d.\\d.\\d)$",group=1']},
        "1.1.1",
        [],
        True,
        ["org/app:1.1.1", "org/app:latest", "ghcr.io/user/app:1.1.1", "ghcr.io/user/app:latest"],
        SHA_DEV,
    ),
    case(
        "tag07-match-prerelease",
        "tag_prerelease",
        {"images": TWO, "tags": ['type=match,"pattern=\\d.\\d.\\d-(alpha|beta).\\d+"']},
        "2.0.8-beta.67",
        [],
        True,
        [
            "org/app:2.0.8-beta.67",
            "org/app:latest",
            "ghcr.io/user/app:2.0.8-beta.67",
            "ghcr.io/user/app:latest",
        ],
        SHA_DEV,
    ),
    case(
        "tag08-match-partial",
        "tag_prerelease",
        {"images": TWO, "tags": ['type=match,"pattern=\\d.\\d"']},
        "2.0",
        [],
        True,
        ["org/app:2.0", "org/app:latest", "ghcr.io/user/app:2.0", "ghcr.io/user/app:latest"],
        SHA_DEV,
    ),
    case(
        "tag09-match-two-groups",
        "tag_prerelease",
        {
            "images": TWO,
            "tags": [
                'type=match,"pattern=v(.*)-beta.(.*)",group=1',
                'type=match,"pattern=v(.*)-beta.(.*)",group=2',
            ],
        },
        "2.0.8",
        ["67"],
        True,
        [
            "org/app:2.0.8",
            "org/app:67",
            "org/app:latest",
            "ghcr.io/user/app:2.0.8",
            "ghcr.io/user/app:67",
            "ghcr.io/user/app:latest",
        ],
        SHA_DEV,
    ),
    case(
        "tag10-match-nothing",
        "tag_non_version",
        {"images": TWO, "tags": ['type=match,"pattern=\\d.\\d"']},
        "",
        [],
        False,
        [],
        SHA_DEV,
        ref="refs/tags/sometag",
    ),
    case(
        "tag11-semver-major-minor",
        "tag_semver",
        {
            "images": TWO,
            "tags": [
                "type=semver,pattern={{version}}",
                "type=semver,pattern={{major}}.{{minor}}",
                "type=semver,pattern={{major}}",
            ],
        },
        "1.1.1",
        ["1.1", "1"],
        True,
        [
            "org/app:1.1.1",
            "org/app:1.1",
            "org/app:1",
            "org/app:latest",
            "ghcr.io/user/app:1.1.1",
            "ghcr.io/user/app:1.1",
            "ghcr.io/user/app:1",
            "ghcr.io/user/app:latest",
        ],
        SHA_DEV,
    ),
    case(
        "tag12-semver-dedup",
        "tag_semver",
        {
            "images": TWO,
            "tags": [
                "type=semver,pattern={{version}}",
                "type=semver,pattern={{major}}.{{minor}}.{{patch}}",
            ],
        },
        "1.1.1",
        [],
        True,
        ["org/app:1.1.1", "org/app:latest", "ghcr.io/user/app:1.1.1", "ghcr.io/user/app:latest"],
        SHA_DEV,
    ),
    case(
        "tag13-semver-prerelease",
        "tag_prerelease",
        {
            "images": TWO,
            "tags": ["type=semver,pattern={{major}}.{{minor}}", "type=semver,pattern={{major}}"],
        },
        "2.0.8-beta.67",
        [],
        False,
        ["org/app:2.0.8-beta.67", "ghcr.io/user/app:2.0.8-beta.67"],
        SHA_DEV,
    ),
    case(
        "tag14-semver-not-a-version",
        "tag_non_version",
        {
            "images": ["ghcr.io/user/app"],
            "tags": [
                "type=ref,event=tag",
                "type=semver,pattern={{version}}",
                "type=semver,pattern={{major}}.{{minor}}",
                "type=semver,pattern={{major}}",
            ],
            "flavor": ["latest=false"],
        },
        "sometag",
        [],
        False,
        ["ghcr.io/user/app:sometag"],
        SHA_DEV,
        ref="refs/tags/sometag",
    ),
    case(
        "tag15-raw-priority-first",
        "tag_prerelease",
        {
            "images": TWO,
            "tags": [
                "type=raw,priority=2000,foo",
                "type=semver,pattern={{version}}",
                'type=match,"pattern=\\d.\\d"',
            ],
        },
        "foo",
        ["2.0.8-beta.67", "2.0"],
        False,
        [
            "org/app:foo",
            "org/app:2.0.8-beta.67",
            "org/app:2.0",
            "ghcr.io/user/app:foo",
            "ghcr.io/user/app:2.0.8-beta.67",
            "ghcr.io/user/app:2.0",
        ],
        SHA_DEV,
    ),
    case(
        "tag16-raw-priority-ref-tag",
        "tag_semver",
        {"images": TWO, "tags": ["type=raw,priority=2000,foo", "type=ref,event=tag", "type=edge"]},
        "foo",
        ["v1.1.1"],
        False,
        ["org/app:foo", "org/app:v1.1.1", "ghcr.io/user/app:foo", "ghcr.io/user/app:v1.1.1"],
        SHA_DEV,
    ),
    case(
        "tag17-match-regex-literal-flags",
        "tag_non_version",
        {
            "images": TWO,
            "tags": [
                'type=match,"pattern=/^v(\\d.\\d.\\d)$/ig",group=1',
                "type=match,pattern=\\d.\\d.\\d",
                "type=match,pattern=\\d.\\d",
                "type=ref,event=pr",
                "type=sha",
            ],
        },
        "1.0.0",
        ["1.0", "sha-860c190"],
        True,
        [
            "org/app:1.0.0",
            "org/app:1.0",
            "org/app:sha-860c190",
            "org/app:latest",
            "ghcr.io/user/app:1.0.0",
            "ghcr.io/user/app:1.0",
            "ghcr.io/user/app:sha-860c190",
            "ghcr.io/user/app:latest",
        ],
        SHA_DEV,
        ref="refs/tags/p1/v1.0.0",
    ),
    case(
        "tag18-match-missing-group",
        "tag_non_version",
        {
            "images": TWO,
            "tags": [
                "type=match,pattern=p1/v(\\d.\\d.\\d),group=1",
                "type=match,pattern=p1/v(\\d.\\d),group=1",
                "type=match,pattern=p1/v(\\d.\\d),group=3",
                "type=ref,event=pr",
                "type=sha",
            ],
        },
        "1.0.0",
        ["1.0", "sha-860c190"],
        True,
        [
            "org/app:1.0.0",
            "org/app:1.0",
            "org/app:sha-860c190",
            "org/app:latest",
            "ghcr.io/user/app:1.0.0",
            "ghcr.io/user/app:1.0",
            "ghcr.io/user/app:sha-860c190",
            "ghcr.io/user/app:latest",
        ],
        SHA_DEV,
        ref="refs/tags/p1/v1.0.0",
    ),
    case(
        "tag19-empty-suffix-overrides-flavor",
        "tag_non_version",
        {
            "images": TWO,
            "tags": [
                "type=match,pattern=p1/v(\\d.\\d.\\d),group=1",
                "type=match,pattern=p1/v(\\d.\\d),group=1,suffix=",
                "type=ref,event=pr",
                "type=sha",
            ],
            "flavor": ["suffix=-dev"],
        },
        "1.0.0-dev",
        ["1.0", "sha-860c190-dev"],
        True,
        [
            "org/app:1.0.0-dev",
            "org/app:1.0",
            "org/app:sha-860c190-dev",
            "org/app:latest",
            "ghcr.io/user/app:1.0.0-dev",
            "ghcr.io/user/app:1.0",
            "ghcr.io/user/app:sha-860c190-dev",
            "ghcr.io/user/app:latest",
        ],
        SHA_DEV,
        ref="refs/tags/p1/v1.0.0",
    ),
    case(
        "tag20-tag-sha-base-ref",
        "tag_semver",
        {
            "images": TWO,
            "tags": [
                "type=raw,{{tag}}-{{sha}}-foo",
                "type=raw,{{base_ref}}-foo",
                "type=raw,defbranch-foo,enable={{is_default_branch}}",
            ],
        },
        "v1.1.1-860c190-foo",
        ["master-foo"],
        False,
        [
            "org/app:v1.1.1-860c190-foo",
            "org/app:master-foo",
            "ghcr.io/user/app:v1.1.1-860c190-foo",
            "ghcr.io/user/app:master-foo",
        ],
        SHA_DEV,
    ),
    case(
        "tag21-suffix-onlatest",
        "tag_semver",
        {
            "images": TWO,
            "tags": [
                "type=semver,pattern={{version}}",
                "type=semver,pattern={{major}}.{{minor}}.{{patch}}",
            ],
            "flavor": ["suffix=-dev,onlatest=true"],
        },
        "1.1.1-dev",
        [],
        True,
        [
            "org/app:1.1.1-dev",
            "org/app:latest-dev",
            "ghcr.io/user/app:1.1.1-dev",
            "ghcr.io/user/app:latest-dev",
        ],
        SHA_DEV,
    ),
    case(
        "tag22-prefix-suffix-onlatest",
        "tag_semver",
        {
            "images": TWO,
            "tags": [
                "type=semver,pattern={{version}}",
                "type=semver,pattern={{major}}.{{minor}}.{{patch}}",
            ],
            "flavor": ["prefix=foo-,onlatest=true", "suffix=-dev,onlatest=true"],
        },
        "foo-1.1.1-dev",
        [],
        True,
        [
            "org/app:foo-1.1.1-dev",
            "org/app:foo-latest-dev",
            "ghcr.io/user/app:foo-1.1.1-dev",
            "ghcr.io/user/app:foo-latest-dev",
        ],
        SHA_DEV,
    ),
    case(
        "tag23-pep440-raw",
        "tag_semver",
        {
            "images": ["org/app"],
            "tags": ["type=pep440,pattern={{raw}}", "type=pep440,pattern={{major}}.{{minor}}"],
        },
        "v1.1.1",
        ["1.1"],
        True,
        ["org/app:v1.1.1", "org/app:1.1", "org/app:latest"],
        SHA_DEV,
    ),
    case(
        "tag24-pep440-two-parts",
        "tag_pep440",
        {
            "images": ["org/app"],
            "tags": ["type=pep440,pattern={{version}}", "type=pep440,pattern={{major}}.{{minor}}"],
        },
        "1.2",
        [],
        True,
        ["org/app:1.2", "org/app:latest"],
        SHA_DEV,
        ref="refs/tags/1.2",
    ),
    case(
        "tag25-pep440-beta",
        "tag_pep440",
        {
            "images": TWO,
            "tags": ["type=pep440,pattern={{major}}.{{minor}}", "type=pep440,pattern={{major}}"],
        },
        "1.1b2",
        [],
        False,
        ["org/app:1.1b2", "ghcr.io/user/app:1.1b2"],
        SHA_DEV,
        ref="refs/tags/1.1beta2",
    ),
    case(
        "tag26-pep440-dev",
        "tag_pep440",
        {
            "images": TWO,
            "tags": ["type=pep440,pattern={{major}}.{{minor}}", "type=pep440,pattern={{major}}"],
        },
        "1.0.dev4",
        [],
        False,
        ["org/app:1.0.dev4", "ghcr.io/user/app:1.0.dev4"],
        SHA_DEV,
        ref="refs/tags/1.0dev4",
    ),
    case(
        "tag27-pep440-rc",
        "tag_pep440",
        {
            "images": TWO,
            "tags": [
                "type=pep440,pattern={{raw}}",
                "type=pep440,pattern={{version}}",
                "type=pep440,pattern={{major}}.{{minor}}",
                "type=pep440,pattern={{major}}",
            ],
        },
        "1.2.3rc2",
        [],
        False,
        ["org/app:1.2.3rc2", "ghcr.io/user/app:1.2.3rc2"],
        SHA_DEV,
    ),
    case(
        "tag28-pep440-all-parts",
        "tag_semver",
        {
            "images": ["org/app"],
            "tags": [
                "type=pep440,pattern={{version}}",
                "type=pep440,pattern={{major}}.{{minor}}.{{patch}}",
                "type=pep440,pattern={{major}}.{{minor}}",
                "type=pep440,pattern={{major}}",
            ],
        },
        "1.1.1",
        ["1.1", "1"],
        True,
        ["org/app:1.1.1", "org/app:1.1", "org/app:1", "org/app:latest"],
        SHA_DEV,
    ),
    case(
        "tag29-pep440-post",
        "tag_pep440",
        {
            "images": ["org/app"],
            "tags": [
                "type=pep440,pattern={{version}}",
                "type=pep440,pattern={{major}}.{{minor}}",
                "type=pep440,pattern={{major}}",
            ],
        },
        "1.2.post1",
        [],
        False,
        ["org/app:1.2.post1"],
        SHA_DEV,
        ref="refs/tags/1.2post1",
    ),
    case(
        "tag30-pep440-not-a-version",
        "tag_non_version",
        {
            "images": ["ghcr.io/user/app"],
            "tags": [
                "type=ref,event=tag",
                "type=pep440,pattern={{version}}",
                "type=pep440,pattern={{major}}.{{minor}}",
                "type=pep440,pattern={{major}}",
            ],
            "flavor": ["latest=false"],
        },
        "sometag",
        [],
        False,
        ["ghcr.io/user/app:sometag"],
        SHA_DEV,
        ref="refs/tags/sometag",
    ),
    case(
        "tag31-semver-raw-prerelease",
        "tag_prerelease",
        {"images": TWO, "tags": ["type=semver,pattern={{raw}}"]},
        "v2.0.8-beta.67",
        [],
        False,
        ["org/app:v2.0.8-beta.67", "ghcr.io/user/app:v2.0.8-beta.67"],
        SHA_DEV,
    ),
    case(
        "tag32-pep440-raw-and-clean",
        "tag_pep440",
        {
            "images": TWO,
            "tags": ["type=pep440,pattern={{raw}}", "type=pep440,pattern={{major}}.{{minor}}"],
        },
        "v1.2.3rc2",
        ["1.2.3rc2"],
        False,
        [
            "org/app:v1.2.3rc2",
            "org/app:1.2.3rc2",
            "ghcr.io/user/app:v1.2.3rc2",
            "ghcr.io/user/app:1.2.3rc2",
        ],
        SHA_DEV,
        ref="refs/tags/v1.2.3rc2",
    ),
    case(
        "tag33-no-images",
        "tag_semver",
        {
            "tags": [
                "type=pep440,pattern={{version}}",
                "type=pep440,pattern={{major}}.{{minor}}.{{patch}}",
                "type=pep440,pattern={{major}}.{{minor}}",
                "type=pep440,pattern={{major}}",
            ]
        },
        "1.1.1",
        ["1.1", "1"],
        True,
        ["1.1.1", "1.1", "1", "latest"],
        SHA_DEV,
    ),
    case(
        "tag34-semver-match-attr",
        "tag_non_version",
        {
            "images": ["org/app"],
            "tags": ['type=semver,pattern={{version}},"match=v(\\d.\\d.\\d)$"'],
        },
        "1.0.0",
        [],
        True,
        ["org/app:1.0.0", "org/app:latest"],
        SHA_DEV,
        ref="refs/tags/p1/v1.0.0",
    ),
    # -- latest
    # A comma inside an attribute survives only with doubled quotes: the list reading
    # removes one level of quotes before the rule is split into fields (see csvlist).
    case(
        "latest01-match-non-version",
        "tag_non_version",
        {"images": ONE, "tags": ['type=match,"""pattern=^release\\d{1,2}"""']},
        "release1",
        [],
        True,
        ["user/app:release1", "user/app:latest"],
        SHA_DEV,
    ),
    case(
        "latest02-match-date-rc",
        "tag_non_version",
        {"images": ONE, "tags": ['type=match,"""pattern=^\\d+-RC\\d{1,2}"""']},
        "20200110-RC2",
        [],
        True,
        ["user/app:20200110-RC2", "user/app:latest"],
        SHA_DEV,
        ref="refs/tags/20200110-RC2",
    ),
    case(
        "latest03-match-date",
        "tag_non_version",
        {"images": ONE, "tags": ["type=match,pattern=\\d{8}"]},
        "20200110",
        [],
        True,
        ["user/app:20200110", "user/app:latest"],
        SHA_DEV,
        ref="refs/tags/20200110-RC2",
    ),
    case(
        "latest04-match-version",
        "tag_semver",
        {"images": ONE, "tags": ['type=match,"pattern=\\d.\\d.\\d"']},
        "1.1.1",
        [],
        True,
        ["user/app:1.1.1", "user/app:latest"],
        SHA_DEV,
    ),
    case(
        "latest05-default-rules-on-tag",
        "tag_semver",
        {"images": TWO},
        "v1.1.1",
        [],
        True,
        ["org/app:v1.1.1", "org/app:latest", "ghcr.io/user/app:v1.1.1", "ghcr.io/user/app:latest"],
        SHA_DEV,
    ),
    case(
        "latest06-match-on-prerelease",
        "tag_prerelease",
        {"images": TWO, "tags": ['type=match,"pattern=\\d.\\d.\\d"']},
        "2.0.8",
        [],
        True,
        ["org/app:2.0.8", "org/app:latest", "ghcr.io/user/app:2.0.8", "ghcr.io/user/app:latest"],
        SHA_DEV,
    ),
    case(
        "latest07-flavor-latest-false",
        "tag_semver",
        {"images": TWO, "tags": ["type=ref,event=tag"], "flavor": ["latest=false"]},
        "v1.1.1",
        [],
        False,
        ["org/app:v1.1.1", "ghcr.io/user/app:v1.1.1"],
        SHA_DEV,
    ),
    case(
        "latest08-image-lower-cased",
        "tag_semver",
        {
            "images": ["org/app", "ghcr.io/MyUSER/MyApp"],
            "tags": ["type=ref,event=tag"],
            "flavor": ["latest=false"],
        },
        "v1.1.1",
        [],
        False,
        ["org/app:v1.1.1", "ghcr.io/myuser/myapp:v1.1.1"],
        SHA_DEV,
    ),
    case(
        "latest10-no-images",
        "tag_prerelease",
        {"tags": ['type=match,"pattern=\\d.\\d.\\d"']},
        "2.0.8",
        [],
        True,
        ["2.0.8", "latest"],
        SHA_DEV,
    ),
    # -- pull requests
    case(
        "pr01-default-rules",
        "pull_request",
        {"images": ONE},
        "pr-15",
        [],
        False,
        ["user/app:pr-15"],
        SHA_PR,
    ),
    case(
        "pr02-two-images",
        "pull_request",
        {"images": TWO},
        "pr-15",
        [],
        False,
        ["org/app:pr-15", "ghcr.io/user/app:pr-15"],
        SHA_PR,
    ),
    case(
        "pr03-pr-and-sha",
        "pull_request",
        {"images": TWO, "tags": ["type=ref,event=pr", "type=sha"]},
        "pr-15",
        ["sha-a9c8c58"],
        False,
        [
            "org/app:pr-15",
            "org/app:sha-a9c8c58",
            "ghcr.io/user/app:pr-15",
            "ghcr.io/user/app:sha-a9c8c58",
        ],
        SHA_PR,
    ),
    case(
        "pr04-sha-priority",
        "pull_request",
        {"images": TWO, "tags": ["type=sha,priority=2000", "type=ref,event=pr"]},
        "sha-a9c8c58",
        ["pr-15"],
        False,
        [
            "org/app:sha-a9c8c58",
            "org/app:pr-15",
            "ghcr.io/user/app:sha-a9c8c58",
            "ghcr.io/user/app:pr-15",
        ],
        SHA_PR,
    ),
    case(
        "pr05-pr-prefix-wins-over-flavor",
        "pull_request",
        {"images": TWO, "tags": ["type=ref,event=pr"], "flavor": ["prefix=glo-", "suffix=-bal"]},
        "pr-15-bal",
        [],
        False,
        ["org/app:pr-15-bal", "ghcr.io/user/app:pr-15-bal"],
        SHA_PR,
    ),
    case(
        "pr06-empty-prefix",
        "pull_request",
        {
            "images": TWO,
            "tags": ["type=ref,event=pr,prefix="],
            "flavor": ["prefix=glo-", "suffix=-bal"],
        },
        "15-bal",
        [],
        False,
        ["org/app:15-bal", "ghcr.io/user/app:15-bal"],
        SHA_PR,
    ),
    case(
        "pr07-target-ref-rewritten",
        "pull_request_target",
        {"images": TWO, "tags": ["type=sha,priority=2000", "type=ref,event=pr"]},
        "sha-2665741",
        ["pr-15"],
        False,
        [
            "org/app:sha-2665741",
            "org/app:pr-15",
            "ghcr.io/user/app:sha-2665741",
            "ghcr.io/user/app:pr-15",
        ],
        SHA_MASTER,
    ),
    case(
        "pr08-target-empty-prefix",
        "pull_request_target",
        {
            "images": TWO,
            "tags": ["type=ref,event=pr,prefix="],
            "flavor": ["prefix=glo-", "suffix=-bal"],
        },
        "15-bal",
        [],
        False,
        ["org/app:15-bal", "ghcr.io/user/app:15-bal"],
        SHA_MASTER,
    ),
    case(
        "pr09-target-only-pr-matches",
        "pull_request_target",
        {
            "images": ["org/app"],
            "tags": [
                "type=ref,event=tag",
                "type=ref,event=pr",
                "type=ref,event=branch",
                "type=sha",
                "type=sha,format=long",
            ],
        },
        "pr-15",
        ["sha-2665741", f"sha-{SHA_MASTER}"],
        False,
        ["org/app:pr-15", "org/app:sha-2665741", f"org/app:sha-{SHA_MASTER}"],
        SHA_MASTER,
    ),
    case(
        "pr10-target-base-ref",
        "pull_request_target",
        {
            "images": ["org/app"],
            "tags": [
                "type=raw,value=mytag-{{base_ref}}",
                "type=raw,mytag-defbranch,enable={{is_default_branch}}",
            ],
        },
        "mytag-master",
        [],
        False,
        ["org/app:mytag-master"],
        SHA_MASTER,
    ),
    case(
        "pr11-base-ref",
        "pull_request",
        {
            "images": ["org/app"],
            "tags": [
                "type=raw,value=mytag-{{base_ref}}",
                "type=raw,mytag-defbranch,enable={{is_default_branch}}",
            ],
        },
        "mytag-master",
        [],
        False,
        ["org/app:mytag-master"],
        SHA_PR,
    ),
    case(
        "pr12-commit-date-unquoted-format",
        "pull_request",
        {"images": ["org/app"], "tags": ["type=raw,value={{commit_date YYYY-MM-DD-HHmmSS}}"]},
        "2020-01-10T00-30-00Z",
        [],
        False,
        ["org/app:2020-01-10T00-30-00Z"],
        SHA_PR,
    ),
    # -- schedule
    case(
        "schedule01-default-rules",
        "schedule",
        {"images": ONE},
        "nightly",
        ["master"],
        False,
        ["user/app:nightly", "user/app:master"],
        SHA_DEV,
    ),
    case(
        "schedule02-date-patterns",
        "schedule",
        {
            "images": ONE,
            "tags": [
                "type=schedule,pattern={{date 'YYYYMMDD'}}",
                "type=schedule,pattern=source-date-{{commit_date 'YYYY-MM-DD'}}",
            ],
        },
        "20200110",
        ["source-date-2020-01-10"],
        False,
        ["user/app:20200110", "user/app:source-date-2020-01-10"],
        SHA_DEV,
    ),
    case(
        "schedule03-date-time",
        "schedule",
        {"images": ONE, "tags": ["type=schedule,pattern={{date 'YYYYMMDD-HHmmss'}}"]},
        "20200110-003000",
        [],
        False,
        ["user/app:20200110-003000"],
        SHA_DEV,
    ),
    case(
        "schedule04-two-images",
        "schedule",
        {"images": TWO},
        "nightly",
        ["master"],
        False,
        [
            "org/app:nightly",
            "org/app:master",
            "ghcr.io/user/app:nightly",
            "ghcr.io/user/app:master",
        ],
        SHA_DEV,
    ),
    case(
        "schedule05-and-sha",
        "schedule",
        {"images": TWO, "tags": ["type=schedule", "type=sha"]},
        "nightly",
        ["sha-860c190"],
        False,
        [
            "org/app:nightly",
            "org/app:sha-860c190",
            "ghcr.io/user/app:nightly",
            "ghcr.io/user/app:sha-860c190",
        ],
        SHA_DEV,
    ),
    case(
        "schedule06-is-default-branch",
        "schedule",
        {
            "images": TWO,
            "tags": [
                "type=schedule",
                "type=sha,priority=2000",
                "type=raw,value=defbranch,enable={{is_default_branch}}",
            ],
        },
        "sha-860c190",
        ["nightly", "defbranch"],
        False,
        [
            "org/app:sha-860c190",
            "org/app:nightly",
            "org/app:defbranch",
            "ghcr.io/user/app:sha-860c190",
            "ghcr.io/user/app:nightly",
            "ghcr.io/user/app:defbranch",
        ],
        SHA_DEV,
    ),
    case(
        "schedule07-flavor",
        "schedule",
        {"images": TWO, "tags": ["type=schedule"], "flavor": ["prefix=glo-", "suffix=-bal"]},
        "glo-nightly-bal",
        [],
        False,
        ["org/app:glo-nightly-bal", "ghcr.io/user/app:glo-nightly-bal"],
        SHA_DEV,
    ),
    case(
        "schedule08-time-zone",
        "schedule",
        {
            "images": ONE,
            "tags": [
                "type=schedule,pattern={{date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}",
                "type=schedule,pattern=src-{{commit_date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}",
            ],
        },
        "20200110-093000",
        ["src-20200110-093000"],
        False,
        ["user/app:20200110-093000", "user/app:src-20200110-093000"],
        SHA_DEV,
    ),
    # -- release
    case(
        "release01-default-rules",
        "release",
        {"images": ONE},
        "v1.1.1",
        [],
        True,
        ["user/app:v1.1.1", "user/app:latest"],
        SHA_DEV,
    ),
    case(
        "release02-no-base-ref",
        "release",
        {
            "images": ONE,
            "tags": [
                "type=ref,event=tag",
                "type=raw,value=baseref-{{base_ref}}",
                "type=raw,value=defbranch,enable={{is_default_branch}}",
            ],
        },
        "v1.1.1",
        ["baseref-"],
        True,
        ["user/app:v1.1.1", "user/app:baseref-", "user/app:latest"],
        SHA_DEV,
    ),
    case(
        "release03-dates",
        "release",
        {
            "images": ONE,
            "tags": [
                "type=raw,value=src-{{commit_date 'YYYYMMDD-HHmmss'}}",
                "type=raw,value={{date 'YYYYMMDD-HHmmss'}}",
            ],
        },
        "src-20200110-003000",
        ["20200110-003000"],
        False,
        ["user/app:src-20200110-003000", "user/app:20200110-003000"],
        SHA_DEV,
    ),
    # -- raw
    case(
        "raw01-several",
        "push_branch",
        {
            "images": ONE,
            "tags": ["type=ref,event=branch", "type=raw,my", "type=raw,custom", "type=raw,tags"],
        },
        "dev",
        ["my", "custom", "tags"],
        False,
        ["user/app:dev", "user/app:my", "user/app:custom", "user/app:tags"],
        SHA_DEV,
    ),
    case(
        "raw02-one",
        "push_branch",
        {"images": ONE, "tags": ["type=ref,event=branch", "type=raw,my"]},
        "dev",
        ["my"],
        False,
        ["user/app:dev", "user/app:my"],
        SHA_DEV,
    ),
    case(
        "raw03-on-tag",
        "tag_non_version",
        {
            "images": ONE,
            "tags": ["type=ref,event=tag", "type=raw,my", "type=raw,custom", "type=raw,tags"],
        },
        "release1",
        ["my", "custom", "tags"],
        True,
        ["user/app:release1", "user/app:my", "user/app:custom", "user/app:tags", "user/app:latest"],
        SHA_DEV,
    ),
    case(
        "raw04-after-match",
        "tag_non_version",
        {
            "images": ONE,
            "tags": [
                "type=match,pattern=\\d{8}",
                "type=raw,my",
                "type=raw,custom",
                "type=raw,tags",
            ],
            "flavor": ["latest=false"],
        },
        "20200110",
        ["my", "custom", "tags"],
        False,
        ["user/app:20200110", "user/app:my", "user/app:custom", "user/app:tags"],
        SHA_DEV,
        ref="refs/tags/20200110-RC2",
    ),
    case(
        "raw05-after-semver",
        "tag_semver",
        {
            "images": TWO,
            "tags": [
                "type=semver,pattern={{version}}",
                "type=semver,pattern={{major}}.{{minor}}",
                "type=semver,pattern={{major}}",
                "type=raw,my",
                "type=raw,custom",
                "type=raw,tags",
            ],
        },
        "1.1.1",
        ["1.1", "1", "my", "custom", "tags"],
        True,
        [
            "org/app:1.1.1",
            "org/app:1.1",
            "org/app:1",
            "org/app:my",
            "org/app:custom",
            "org/app:tags",
            "org/app:latest",
            "ghcr.io/user/app:1.1.1",
            "ghcr.io/user/app:1.1",
            "ghcr.io/user/app:1",
            "ghcr.io/user/app:my",
            "ghcr.io/user/app:custom",
            "ghcr.io/user/app:tags",
            "ghcr.io/user/app:latest",
        ],
        SHA_DEV,
    ),
    case(
        "raw06-raw-only-no-latest",
        "tag_semver",
        {"images": TWO, "tags": ["type=raw,my", "type=raw,custom", "type=raw,tags"]},
        "my",
        ["custom", "tags"],
        False,
        [
            "org/app:my",
            "org/app:custom",
            "org/app:tags",
            "ghcr.io/user/app:my",
            "ghcr.io/user/app:custom",
            "ghcr.io/user/app:tags",
        ],
        SHA_DEV,
    ),
    case(
        "raw07-flavor-latest-true",
        "push_branch",
        {
            "images": ONE,
            "tags": [
                "type=ref,priority=90,event=branch",
                "type=raw,my",
                "type=raw,custom",
                "type=raw,tags",
            ],
            "flavor": ["latest=true"],
        },
        "my",
        ["custom", "tags", "dev"],
        True,
        ["user/app:my", "user/app:custom", "user/app:tags", "user/app:dev", "user/app:latest"],
        SHA_DEV,
    ),
    case(
        "raw08-match-on-branch-skipped",
        "push_branch",
        {
            "images": ONE,
            "tags": [
                "type=match,pattern=\\d{8}",
                "type=raw,my",
                "type=raw,custom",
                "type=raw,tags",
            ],
            "flavor": ["latest=false"],
        },
        "my",
        ["custom", "tags"],
        False,
        ["user/app:my", "user/app:custom", "user/app:tags"],
        SHA_DEV,
    ),
    case(
        "raw09-own-and-flavor-affixes",
        "push_branch",
        {
            "images": ONE,
            "tags": [
                "type=match,pattern=\\d{8}",
                "type=raw,my,prefix=foo-,suffix=-bar",
                "type=raw,custom",
                "type=raw,tags",
            ],
            "flavor": ["latest=false", "prefix=glo-", "suffix=-bal"],
        },
        "foo-my-bar",
        ["glo-custom-bal", "glo-tags-bal"],
        False,
        ["user/app:foo-my-bar", "user/app:glo-custom-bal", "user/app:glo-tags-bal"],
        SHA_DEV,
    ),
    case(
        "raw10-enable",
        "push_branch",
        {
            "images": ONE,
            "tags": ["type=raw,foo", "type=raw,bar,enable=false", "type=raw,baz,enable=true"],
            "flavor": ["latest=false"],
        },
        "foo",
        ["baz"],
        False,
        ["user/app:foo", "user/app:baz"],
        SHA_DEV,
    ),
]


def _check(  # noqa: PLR0917 - one table row's expectations
    meta: Meta, main: str, partial: list[str], latest: bool, tags: list[str], revision: str
) -> None:
    """upstream's tagsLabelsTest: annotations default to the labels, at level manifest."""
    assert (meta.version, list(meta.partial), meta.latest) == (main, partial, latest)
    assert list(meta.tags) == tags
    assert list(meta.labels) == oci_labels(revision, main)
    assert [a.removeprefix("manifest:") for a in meta.annotations] == oci_labels(revision, main)


@pytest.mark.parametrize(
    ("event", "ref", "inputs", "main", "partial", "latest", "tags", "revision"), VERSION_CASES
)
def test_version_tags_labels(  # noqa: PLR0917 - parametrized columns
    event: str,
    ref: str | None,
    inputs: dict[str, Any],
    main: str,
    partial: list[str],
    latest: bool,
    tags: list[str],
    revision: str,
) -> None:
    _check(run(event, inputs, ref=ref), main, partial, latest, tags, revision)


# upstream's 'pr-head-sha' table: the same runs with DOCKER_METADATA_PR_HEAD_SHA=true
PR_HEAD_SHA_CASES = [
    case(
        "pr01-head-sha",
        "pull_request",
        {"images": ONE},
        "pr-15",
        [],
        False,
        ["user/app:pr-15"],
        SHA_PR_HEAD,
    ),
    case(
        "pr02-head-sha",
        "pull_request",
        {"images": TWO},
        "pr-15",
        [],
        False,
        ["org/app:pr-15", "ghcr.io/user/app:pr-15"],
        SHA_PR_HEAD,
    ),
    case(
        "pr03-head-sha",
        "pull_request",
        {"images": TWO, "tags": ["type=ref,event=pr", "type=sha"]},
        "pr-15",
        ["sha-3370e22"],
        False,
        [
            "org/app:pr-15",
            "org/app:sha-3370e22",
            "ghcr.io/user/app:pr-15",
            "ghcr.io/user/app:sha-3370e22",
        ],
        SHA_PR_HEAD,
    ),
    case(
        "pr04-head-sha",
        "pull_request",
        {"images": TWO, "tags": ["type=sha,priority=2000", "type=ref,event=pr"]},
        "sha-3370e22",
        ["pr-15"],
        False,
        [
            "org/app:sha-3370e22",
            "org/app:pr-15",
            "ghcr.io/user/app:sha-3370e22",
            "ghcr.io/user/app:pr-15",
        ],
        SHA_PR_HEAD,
    ),
    case(
        "pr05-head-sha",
        "pull_request",
        {"images": TWO, "tags": ["type=ref,event=pr"], "flavor": ["prefix=glo-", "suffix=-bal"]},
        "pr-15-bal",
        [],
        False,
        ["org/app:pr-15-bal", "ghcr.io/user/app:pr-15-bal"],
        SHA_PR_HEAD,
    ),
    case(
        "pr06-head-sha",
        "pull_request",
        {
            "images": TWO,
            "tags": ["type=ref,event=pr,prefix="],
            "flavor": ["prefix=glo-", "suffix=-bal"],
        },
        "15-bal",
        [],
        False,
        ["org/app:15-bal", "ghcr.io/user/app:15-bal"],
        SHA_PR_HEAD,
    ),
    case(
        "pr07-target-head-sha",
        "pull_request_target",
        {"images": TWO, "tags": ["type=sha,priority=2000", "type=ref,event=pr"]},
        "sha-3370e22",
        ["pr-15"],
        False,
        [
            "org/app:sha-3370e22",
            "org/app:pr-15",
            "ghcr.io/user/app:sha-3370e22",
            "ghcr.io/user/app:pr-15",
        ],
        SHA_PR_HEAD,
    ),
    case(
        "pr08-target-head-sha",
        "pull_request_target",
        {
            "images": TWO,
            "tags": ["type=ref,event=pr,prefix="],
            "flavor": ["prefix=glo-", "suffix=-bal"],
        },
        "15-bal",
        [],
        False,
        ["org/app:15-bal", "ghcr.io/user/app:15-bal"],
        SHA_PR_HEAD,
    ),
    case(
        "pr09-target-head-sha",
        "pull_request_target",
        {
            "images": ["org/app"],
            "tags": [
                "type=ref,event=tag",
                "type=ref,event=pr",
                "type=ref,event=branch",
                "type=sha",
                "type=sha,format=long",
            ],
        },
        "pr-15",
        ["sha-3370e22", f"sha-{SHA_PR_HEAD}"],
        False,
        ["org/app:pr-15", "org/app:sha-3370e22", f"org/app:sha-{SHA_PR_HEAD}"],
        SHA_PR_HEAD,
    ),
    case(
        "pr10-target-head-sha",
        "pull_request_target",
        {
            "images": ["org/app"],
            "tags": [
                "type=raw,value=mytag-{{base_ref}}",
                "type=raw,mytag-defbranch,enable={{is_default_branch}}",
            ],
        },
        "mytag-master",
        [],
        False,
        ["org/app:mytag-master"],
        SHA_PR_HEAD,
    ),
    case(
        "pr11-head-sha",
        "pull_request",
        {
            "images": ["org/app"],
            "tags": [
                "type=raw,value=mytag-{{base_ref}}",
                "type=raw,mytag-defbranch,enable={{is_default_branch}}",
            ],
        },
        "mytag-master",
        [],
        False,
        ["org/app:mytag-master"],
        SHA_PR_HEAD,
    ),
    case(
        "pr12-head-sha",
        "pull_request",
        {"images": ["org/app"], "tags": ["type=raw,value=src-{{commit_date YYYY-MM-DD}}"]},
        "src-2020-01-10T00-30-00Z",
        [],
        False,
        ["org/app:src-2020-01-10T00-30-00Z"],
        SHA_PR_HEAD,
    ),
]


@pytest.mark.parametrize(
    ("event", "ref", "inputs", "main", "partial", "latest", "tags", "revision"), PR_HEAD_SHA_CASES
)
def test_pr_head_sha_knob(  # noqa: PLR0917 - parametrized columns
    event: str,
    ref: str | None,
    inputs: dict[str, Any],
    main: str,
    partial: list[str],
    latest: bool,
    tags: list[str],
    revision: str,
) -> None:
    meta = run(event, inputs, ref=ref, env={"DOCKER_METADATA_PR_HEAD_SHA": "true"})
    _check(meta, main, partial, latest, tags, revision)


def test_pr_head_sha_knob_ignored_outside_pull_requests() -> None:
    meta = run("push_branch", {"tags": ["type=sha"]}, env={"DOCKER_METADATA_PR_HEAD_SHA": "true"})
    assert meta.tag_names == ("sha-860c190",)


def test_custom_labels_and_annotations_override_defaults_latest09() -> None:
    """Custom values win, extra keys are merged in and everything is sorted by key."""
    meta = run(
        "tag_semver",
        {
            "images": ["org/app", "ghcr.io/MyUSER/MyApp"],
            "tags": ["type=ref,event=tag"],
            "flavor": ["latest=false"],
            "labels": [
                "maintainer=CrazyMax",
                'org.opencontainers.image.description=this is a "good" example',
                "org.opencontainers.image.title=MyCustomTitle",
                "org.opencontainers.image.vendor=MyCompany",
            ],
            "annotations": [
                "maintainer=Foo",
                'org.opencontainers.image.description=this is a "bad" example',
                "org.opencontainers.image.title=MyNotTitle",
                "org.opencontainers.image.vendor=MyNotCompany",
            ],
        },
    )
    assert (meta.version, meta.partial, meta.latest) == ("v1.1.1", (), False)
    assert meta.tags == ("org/app:v1.1.1", "ghcr.io/myuser/myapp:v1.1.1")
    assert list(meta.labels) == [
        "maintainer=CrazyMax",
        *oci_labels(
            SHA_DEV,
            "v1.1.1",
            **{
                "org.opencontainers.image.description": 'this is a "good" example',
                "org.opencontainers.image.title": "MyCustomTitle",
                "org.opencontainers.image.vendor": "MyCompany",
            },
        ),
    ]
    assert [a.removeprefix("manifest:") for a in meta.annotations] == [
        "maintainer=Foo",
        *oci_labels(
            SHA_DEV,
            "v1.1.1",
            **{
                "org.opencontainers.image.description": 'this is a "bad" example',
                "org.opencontainers.image.title": "MyNotTitle",
                "org.opencontainers.image.vendor": "MyNotCompany",
            },
        ),
    ]


def test_label_expression_and_invalid_label_lines() -> None:
    """push21 label with {{commit_date}}; json01: a line without '=' is dropped, 'foo=' kept."""
    meta = run(
        "push_default_branch",
        {
            "tags": ["type=ref,event=branch"],
            "labels": [
                "org.opencontainers.image.created={{commit_date 'YYYY-MM-DDTHH:mm:ss.SSS[Z]'}}",
                "invalid",
                "foo=",
            ],
        },
    )
    assert meta.labels[0] == "foo="
    assert meta.label_map["org.opencontainers.image.created"] == "2020-01-10T00:30:00.000Z"
    assert "invalid" not in meta.label_map


COMMIT_DATE_CASES = [
    pytest.param("push_branch", "", "20200110-014512", id="payload-commit-with-offset"),
    pytest.param("push_default_branch", "", "20200110-003000", id="payload-head-commit"),
    pytest.param("pull_request", "", "20200110-003000", id="unknown-falls-back-to-now"),
    pytest.param(
        "pull_request", "2019-05-15T15:20:30-07:00", "20190515-222030", id="resolved-by-caller"
    ),
]


@pytest.mark.parametrize(("event", "commit_date", "expected"), COMMIT_DATE_CASES)
def test_commit_date_sources(event: str, commit_date: str, expected: str) -> None:
    ctx = replace(load_event(event), commit_date=commit_date)
    meta = run(event, {"tags": ["type=raw,{{commit_date 'YYYYMMDD-HHmmss'}}"]}, ctx=ctx)
    assert meta.version == expected


@pytest.mark.parametrize(
    "commit_date",
    [
        # a commit's date is the author's to choose: a PR can carry any of these
        pytest.param("9999-12-31T23:59:59-12:00", id="after-9999-in-utc"),
        pytest.param("0001-01-01T00:00:00+12:00", id="before-year-1-in-utc"),
        pytest.param("9999-12-31T00:00:00Z", id="last-day"),
        pytest.param("0001-01-01", id="first-day"),
    ],
)
@pytest.mark.parametrize(
    "pattern",
    [
        pytest.param("{{commit_date 'YYYY'}}", id="year"),
        pytest.param("{{commit_date 'gggg-ww GGGG-WW'}}", id="week-years"),
        pytest.param("{{commit_date 'YYYYMMDD' tz='Pacific/Kiritimati'}}", id="utc-plus-14"),
        pytest.param("{{commit_date 'YYYYMMDD' tz='Pacific/Pago_Pago'}}", id="utc-minus-11"),
    ],
)
def test_commit_date_out_of_range_is_now_with_a_warning(commit_date: str, pattern: str) -> None:
    ctx = replace(load_event("push_branch"), commit_date=commit_date)
    meta = run("push_branch", {"tags": [f"type=raw,value={pattern}"]}, ctx=ctx)
    now = run("push_branch", {"tags": [f"type=raw,value={pattern}"]},
              ctx=replace(ctx, commit_date=NOW.isoformat()))  # fmt: skip
    assert meta.version == now.version
    assert f"Commit date {commit_date!r} is out of range" in meta.warnings[0]


@pytest.mark.parametrize(
    ("commit_date", "tz", "expected"),
    [
        pytest.param("0002-01-02T00:00:00Z", "Etc/GMT+12", "0002-01-01 0002 0002",
                     id="first-day-in-range-to-utc-minus-12"),
        pytest.param("9998-12-30T23:59:59Z", "Pacific/Kiritimati", "9998-12-31 9999 9998",
                     id="last-day-in-range-to-utc-plus-14"),
    ],
)  # fmt: skip
def test_commit_date_at_the_ends_of_the_range(commit_date: str, tz: str, expected: str) -> None:
    ctx = replace(load_event("push_branch"), commit_date=commit_date)
    pattern = f"{{{{commit_date 'YYYY-MM-DD gggg GGGG' tz='{tz}'}}}}"
    meta = run("push_branch", {"tags": [f"type=raw,value={pattern}"]}, ctx=ctx)
    assert meta.version == expected.replace(" ", "-")
    assert not any("Commit date" in warning for warning in meta.warnings)


SHORT_SHA_CASES = [
    pytest.param("12", "sha-860c1904a1ce", id="longer"),
    pytest.param("100", f"sha-{SHA_DEV}", id="longer-than-sha"),
    pytest.param("0x4", "sha-860c", id="js-number-hex"),
    pytest.param("", "sha-860c190", id="unset-is-7"),
]


@pytest.mark.parametrize(("length", "expected"), SHORT_SHA_CASES)
def test_short_sha_length_knob(length: str, expected: str) -> None:
    meta = run(
        "push_branch",
        {"tags": ["type=sha", "type=raw,{{sha}}"]},
        env={"DOCKER_METADATA_SHORT_SHA_LENGTH": length},
    )
    # type=raw (priority 200) comes before type=sha (100)
    assert (meta.version, meta.partial) == (expected.removeprefix("sha-"), (expected,))


@pytest.mark.parametrize(
    ("length", "expected"),
    [
        # String.prototype.substring(0, length): a negative length is 0, a huge one the whole
        pytest.param("-Infinity", "sha-", id="minus-infinity"),
        pytest.param("-1e400", "sha-", id="minus-overflow"),
        pytest.param("-3", "sha-", id="negative"),
        pytest.param("Infinity", f"sha-{SHA_DEV}", id="infinity"),
        pytest.param("1e400", f"sha-{SHA_DEV}", id="overflow"),
        pytest.param("0x" + "f" * 300, f"sha-{SHA_DEV}", id="hex-beyond-float"),
        pytest.param("4.9", "sha-860c", id="fraction-cut"),
    ],
)
def test_short_sha_length_extremes(length: str, expected: str) -> None:
    meta = run("push_branch", {"tags": ["type=sha"]},
               env={"DOCKER_METADATA_SHORT_SHA_LENGTH": length})  # fmt: skip
    assert meta.version == expected


# DOCKER_METADATA_SHORT_SHA_LENGTH is read when a short sha is made, and only then
SHORT_SHA_CHECKED = [
    pytest.param("abc", {"tags": ["type=ref,event=branch"]}, "dev", id="ss1-no-sha-used"),
    pytest.param("abc", {"tags": ["type=sha,format=long"]}, f"sha-{SHA_DEV}",
                 id="ss2-long-sha"),
    pytest.param("abc", {"tags": ["type=sha"]}, None, id="ss3-short-sha"),
    pytest.param("abc", {"tags": ["type=raw,value=x-{{sha}}"]}, None, id="ss4-sha-expression"),
    pytest.param("abc", {"tags": ["type=ref,event=branch"], "labels": ["rev={{sha}}"]}, None,
                 id="ss5-sha-in-a-label"),
    pytest.param("abc", {"tags": ["type=sha,enable=false"]}, "", id="ss6-disabled-rule"),
    pytest.param("12", {"tags": ["type=sha"]}, "sha-860c1904a1ce", id="ss7-twelve"),
    pytest.param(" 0x8 ", {"tags": ["type=sha"]}, "sha-860c1904", id="ss8-js-number"),
    pytest.param("abc", {"tags": ["type=raw,value=x", "type=raw,value={{sha}},enable=false"]},
                 "x", id="sha-only-in-a-disabled-rule"),
    pytest.param("abc", {"tags": ["type=raw,value=x"], "flavor": ["prefix={{sha}}-"]}, None,
                 id="sha-in-a-flavor-prefix"),
]  # fmt: skip


@pytest.mark.parametrize(("length", "inputs", "version"), SHORT_SHA_CHECKED)
def test_short_sha_length_checked_only_when_used(
    length: str, inputs: dict[str, Any], version: str | None
) -> None:
    env = {"DOCKER_METADATA_SHORT_SHA_LENGTH": length}
    if version is not None:
        assert run("push_branch", inputs, env=env).version == version
        return
    with pytest.raises(InputError) as caught:
        run("push_branch", inputs, env=env)
    assert caught.value.input_name == "DOCKER_METADATA_SHORT_SHA_LENGTH"
    assert (
        caught.value.problem == f"DOCKER_METADATA_SHORT_SHA_LENGTH is not a valid number: {length}"
    )


def test_short_sha_length_without_a_sha() -> None:
    """No sha: type=sha is skipped unchecked, but {{sha}} is still checked (upstream too)."""
    ctx = replace(load_event("push_branch"), sha="")
    env = {"DOCKER_METADATA_SHORT_SHA_LENGTH": "abc"}
    assert run("push_branch", {"tags": ["type=sha", "type=raw,x"]}, ctx=ctx, env=env).version == "x"
    with pytest.raises(InputError, match="is not a valid number: abc"):
        run("push_branch", {"tags": ["type=raw,x{{sha}}"]}, ctx=ctx, env=env)


def test_annotation_levels_knob() -> None:
    meta = run(
        "push_branch", {}, env={"DOCKER_METADATA_ANNOTATIONS_LEVELS": "index,manifest-descriptor"}
    )
    assert meta.annotation_levels == ("index", "manifest-descriptor")
    assert meta.annotations[0] == "index:org.opencontainers.image.created=2020-01-10T00:30:00.000Z"
    assert (
        meta.annotations[8]
        == "manifest-descriptor:org.opencontainers.image.created=2020-01-10T00:30:00.000Z"
    )
    assert len(meta.annotations) == 16


def test_warnings_when_nothing_matches() -> None:
    """The ones of the computation; "No Docker image version ..." is the log's (test_meta_log)."""
    meta = run("tag_non_version", {"tags": ["type=semver,pattern={{version}}"]})
    assert meta.warnings == ("release1 is not a valid semver. More info: https://semver.org/",)
