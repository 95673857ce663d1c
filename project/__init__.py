"""Country Provider. This package is the composition root: settings, URLs, topology, databases
and the management commands that wire the departments together. Inside it, `kernel/` is the
shared plumbing the departments use and `bench/` the development tools (docs/architecture.md)."""

# The one version number: pyproject.toml, the OpenAPI schema and the image tag read it from here.
__version__ = "0.1.0"
