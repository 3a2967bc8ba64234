"""spec_automation: spec-driven development, from a brief to an implementation-ready spec."""

__version__ = "0.1.0"
