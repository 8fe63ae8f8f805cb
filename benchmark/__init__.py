"""Chinese IE benchmark."""

__version__ = "0.1.0"
