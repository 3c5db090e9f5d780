"""A challenge's schedule as a plain object, for the app-free tests of phases and results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

START = date(2026, 3, 2)


@dataclass
class Plan:
    title: str = "dairy"
    starts_on: date = START
    eliminate_days: int = 21
    reintroduce_days: int = 3
    watch_days: int = 4
    stopped_on: date | None = None
