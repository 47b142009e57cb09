"""Docker image metadata, registry login, buildx build and push in one step."""

__version__ = "0.1.0"
