"""Transport adapters between callers and the conversation engine (no web framework here)."""
