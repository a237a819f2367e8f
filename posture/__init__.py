"""posture: photo posture analysis that suggests, explains and never diagnoses."""


def __getattr__(name: str) -> str:
    """`posture.__version__`, read from the installed package's metadata: pyproject.toml is the only
    place the version is written. Looked up on first use, so importing posture stays cheap."""
    if name == "__version__":
        from importlib.metadata import version

        return version("posture")
    raise AttributeError(f"module 'posture' has no attribute {name!r}")
