"""Optional integrations, each behind its own extra (``otel``, ``redis``); the core never imports
them."""
