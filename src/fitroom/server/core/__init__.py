"""Settings, password and session security, and encryption at rest."""
