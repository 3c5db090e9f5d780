"""Time zones are offered by the name people use, with a city; aliases are hidden; stored values stay IANA names."""

from __future__ import annotations

from zoneinfo import available_timezones

from portal.timeutil import (
    BROWSER_NAMES,
    COMMON_GROUP,
    OTHER_GROUP,
    is_valid_timezone,
    timezone_choices,
    timezone_name,
    timezone_options,
)
from tests.conftest import submit_form

ALIASES = ("GB", "GB-Eire", "US/Eastern", "Etc/GMT+5", "Etc/UTC", "Asia/Calcutta", "Europe/Kiev", "Europe/Belfast")


def test_the_common_zones_come_first_by_their_common_name_and_city():
    common = dict(timezone_choices()[COMMON_GROUP])
    assert common["Europe/London"] == "UK time – London"
    assert common["America/New_York"] == "Eastern US – New York"
    assert common["Europe/Paris"].startswith("Central European")
    assert list(timezone_choices()) == [COMMON_GROUP, OTHER_GROUP]


def test_aliases_are_hidden_and_every_place_is_still_reachable_once():
    offered = [zone for pairs in timezone_choices().values() for zone, _ in pairs]
    assert len(offered) == len(set(offered))  # one option per zone
    for alias in ALIASES:
        assert alias in available_timezones()  # the alias exists, and it is not offered
        assert alias not in offered and not is_valid_timezone(alias)
    others = dict(timezone_choices()[OTHER_GROUP])
    assert others["Europe/Copenhagen"] == "Copenhagen (Denmark)"
    assert others["America/Argentina/Cordoba"] == "Cordoba (Argentina)"
    assert len(offered) > 300  # every country's zones, not only the common ones


def test_an_older_name_a_browser_reports_points_at_the_place_offered():
    html = str(timezone_options("Asia/Kolkata"))
    assert '<option value="Asia/Kolkata" data-also="Asia/Calcutta" selected>India – Mumbai, Delhi, Kolkata' in html
    assert all(is_valid_timezone(canonical) for canonical in BROWSER_NAMES.values())
    assert '<optgroup label="Common time zones">' in html and html.count("selected") == 1


def test_a_zone_reads_as_its_label_and_an_unknown_one_as_it_is():
    assert timezone_name("Europe/London") == "UK time – London"
    assert timezone_name("Europe/Copenhagen") == "Copenhagen (Denmark)"
    assert timezone_name("US/Eastern") == "US/Eastern"


def test_sign_up_offers_the_named_zones_and_refuses_one_not_offered(client):
    page = client.get("/account/signup").get_data(as_text=True)
    assert 'data-timezone-list="1"' in page and "UK time – London" in page
    assert 'value="GB"' not in page and 'value="US/Eastern"' not in page
    refused = submit_form(
        client,
        "/account/signup",
        {"name": "Zoë", "email": "zoe@example.com", "password": "calm-gut-clear-head", "timezone": "US/Eastern"},
    )
    assert "Choose a time zone from the list" in refused.get_data(as_text=True)  # beside the field, nothing made
