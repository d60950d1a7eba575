"""Business policies: configuration as data (``config``), decisions as pure functions."""

from parceldesk.domain.policy.config import Policy
from parceldesk.domain.policy.decisions import Decision

__all__ = ["Decision", "Policy"]
