"""End-to-end tests: every operation through both clients against the sandbox."""
