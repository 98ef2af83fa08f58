"""civicpulse: multichannel citizen-feedback pipeline for government CX teams."""

__version__ = "0.1.0"
