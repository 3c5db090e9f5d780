"""Her home page reads a fixed amount however long her history: the same queries for a new client and for one
with many sessions and diary days, and no diary note decrypted (the page shows none)."""

from __future__ import annotations

from datetime import timedelta

from portal import crypto
from portal.db_types import utcnow
from portal.questionnaires import diary_entries
from tests.conftest import log_in


def fill_diary(person, days: int) -> None:
    today = utcnow().date()
    for n in range(days):
        diary_entries.save_entry(
            person,
            today - timedelta(days=n),
            today,
            headache="migraine" if n % 5 == 0 else "none",
            intensity=6 if n % 5 == 0 else 0,
            headache_minutes=90 if n % 5 == 0 else 0,
            medication={"triptan"} if n % 5 == 0 else set(),
            stool_types=[4],
            bloating=2,
            abdominal_pain=0,
            note="A private note about my day",
        )


def test_her_home_costs_the_same_with_a_long_history(
    app, practice, make_user, make_booking, count_queries, monkeypatch
):
    new, long = make_user(email="new@example.com"), make_user(email="long@example.com")
    for n in range(12):
        make_booking(long, in_days=-3 - 2 * n, status="completed")
    make_booking(long, in_days=3)
    fill_diary(long, 40)
    counts, pages = {}, {}
    for person in (new, long):
        browser = app.test_client()
        log_in(browser, person.email)
        browser.get("/me/")
        with count_queries() as queries:
            pages[person.email] = browser.get("/me/").get_data(as_text=True)
        counts[person.email] = queries.count
    assert counts["new@example.com"] == counts["long@example.com"]
    assert pages["long@example.com"].count("Follow-up") == 11  # the upcoming one and the latest ten others
    assert "Today is filled in" in pages["long@example.com"] and "migraine days" in pages["long@example.com"]
    decrypted = []
    original = crypto.EncryptedText.process_result_value
    monkeypatch.setattr(
        crypto.EncryptedText,
        "process_result_value",
        lambda self, value, dialect: decrypted.append(value) or original(self, value, dialect),
    )
    browser = app.test_client()
    log_in(browser, long.email)
    browser.get("/me/")
    decrypted.clear()
    browser.get("/me/")
    assert decrypted == []
