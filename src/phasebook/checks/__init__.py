"""Start-up and environment checks."""
