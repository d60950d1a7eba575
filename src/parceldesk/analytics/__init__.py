"""Metrics that tell the truth, computed from conversations' event logs."""
