"""The accessibility check itself: it must fail on a page with a known serious violation."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import DESKTOP, check_accessibility, serious_violations


def test_the_check_fails_on_an_input_without_a_label(new_page):
    page = new_page(DESKTOP)
    page.set_content('<!doctype html><html lang="en"><title>T</title><main><h1>Form</h1><input type="text"></main>')
    with pytest.raises(AssertionError, match=r"critical label: Form elements must have labels \[input\]"):
        check_accessibility(page)


def test_the_check_passes_a_labelled_input(new_page):
    page = new_page(DESKTOP)
    page.set_content(
        '<!doctype html><html lang="en"><title>T</title><main><h1>Form</h1>'
        '<label for="n">Name</label><input id="n" type="text"></main>'
    )
    check_accessibility(page)


def test_a_report_names_the_rule_its_help_and_the_elements():
    report = {
        "url": "/x",
        "width": 375,
        "violations": [
            {
                "id": "label",
                "impact": "critical",
                "help": "Form elements must have labels",
                "nodes": [{"target": ["#a"]}],
            },
            {"id": "region", "impact": "moderate", "help": "Content in landmarks", "nodes": [{"target": ["p"]}]},
        ],
    }
    assert serious_violations(report) == ["/x at 375 px: critical label: Form elements must have labels [#a]"]
