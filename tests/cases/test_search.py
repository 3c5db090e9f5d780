"""Finding a client by name or e-mail: any case, any order of words, wildcards typed literally."""

from __future__ import annotations


import pytest

from portal.cases import search
from portal.db_types import utcnow
from portal.models import Role


@pytest.fixture
def people(make_user):
    return {
        "sophie": make_user(Role.CLIENT, name="Sophie Turner", email="sophie.t@example.com"),
        "amelia": make_user(Role.CLIENT, name="Amélia Hart", email="amelia@hart.example"),
        "priya": make_user(Role.CLIENT, name="Priya Raman", email="p.raman@example.org"),
        "percent": make_user(Role.CLIENT, name="Fifty Percent", email="fifty_percent@example.com"),
        "colleague": make_user(Role.PRACTITIONER, name="Maya Turner", email="turner@example.net"),
    }


def names(query: str) -> list[str]:
    return [row.client.name for row in search.search_clients(query, utcnow()).rows]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("sophie", ["Sophie Turner"]),
        ("SOPHIE", ["Sophie Turner"]),
        ("tur", ["Sophie Turner"]),  # the practitioner Maya Turner is not a client
        ("turner sophie", ["Sophie Turner"]),
        ("  hart  ", ["Amélia Hart"]),
        ("RAMAN@EXAMPLE", ["Priya Raman"]),
        ("example.org", ["Priya Raman"]),
        ("%", []),  # typed wildcards match themselves only
        ("_", ["Fifty Percent"]),
        ("nobody", []),
        ("", ["Amélia Hart", "Fifty Percent", "Priya Raman", "Sophie Turner"]),
    ],
)
def test_search_by_name_or_email(people, query, expected):
    assert names(query) == expected


def test_long_queries_are_cut_not_refused(people):
    assert names("sophie " + "x" * 500) == []
    assert len(search.words_of("a b c d e f g h")) == search.MAX_WORDS


def test_results_come_in_pages(make_user):
    for n in range(search.PAGE_SIZE + 3):
        make_user(Role.CLIENT, name=f"Client {n:03d}")
    first = search.search_clients("client", utcnow(), 1)
    second = search.search_clients("client", utcnow(), 2)
    assert (first.total, first.pages, len(first.rows), len(second.rows)) == (53, 2, 50, 3)
    assert search.search_clients("client", utcnow(), 99).page == 2


def test_each_row_has_her_next_and_last_session(people, make_booking):
    past = make_booking(people["sophie"], in_days=-3, status="completed")
    upcoming = make_booking(people["sophie"], in_days=4)
    make_booking(people["sophie"], in_days=6, status="cancelled")
    row = search.search_clients("sophie", utcnow()).rows[0]
    assert (row.next_session, row.last_session) == (upcoming.starts_at, past.starts_at)


def test_the_nav_search_opens_the_only_match(maya_browser, people):
    response = maya_browser.get("/practitioner/clients?q=raman")
    assert response.status_code == 302 and response.location.endswith(f"/practitioner/clients/{people['priya'].id}")
    page = maya_browser.get("/practitioner/clients?q=example.com").get_data(as_text=True)
    assert "Sophie Turner" in page and "Fifty Percent" in page and "Priya Raman" not in page
    assert "2 clients match" in page
    assert 'class="nav-search"' in maya_browser.get("/practitioner/").get_data(as_text=True)
    assert "Nobody by that name" in maya_browser.get("/practitioner/clients?q=zzz").get_data(as_text=True)
