"""Use cases: small functions over a unit of work. ``ports`` holds what the outside implements."""
