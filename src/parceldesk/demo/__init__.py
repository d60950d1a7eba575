"""The demo world: a deterministic, realistic population of shipments for trying parceldesk."""
