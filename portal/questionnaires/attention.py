"""What needs the practitioner's attention across her clients: new answers since each client's last
session, PHQ-9 item 9, a worse band, a meaningful improvement, and medication overuse from the diary.
A fixed number of queries, however many clients and responses there are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from portal.extensions import db
from portal.models import Booking, BookingStatus, QuestionnaireResponse, ResponseStatus, User
from portal.numbers import format_number
from portal.questionnaires import custom
from portal.questionnaires.diary import MONTH_DAYS, overuse
from portal.questionnaires.diary_entries import days_by_client_since
from portal.questionnaires.scoring import BANDS_BY_CODE, IBS_SSS_MEANINGFUL_DROP

LOOK_BACK_DAYS = 180


@dataclass(frozen=True)
class Flag:
    client_id: int
    client_name: str
    kind: str  # alert, worse, better, overuse, new
    message: str


def _band_rank(code: str, band: str) -> int | None:
    names = [name for _, name in BANDS_BY_CODE.get(code, [])]
    return names.index(band) if band in names else None


def score_flags(client: User, code: str, title: str, items: list[QuestionnaireResponse]) -> list[Flag]:
    latest = items[-1]
    flags = []
    if "self_harm_thoughts" in latest.flags:
        flags.append(Flag(client.id, client.name, "alert", f"{title}: item 9 answered above 0"))
    if len(items) < 2:
        return flags
    previous = items[-2]
    old, new = previous.total, latest.total
    if code == "ibs_sss" and old is not None and new is not None and old - new >= IBS_SSS_MEANINGFUL_DROP:
        drop, before, after = (format_number(v) for v in (old - new, old, new))
        flags.append(Flag(client.id, client.name, "better", f"{title} down {drop} points ({before} → {after})"))
        return flags
    rank_before, rank_now = _band_rank(code, previous.band), _band_rank(code, latest.band)
    if rank_before is not None and rank_now is not None and rank_now != rank_before:
        kind = "worse" if rank_now > rank_before else "better"
        flags.append(Flag(client.id, client.name, kind, f"{title} {previous.band} → {latest.band}"))
    return flags


def needs_attention(now: datetime, scope=None) -> list[Flag]:
    """The flags for the clients `scope(client_id_column)` allows in SQL (every client when None)."""
    since = now - timedelta(days=LOOK_BACK_DAYS)
    scoped = scope or (lambda column: db.true())
    submitted = db.session.execute(
        db.select(QuestionnaireResponse, User)
        .join(User, User.id == QuestionnaireResponse.client_id)
        .filter(
            QuestionnaireResponse.status == ResponseStatus.SUBMITTED,
            QuestionnaireResponse.submitted_at >= since,
            scoped(QuestionnaireResponse.client_id),
        )
        .order_by(QuestionnaireResponse.submitted_at)
    ).all()
    last_session: dict[int, datetime] = {
        client_id: last
        for client_id, last in db.session.execute(
            db.select(Booking.client_id, db.func.max(Booking.starts_at))
            .filter(
                Booking.starts_at <= now,
                Booking.status.in_([BookingStatus.CONFIRMED, BookingStatus.COMPLETED]),
                scoped(Booking.client_id),
            )
            .group_by(Booking.client_id)
        )
    }
    grouped: dict[tuple[int, str], list[QuestionnaireResponse]] = {}
    clients: dict[int, User] = {}
    for response, client in submitted:
        grouped.setdefault((client.id, response.code), []).append(response)
        clients[client.id] = client
    flags: list[Flag] = []
    new_since: dict[int, list[str]] = {}
    instruments = custom.catalogue()
    for (client_id, code), items in grouped.items():
        title = instruments[code].title if code in instruments else "A questionnaire"
        flags += score_flags(clients[client_id], code, title, items)
        cutoff = last_session.get(client_id)
        if any(cutoff is None or r.submission_time > cutoff for r in items):
            new_since.setdefault(client_id, []).append(title)
    for client_id, titles in new_since.items():
        flags.append(
            Flag(
                client_id,
                clients[client_id].name,
                "new",
                f"New answers since the last session: {', '.join(sorted(titles))}",
            )
        )
    flags += _overuse_flags(now, scope)
    order = {"alert": 0, "overuse": 1, "worse": 2, "better": 3, "new": 4}
    return sorted(flags, key=lambda f: (order[f.kind], f.client_name))


def _overuse_flags(now: datetime, scope=None) -> list[Flag]:
    """Clients whose last 30 diary days show medication overuse (ICHD-3 8.2, as on her diary page): two queries,
    no diary notes read. A diary too sparse to rule overuse out raises no flag: her pages say so."""
    by_client = days_by_client_since((now - timedelta(days=MONTH_DAYS + 1)).date(), scope)
    if not by_client:
        return []
    clients = db.session.execute(db.select(User).filter(User.id.in_(by_client))).scalars()
    flags = []
    for client in clients:
        today: date = now.astimezone(ZoneInfo(client.timezone)).date()
        found = overuse(by_client[client.id], today)
        if found.overuse:
            flags.append(
                Flag(
                    client.id,
                    client.name,
                    "overuse",
                    f"Medication overuse: pain medication on {found.any_medication_days} of the last "
                    f"{MONTH_DAYS} days ({found.recorded_days} filled in)",
                )
            )
    return flags
