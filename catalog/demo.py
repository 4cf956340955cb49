"""Demo data: institutions, courses, listings on the eight platforms, and purchases."""
from __future__ import annotations

from accounts.demo import DemoContext


def step_catalog(ctx: DemoContext) -> None:
    """Institutions, courses, listings and purchases (see the catalog demo)."""
