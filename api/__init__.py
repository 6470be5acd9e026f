"""The policycheck HTTP API and upload page (FastAPI). ``api`` imports ``checker``, never the
reverse; this package needs the ``api`` extra. Build the app with ``api.app.create_app``."""
