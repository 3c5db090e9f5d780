"""The readers of portal/inputs.py refuse what Python's own parsers accept but the portal can't store or use."""

from __future__ import annotations

from datetime import date, datetime, UTC
from decimal import Decimal

import pytest

from portal.inputs import INT_MAX, iso_day, iso_instant, plain_decimal, single_line_problem, text_problem, whole_number


@pytest.mark.parametrize(("text", "value"), [("42", 42), (" -7 ", -7), ("+3", 3), (str(INT_MAX), INT_MAX)])
def test_whole_numbers_in_ascii_digits_are_read(text, value):
    assert whole_number(text) == value


@pytest.mark.parametrize(
    "text",
    [
        "٣",
        "²",
        "𝟗",
        "1_000",
        "0x10",
        "1e3",
        "",
        None,
        "2147483648",
        "-2147483649",
        "18446744073709551616",
        "9" * 5000,
        "4\x00",
    ],
)
def test_other_digits_and_numbers_beyond_an_integer_column_are_refused(text):
    assert whole_number(text) is None


@pytest.mark.parametrize(
    ("text", "value"), [("7", Decimal(7)), ("7.5", Decimal("7.5")), (".5", Decimal(".5")), ("-2", Decimal(-2))]
)
def test_plain_decimals_are_read(text, value):
    assert plain_decimal(text) == value


@pytest.mark.parametrize(
    "text", ["NaN", "sNaN", "-sNaN", "Infinity", "-inf", "1E+999999999", "1e-5", "٣.٥", "1_000", "", "1" * 31]
)
def test_exponents_nan_infinity_and_other_digits_are_refused(text):
    assert plain_decimal(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "0001-01-01",
        "9999-12-31",
        "1899-12-31",
        "2101-01-01",
        "2026-02-30",
        "20260301",
        "2026-W01-1",
        "٢٠٢٦-٠١-٠١",
        "10000-01-01",
    ],
)
def test_dates_outside_1900_to_2100_or_not_written_yyyy_mm_dd_are_refused(text):
    assert iso_day(text) is None


def test_a_date_in_range_is_read():
    assert iso_day("2026-03-31") == date(2026, 3, 31) and iso_day("1900-01-01") == date(1900, 1, 1)


@pytest.mark.parametrize(
    "text",
    [
        "0001-01-01T00:00Z",
        "9999-12-31T23:59Z",
        "0001-01-01T00:00:00+23:59",
        "9999-12-31T23:59:59-23:59",
        "2026-03-31T09:15",
        "2026-03-31",
    ],
)
def test_instants_outside_the_range_or_without_an_offset_are_refused(text):
    assert iso_instant(text) is None


def test_an_instant_is_read_as_utc():
    assert iso_instant("2026-03-31T10:15+01:00") == datetime(2026, 3, 31, 9, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["a\x00b", "a\rb", "a\nb", "\x1b[2J", "a\x85b", "a\u2028b", "a\u2029b", "\x7f", "a\x0bb", "a\tb"]
)
def test_one_line_text_refuses_every_line_break_and_control(text):
    assert single_line_problem(text) and len(text.splitlines()) <= 2


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("two\r\nlines\tand a tab", False),
        ("nul\x00", True),
        ("bell\x07", True),
        ("C1\x9b", True),
        ("Maya’s café 🙂", False),
    ],
)
def test_text_areas_keep_line_breaks_and_tabs_but_not_other_controls(text, refused):
    assert bool(text_problem(text)) is refused
