"""What needs the practitioner's attention across her clients: new answers since each client's last
session, PHQ-9 item 9, a worse band, a meaningful improvement, and medication overuse from the diary.

Computing it means reading every client's recent answers and diary, which grows with the practice, so the
result is kept per client in `attention_summaries` and the dashboard only reads those rows:
- Any commit that changes a client's diary, submitted answers or sessions (or makes a new client, or changes
  her time zone) recomputes her row in the same transaction: the session hooks at the end of this module see
  every such write, whichever function made it, so no caller can forget.
- Time alone changes some flags (her midnight moves the 30-day overuse window, a session starting ends "new
  answers since the last session", an answer older than the look-back drops out); each row keeps the moment
  that happens next (`fresh_until`) and `flask jobs run` recomputes the rows that have reached it. A page that
  finds a few such rows recomputes them itself.
`needs_attention` is the fresh computation the rows must always agree with (tests compare them).
Each computation is a fixed number of queries for any number of clients, and decrypts nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import has_app_context
from sqlalchemy import ColumnElement, event
from sqlalchemy.orm import Session

from portal.db_types import utcnow
from portal.extensions import db
from portal.models import (
    AttentionSummary,
    Booking,
    BookingStatus,
    CustomQuestionnaireVersion,
    DiaryEntry,
    QuestionnaireResponse,
    ResponseStatus,
    Role,
    User,
)
from portal.numbers import format_number
from portal.questionnaires import custom
from portal.questionnaires.diary import MONTH_DAYS, Day, overuse
from portal.questionnaires.diary_entries import days_by_client_since
from portal.questionnaires.scoring import BANDS_BY_CODE, IBS_SSS_MEANINGFUL_DROP

LOOK_BACK_DAYS = 180
KINDS = ("alert", "overuse", "worse", "better", "new")  # most urgent first
RANK = {kind: n for n, kind in enumerate(KINDS)}
NO_FLAG_RANK = 99
BATCH = 200  # clients recomputed per query round by the worker
PAGE_REFRESH_LIMIT = 25  # stale rows a page recomputes itself; more are left to the worker

Scope = Callable[[Any], ColumnElement[bool]]


@dataclass(frozen=True)
class Flag:
    client_id: int
    client_name: str
    kind: str  # alert, worse, better, overuse, new
    message: str


@dataclass(frozen=True)
class ScoreRow:
    """The stored score of a submitted response: all the flags need (its answers stay encrypted)."""

    code: str
    total: float | None
    band: str
    flags: list
    submitted_at: datetime


def _band_rank(code: str, band: str) -> int | None:
    names = [name for _, name in BANDS_BY_CODE.get(code, [])]
    return names.index(band) if band in names else None


def score_flags(client: User, code: str, title: str, items: list[Any]) -> list[Flag]:
    """Flags from a client's responses to one instrument, oldest first (anything with total, band, flags)."""
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


def _ordered(flags: Iterable[Flag]) -> list[Flag]:
    return sorted(flags, key=lambda f: (RANK[f.kind], f.client_name))


# The fresh computation ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Computed:
    clients: dict[int, User]  # every client the computation covered
    flags: dict[int, list[Flag]]  # by client, most urgent first; clients without flags are absent
    fresh_until: dict[int, datetime]  # by client: when time alone may change her flags


def compute(now: datetime, scope: Scope) -> Computed:
    """Every flag of the clients `scope(client_id_column)` allows, and when each client's may next change by
    itself. Five queries, however many clients; no answers are decrypted."""
    since = now - timedelta(days=LOOK_BACK_DAYS)
    clients = {
        c.id: c for c in db.session.execute(db.select(User).filter(User.role == Role.CLIENT, scope(User.id))).scalars()
    }
    submitted = db.session.execute(
        db.select(
            QuestionnaireResponse.client_id,
            QuestionnaireResponse.code,
            QuestionnaireResponse.total,
            QuestionnaireResponse.band,
            QuestionnaireResponse.flags,
            QuestionnaireResponse.submitted_at,
        )
        .filter(
            QuestionnaireResponse.status == ResponseStatus.SUBMITTED,
            QuestionnaireResponse.submitted_at >= since,
            scope(QuestionnaireResponse.client_id),
        )
        .order_by(QuestionnaireResponse.submitted_at, QuestionnaireResponse.id)
    ).all()
    held = Booking.status.in_([BookingStatus.CONFIRMED, BookingStatus.COMPLETED])
    last_session: dict[int, datetime] = {
        client_id: moment
        for client_id, moment in db.session.execute(
            db.select(Booking.client_id, db.func.max(Booking.starts_at))
            .filter(Booking.starts_at <= now, held, scope(Booking.client_id))
            .group_by(Booking.client_id)
        )
    }
    next_session: dict[int, datetime] = {
        client_id: moment
        for client_id, moment in db.session.execute(
            db.select(Booking.client_id, db.func.min(Booking.starts_at))
            .filter(Booking.starts_at > now, held, scope(Booking.client_id))
            .group_by(Booking.client_id)
        )
    }
    grouped: dict[tuple[int, str], list[ScoreRow]] = {}
    oldest: dict[int, datetime] = {}  # her oldest answer inside the look-back: it leaves it first
    for client_id, code, total, band, flags, submitted_at in submitted:
        if client_id in clients:
            grouped.setdefault((client_id, code), []).append(ScoreRow(code, total, band, flags or [], submitted_at))
            oldest.setdefault(client_id, submitted_at)
    found: dict[int, list[Flag]] = {}
    new_since: dict[int, list[str]] = {}
    instruments = custom.catalogue()
    for (client_id, code), items in grouped.items():
        title = instruments[code].title if code in instruments else "A questionnaire"
        found.setdefault(client_id, []).extend(score_flags(clients[client_id], code, title, items))
        cutoff = last_session.get(client_id)
        if any(cutoff is None or r.submitted_at > cutoff for r in items):
            new_since.setdefault(client_id, []).append(title)
    for client_id, titles in new_since.items():
        message = f"New answers since the last session: {', '.join(sorted(titles))}"
        found.setdefault(client_id, []).append(Flag(client_id, clients[client_id].name, "new", message))
    diaries = days_by_client_since((now - timedelta(days=MONTH_DAYS + 1)).date(), scope)
    for client_id, days in diaries.items():
        if client_id in clients:
            found.setdefault(client_id, []).extend(_overuse_flags(clients[client_id], days, now))
    fresh_until = {}
    for client_id, client in clients.items():
        moments = (
            [_next_midnight(client, now)] if _medication_in_window(diaries.get(client_id, []), client, now) else []
        )
        moments += [oldest[client_id] + timedelta(days=LOOK_BACK_DAYS)] if client_id in oldest else []
        moments += [next_session[client_id]] if client_id in next_session else []
        fresh_until[client_id] = min(moments, default=now + timedelta(days=LOOK_BACK_DAYS))
    return Computed(clients, {cid: _ordered(flags) for cid, flags in found.items() if flags}, fresh_until)


def needs_attention(now: datetime, scope: Scope | None = None) -> list[Flag]:
    """Every flag of the clients `scope(client_id_column)` allows in SQL (every client when None), computed
    afresh: most urgent first, then by name."""
    computed = compute(now, scope or (lambda column: db.true()))
    return _ordered(flag for flags in computed.flags.values() for flag in flags)


def _local_today(client: User, now: datetime) -> date:
    return now.astimezone(ZoneInfo(client.timezone)).date()


def _next_midnight(client: User, now: datetime) -> datetime:
    zone = ZoneInfo(client.timezone)
    return datetime.combine(_local_today(client, now) + timedelta(days=1), time(0), zone)


def _medication_in_window(days: list[Day], client: User, now: datetime) -> bool:
    """Her overuse window moves at her midnight; that can change a flag only while a day in it had medication
    (without one, no overuse is found whatever the day)."""
    first = _local_today(client, now) - timedelta(days=MONTH_DAYS - 1)
    return any(d.medication and d.day >= first for d in days)


def _overuse_flags(client: User, days: list[Day], now: datetime) -> list[Flag]:
    """Medication overuse in her last 30 diary days (ICHD-3 8.2, as on her diary page). A diary too sparse to
    rule overuse out raises no flag: her pages say so."""
    found = overuse(days, _local_today(client, now))
    if not found.overuse:
        return []
    message = (
        f"Medication overuse: pain medication on {found.any_medication_days} of the last "
        f"{MONTH_DAYS} days ({found.recorded_days} filled in)"
    )
    return [Flag(client.id, client.name, "overuse", message)]


# The stored rows ---------------------------------------------------------------------------------------------


def refresh(client_ids: Collection[int], now: datetime, *, skip_locked: bool = False) -> int:
    """Recompute these clients' rows (in the caller's transaction). Their rows are locked first, so a
    computation waits for a concurrent change to the same client to commit and then sees it. Returns how many
    rows were written; ids that are not clients are ignored."""
    if not client_ids:
        return 0
    ids = sorted(set(client_ids))
    lock = db.select(AttentionSummary).filter(AttentionSummary.client_id.in_(ids)).order_by(AttentionSummary.client_id)
    rows = {row.client_id: row for row in db.session.execute(lock.with_for_update(skip_locked=skip_locked)).scalars()}
    if skip_locked:  # rows another transaction holds are being recomputed by it
        ids = [i for i in ids if i in rows]
    computed = compute(now, lambda column: column.in_(ids))
    for client_id in computed.clients:
        row = rows.get(client_id)
        if row is None:
            row = AttentionSummary(client_id=client_id)
            db.session.add(row)
        flags = computed.flags.get(client_id, [])
        row.flags = [{"kind": f.kind, "message": f.message} for f in flags]
        row.flag_count = len(flags)
        row.rank = min((RANK[f.kind] for f in flags), default=NO_FLAG_RANK)
        row.fresh_until = computed.fresh_until[client_id]
        row.computed_at = now
    return len(computed.clients)


def refresh_stale(now: datetime, limit: int = BATCH * 5, scope: Scope | None = None) -> int:
    """Recompute up to `limit` rows whose moment has come (oldest first), committing each batch; rows another
    transaction is recomputing are skipped. What `flask jobs run` does every minute."""
    done = 0
    while done < limit:
        query = db.select(AttentionSummary.client_id).filter(AttentionSummary.fresh_until <= now)
        if scope is not None:
            query = query.filter(scope(AttentionSummary.client_id))
        stale = list(
            db.session.execute(query.order_by(AttentionSummary.fresh_until).limit(min(BATCH, limit - done))).scalars()
        )
        if not stale:
            break
        written = refresh(stale, now, skip_locked=True)
        db.session.commit()
        done += len(stale)
        if not written:
            break
    return done


def refresh_all(now: datetime) -> int:
    """Recompute every client's row, in batches (after a bulk import, or to repair)."""
    ids = list(db.session.execute(db.select(User.id).filter(User.role == Role.CLIENT).order_by(User.id)).scalars())
    for first in range(0, len(ids), BATCH):
        refresh(ids[first : first + BATCH], now)
        db.session.commit()
    return len(ids)


@dataclass(frozen=True)
class ClientFlags:
    """One line of the list: a client and her flags, most urgent first."""

    client_id: int
    client_name: str
    flags: list[Flag]

    @property
    def kind(self) -> str:
        return self.flags[0].kind


@dataclass(frozen=True)
class Listing:
    clients: list[ClientFlags]
    total: int  # clients with flags in her scope
    pending: int  # rows that were due to be recomputed and were left to the worker


def listing(now: datetime, scope: Scope, *, limit: int, offset: int = 0) -> Listing:
    """The clients with flags that `scope` allows, most urgent first: stored rows, after recomputing (and
    committing) up to PAGE_REFRESH_LIMIT of them whose moment has come. A fixed number of queries; only the
    rows shown are decrypted."""
    due = db.session.execute(
        db.select(AttentionSummary.client_id)
        .filter(AttentionSummary.fresh_until <= now, scope(AttentionSummary.client_id))
        .order_by(AttentionSummary.fresh_until)
        .limit(PAGE_REFRESH_LIMIT + 1)
    ).scalars()
    due_ids = list(due)
    pending = 0
    if due_ids:
        refresh(due_ids[:PAGE_REFRESH_LIMIT], now, skip_locked=True)
        db.session.commit()
        if len(due_ids) > PAGE_REFRESH_LIMIT:
            pending = db.session.execute(
                db.select(db.func.count())
                .select_from(AttentionSummary)
                .filter(AttentionSummary.fresh_until <= now, scope(AttentionSummary.client_id))
            ).scalar_one()
    flagged = (AttentionSummary.flag_count > 0) & scope(AttentionSummary.client_id)
    total = db.session.execute(db.select(db.func.count()).select_from(AttentionSummary).filter(flagged)).scalar_one()
    rows = db.session.execute(
        db.select(AttentionSummary.client_id, AttentionSummary.flags, User.name)
        .join(User, User.id == AttentionSummary.client_id)
        .filter(flagged)
        .order_by(AttentionSummary.rank, User.name, User.id)
        .limit(limit)
        .offset(offset)
    ).all()
    clients = [
        ClientFlags(client_id, name, [Flag(client_id, name, f["kind"], f["message"]) for f in flags or []])
        for client_id, flags, name in rows
    ]
    return Listing(clients, total, pending)


# Keeping the rows up to date ---------------------------------------------------------------------------------

_CHANGED = "attention_changed_clients"
_CHANGED_CODES = "attention_changed_codes"


def _touches(obj: object) -> int | None:
    """The client whose flags this changed row may change, if any."""
    if isinstance(obj, (DiaryEntry, Booking)):
        return obj.client_id
    if isinstance(obj, QuestionnaireResponse) and obj.status == ResponseStatus.SUBMITTED:
        return obj.client_id  # drafts saved as she goes change nothing
    if isinstance(obj, User) and obj.role == Role.CLIENT:
        return obj.id  # a new client gets her row; a new time zone moves her midnight
    return None


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, flush_context: object) -> None:
    changed: set[int] = session.info.setdefault(_CHANGED, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, User) and obj not in session.new and not _timezone_changed(obj):
            continue
        client_id = _touches(obj)
        if client_id is not None:
            changed.add(client_id)
        if isinstance(obj, CustomQuestionnaireVersion) and obj in session.new:  # a new title for its answers
            session.info.setdefault(_CHANGED_CODES, set()).add(custom.code_of(obj.questionnaire_id))


def _timezone_changed(user: User) -> bool:
    return bool(db.inspect(user).attrs.timezone.history.has_changes())


@event.listens_for(Session, "before_commit")
def _refresh_changed(session: Session) -> None:
    if not has_app_context() or session is not db.session():
        return
    session.flush()  # what is still pending is noted too
    changed: set[int] = session.info.pop(_CHANGED, set())
    codes: set[str] = session.info.pop(_CHANGED_CODES, set())
    if codes:
        changed |= set(
            session.execute(
                db.select(QuestionnaireResponse.client_id).filter(QuestionnaireResponse.code.in_(codes)).distinct()
            ).scalars()
        )
    if changed:
        refresh(changed, utcnow())
        session.flush()
        session.info.pop(_CHANGED, None)  # the rows just written change no client's flags


@event.listens_for(Session, "after_rollback")
def _forget_changes(session: Session) -> None:
    session.info.pop(_CHANGED, None)
    session.info.pop(_CHANGED_CODES, None)
