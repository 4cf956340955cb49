"""Webhook events for partner platforms."""
from __future__ import annotations


def event_publish(*, platform, type: str, data: dict) -> None:  # noqa: A002 — the event's type
    """Record an event for `platform` and deliver it to its endpoints after commit."""
