"""Demo data for `flask seed-demo`: a dairy challenge for the main demo client, ended two and a half weeks ago,
with her daily answers and the practitioner's conclusion. Without dairy her bloating eased; it came back when
dairy did."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from portal.challenges.phases import Phase, phase_span
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import Challenge, ChallengeDay, ChallengeStatus, DiaryEntry, TriggerTag, User

STARTED_DAYS_AGO = 45  # 21 days without, 3 back in, 4 watching: it ended 18 days ago
ELIMINATION_BLOATING = 3  # her bloating on the bad days without dairy: milder
SLIP_DAY = 9  # she had some dairy on the 10th day without it
UNANSWERED = (14, 15)  # two days she did not answer the question
CONCLUSION = (
    "Without dairy your bloating eased: no day of marked bloating in three weeks. It came back within two days "
    "of bringing dairy back. Keep milk and soft cheese out for now; at our next session we will try small "
    "amounts of hard cheese and yoghurt, which many people tolerate better."
)


def seed_demo_challenge(practitioner: User, client: User) -> None:
    """Her ended dairy challenge, unless she has a challenge already (her diary must be seeded first)."""
    if db.session.execute(db.select(Challenge.id).filter_by(client_id=client.id).limit(1)).first() is not None:
        return
    dairy = db.session.execute(db.select(TriggerTag).filter_by(code="dairy")).scalar_one_or_none()
    if dairy is None:
        return
    today = utcnow().astimezone(ZoneInfo(client.timezone)).date()
    challenge = Challenge(
        client_id=client.id,
        practitioner_id=practitioner.id,
        tag_id=dairy.id,
        title="dairy",
        eliminate_days=21,
        reintroduce_days=3,
        watch_days=4,
        starts_on=today - timedelta(days=STARTED_DAYS_AGO),
        status=ChallengeStatus.ENDED.value,
        conclusion=CONCLUSION,
        ended_at=utcnow() - timedelta(days=16),
    )
    db.session.add(challenge)
    db.session.flush()
    first, last = phase_span(challenge, Phase.ELIMINATE)
    _milder_bloating(client.id, first, last)
    for n in range(21 + 3 + 4):
        if n in UNANSWERED:
            continue
        day = challenge.starts_on + timedelta(days=n)
        ate = n == SLIP_DAY or 21 <= n < 24
        db.session.add(ChallengeDay(challenge_id=challenge.id, client_id=client.id, day=day, ate=ate))
    db.session.commit()


def _milder_bloating(client_id: int, first: date, last: date) -> None:
    """Her diary's bloating without dairy, eased (the demo diary's pattern otherwise bloats every fifth day)."""
    for entry in db.session.execute(
        db.select(DiaryEntry).filter(DiaryEntry.client_id == client_id, DiaryEntry.day.between(first, last))
    ).scalars():
        if entry.bloating is not None and entry.bloating > ELIMINATION_BLOATING:
            entry.bloating = ELIMINATION_BLOATING
