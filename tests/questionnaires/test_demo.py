"""The demo shows what the portal is for: Sophie's diary links bad gut days to migraines, her scores improve,
and the practitioner has her own check-in in an intake set of questionnaires that have their words."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from portal.db_types import utcnow
from portal.demo import DEMO_CLIENTS, DEMO_PRACTITIONER, seed_demo
from portal.extensions import db
from portal.accounts import users
from portal.models import BookingRules, DiaryEntry, QuestionnaireResponse
from portal.questionnaires import custom, diary_entries, responses


def test_the_demo_client_has_a_diary_that_shows_the_migraine_gut_link_and_improving_scores(app):
    seed_demo("Europe/London", "GBP")
    seed_demo("Europe/London", "GBP")  # twice adds nothing
    sophie = users.find_user_by_email(DEMO_CLIENTS[0][1])
    maya = users.find_user_by_email(DEMO_PRACTITIONER[1])
    count = db.select(db.func.count()).select_from(DiaryEntry)
    assert db.session.scalar(count.filter(DiaryEntry.client_id == sophie.id)) == 84
    assert db.session.scalar(count) == 84 + 126  # and Priya's journal (portal/journal/examples.py)
    link = diary_entries.overview(sophie.id, utcnow().astimezone(ZoneInfo(sophie.timezone)).date()).link
    assert link.enough_data and link.after_bad_gut_rate > 2 * link.other_rate and link.ratio.low > 1
    hit6 = (
        db.session.execute(
            db.select(QuestionnaireResponse)
            .filter_by(client_id=sophie.id, code="hit6")
            .order_by(QuestionnaireResponse.submitted_at)
        )
        .scalars()
        .all()
    )
    assert [(r.total, r.band) for r in (hit6[0], hit6[-1])] == [(66, "severe impact"), (53, "some impact")]
    ibs = (
        db.session.execute(
            db.select(QuestionnaireResponse.total)
            .filter_by(client_id=sophie.id, code="ibs_sss")
            .order_by(QuestionnaireResponse.submitted_at)
        )
        .scalars()
        .all()
    )
    assert ibs[0] - ibs[-1] >= 50  # a meaningful improvement
    (check_in,) = custom.library(maya.id)
    intake = db.session.get(BookingRules, maya.id).intake_codes
    assert intake == ["phq9", "id_migraine", check_in.code]
    assert all(responses.can_send(code) for code in intake)  # no licensed questionnaire without its words
