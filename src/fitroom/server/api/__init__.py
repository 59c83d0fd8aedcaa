"""The ``/api/v1`` JSON API."""
