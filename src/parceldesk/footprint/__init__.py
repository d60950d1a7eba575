"""The compute-footprint and site planner: the servers, energy, water, carbon, money and latency
of running parceldesk's AI on a given site, hour by hour from the site's climate."""
