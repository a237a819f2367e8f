"""posture: photo posture analysis that suggests, explains and never diagnoses."""

__version__ = "0.1.0"
