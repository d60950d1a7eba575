"""Round-trip time from a site to customers' cities over fibre.

Light in fibre covers a kilometre in about 4.9 µs (refractive index ~1.47); a route is longer
than the great circle by ``route_factor``; switches, routers and the far end add
``equipment_ms`` per round trip.
"""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0
FIBRE_US_PER_KM = 4.9


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def round_trip_ms(
    distance_km: float, route_factor: float = 1.5, equipment_ms: float = 0.5
) -> float:
    return 2 * distance_km * route_factor * FIBRE_US_PER_KM / 1000 + equipment_ms
