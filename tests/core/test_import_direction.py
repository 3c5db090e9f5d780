"""Domain imports run one way: payments → booking → questionnaires → models; views may import any domain, and
config.py imports no area (STYLE.md, "Workflows and the direction of imports")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parents[2] / "portal"
AREAS = (
    "accounts",
    "booking",
    "cases",
    "consent",
    "handouts",
    "home",
    "jobs",
    "packages",
    "payments",
    "practice",
    "questionnaires",
    "records",
    "team",
)
# Each area, and the areas its domain modules may not import (those further up the chain).
MAY_NOT_IMPORT = {
    "questionnaires": {"booking", "payments"},
    "booking": {"payments"},
    "packages": {"booking", "payments"},  # booking spends credits; packages know bookings only as rows
    "consent": {"booking", "payments"},  # the booking pages ask consent, never the other way round
}


def imported_areas(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if len(parts) > 1 and parts[0] == "portal" and parts[1] in AREAS:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("area", sorted(MAY_NOT_IMPORT))
def test_domain_modules_import_only_down_the_chain(area):
    wrong = {
        path.name: imported_areas(path) & MAY_NOT_IMPORT[area]
        for path in (PORTAL / area).glob("*.py")
        if path.name != "views.py"
    }
    assert {name: areas for name, areas in wrong.items() if areas} == {}


def test_config_imports_no_area():
    assert imported_areas(PORTAL / "config.py") == set()
