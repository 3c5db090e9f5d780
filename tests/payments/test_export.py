"""The payments CSV: nothing in it can run as a spreadsheet formula, and every text cell is quoted."""

from __future__ import annotations

import pytest

from portal.payments.export import safe_cell


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Ann;=1+1", "Ann;'=1+1"),
        ("Ann,+1", "Ann,'+1"),
        ("Ann\t@x", "Ann\t'@x"),
        ("a;b,=c", "a;b,'=c"),
        ("Sophie Turner", "Sophie Turner"),
        ("Jean-Paul", "Jean-Paul"),
        ("", ""),
    ],
)
def test_formula_characters_are_neutralised_at_the_start_and_after_a_separator(typed, written):
    assert safe_cell(typed) == written
