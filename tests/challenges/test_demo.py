"""The demo's dairy challenge: ended, concluded, with fewer bloating days without dairy than with it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from portal.accounts import users
from portal.challenges import challenges
from portal.db_types import utcnow
from portal.demo import DEMO_CLIENTS, seed_demo
from portal.extensions import db
from portal.models import Challenge


def test_the_main_demo_client_has_an_ended_dairy_challenge_with_milder_bloating_without_dairy(app):
    seed_demo("Europe/London", "GBP")
    seed_demo("Europe/London", "GBP")  # twice adds nothing
    sophie = users.find_user_by_email(DEMO_CLIENTS[0][1])
    challenge = db.session.execute(db.select(Challenge)).scalar_one()
    assert (challenge.client_id, challenge.title, challenge.status) == (sophie.id, "dairy", "ended")
    assert challenge.conclusion.startswith("Without dairy your bloating eased")
    today = utcnow().astimezone(ZoneInfo(sophie.timezone)).date()
    assert challenges.finished(challenge, today)
    elimination, reintroduction, _ = challenges.results_of(challenge, today)
    assert elimination.complete and elimination.marked_bloating_days == 0
    assert reintroduction.marked_bloating_days >= 1
    assert elimination.mean_bloating < reintroduction.mean_bloating
    assert (elimination.ate_days, elimination.answered_days) == (1, 19)
