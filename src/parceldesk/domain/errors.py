"""The one error hierarchy of parceldesk.

Every error a user can cause is a ``ParceldeskError`` with a stable ``code`` (used by the CLI, the
HTTP layer and the conversation engine) and a message a person can read. The web layer maps the
families below to HTTP status codes in one place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class ParceldeskError(Exception):
    """Base of every error parceldesk raises on purpose."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(ParceldeskError):
    """The input is malformed; nothing was changed."""

    code = "invalid_input"


class InvalidWaybill(InvalidInput):
    code = "invalid_waybill"


class InvalidPhone(InvalidInput):
    code = "invalid_phone"


class InvalidAddress(InvalidInput):
    code = "invalid_address"


class PostalCodeMissing(InvalidAddress):
    """The country's addresses need a postal code (in Singapore it names the building)."""

    code = "postal_code_missing"


class InvalidTimeWindow(InvalidInput):
    code = "invalid_time_window"


class InvalidPolicy(ParceldeskError):
    """The policy file is missing, unreadable or inconsistent."""

    code = "invalid_policy"


class NotFound(ParceldeskError):
    code = "not_found"


class ShipmentNotFound(NotFound):
    code = "shipment_not_found"


class NotVerified(ParceldeskError):
    """The caller has not proved they are a party to this shipment."""

    code = "not_verified"


class VerificationFailed(ParceldeskError):
    code = "verification_failed"

    def __init__(self, message: str, attempts_left: int) -> None:
        super().__init__(message)
        self.attempts_left = attempts_left


class ShipmentLocked(ParceldeskError):
    """Too many failed verifications: the shipment refuses self-service for a while."""

    code = "shipment_locked"


class PolicyRefusal(ParceldeskError):
    """The policy does not allow this action now; ``alternatives`` are actions that it allows."""

    code = "policy_refusal"

    def __init__(
        self,
        message: str,
        reason_code: str,
        alternatives: Sequence[str] = (),
        values: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.reason_code = reason_code
        self.alternatives = tuple(alternatives)
        self.values = dict(values or {})


class InvalidTransition(ParceldeskError):
    code = "invalid_transition"


class ConcurrentModification(ParceldeskError):
    """Somebody else changed the shipment first; retry with fresh data."""

    code = "concurrent_modification"


class IdempotencyKeyReused(ParceldeskError):
    """The idempotency key was already used for a different request."""

    code = "idempotency_key_reused"
