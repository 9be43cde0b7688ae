"""The outbox of messages to parents and organizations, delivered to the web cabinet."""
