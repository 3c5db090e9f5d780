"""Hostile input for every route, for every role: the machinery of tests/core/test_fuzz_routes.py and
bench/fuzz_routes.py.

- The routes come from the app's url_map (every rule but static, GET and POST), so a new page is fuzzed
  without anyone listing it. The roles are the visitor plus every member of the Role enum.
- A world of real records (a practice, a client with bookings, payments, a diary, questionnaires, notes,
  a handout) gives each path argument real ids, so requests reach the views' code, not only their 404s.
- Each role first opens every GET page with real ids. The forms on those pages give every POST route its
  field names and a valid filling (with the session's real CSRF token), and the query parameters each view
  reads are recorded as it runs.
- Each request is then the valid one with one or more slots (a path argument, a query parameter or a form
  field) given a hostile value: NUL and control characters, huge and negative integers, dates in year 1 or
  9999, NaN, sNaN, Infinity and huge exponents, non-ASCII digits, bytes that are not UTF-8, 100,000
  characters, CR/LF. Every slot meets every hostile value of its kind once (Hypothesis's explicit examples);
  Hypothesis then generates further combinations, and shrinks any that fail.

Any response of 500 or more, or an exception out of the app, is a failure, reported with the route, the
role and the exact request.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import logging
import re
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from html.parser import HTMLParser
from urllib.parse import quote, quote_from_bytes, urlsplit
from zoneinfo import ZoneInfo

from flask import Flask, current_app, request
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from PIL import Image
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from portal.accounts.tokens import make_reset_token, make_welcome_token
from portal.booking import bookings, feeds, lifecycle
from portal.cases import notes, templates
from portal.cases.examples import seed_demo_note
from portal.challenges import challenges
from portal.consent import documents as consent_documents
from portal.consent.examples import seed_demo_documents
from portal.db_types import utcnow
from portal.extensions import db
from portal.handouts import examples as handout_examples
from portal.handouts import handouts, protocols
from portal.messages import conversations
from portal.messages.attachments import clean_upload
from portal.models import (
    Assignment,
    Booking,
    Challenge,
    LocationKind,
    PackageInstalment,
    MessageAttachment,
    PaymentMethod,
    QuestionnaireResponse,
    Role,
    TriggerTag,
    User,
)
from portal.packages.examples import seed_demo_package
from portal.journal import meals, photos, tags
from portal.payments import ledger, refunds
from portal.practice import settings as practice_settings
from portal.questionnaires import custom, responses
from portal.questionnaires.examples import seed_demo_progress
from portal.records.examples import seed_demo_profile
from tests import factories

ROLES: list[Role | None] = [None, *Role]  # None is the visitor, who is not logged in
PASSWORD = "quiet-morning-walk"
TIMEZONE = "Europe/London"
METHODS = ("GET", "POST")

# Hostile values by the kind of input they are aimed at. Bytes are sent as they are (percent-encoded raw
# bytes that are not UTF-8); strings are sent as UTF-8.
Value = str | bytes
INTEGERS: list[Value] = [
    "2147483648",
    "9223372036854775808",
    "18446744073709551616",
    "1" + "0" * 30,
    "-1",
    "-9223372036854775809",
    "٣",
    "²",
    "2147483647",
    "9223372036854775807",
    "0",
]
NUMBERS: list[Value] = ["NaN", "sNaN", "-Infinity", "1E+999999999", "1e-999999999", "٣.٥", "1_000"]
DATES: list[Value] = [
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2026-02-30",
    "٢٠٢٦-٠١-٠١",
    "0001-01-01T00:00Z",
    "9999-12-31T23:59Z",
    "0001-01-01T00:00:00+23:59",
    "9999-12-31T23:59:59-23:59",
]
TIMES: list[Value] = ["24:00", "23:59:60", "٠٩:٠٠", "\x00"]
TEXTS: list[Value] = [
    "\x00",
    "Maya\x00Lennox",
    "Maya\r\nBcc: someone@example.com",
    "\x1b[2J\x07",
    "\u2028",
    "\x85",
    b"\xff\xfe",
    b"caf\xc3",
    "x" * 100_000,
    "\ufffd",
    "\u2003\u3000",
]
CHOICES: list[Value] = ["\x00", "18446744073709551616", "٣", b"\xff", "x" * 100_000]
# A hidden field or a query parameter may hold any of them; the most telling of each kind.
MIXED: list[Value] = [
    "\x00",
    "Maya\r\nBcc: someone@example.com",
    b"\xff\xfe",
    "x" * 100_000,
    "2147483648",
    "18446744073709551616",
    "٣",
    "²",
    "NaN",
    "sNaN",
    "1E+999999999",
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00Z",
    "9999-12-31T23:59Z",
]
KINDS: dict[str, list[Value]] = {
    "integer": INTEGERS,
    "number": INTEGERS + NUMBERS,
    "date": DATES,
    "time": TIMES,
    "text": TEXTS,
    "email": TEXTS,
    "choice": CHOICES,
    "hidden": list(dict.fromkeys(MIXED + INTEGERS + DATES)),
    "query": MIXED,
}
ALL_VALUES: list[Value] = list(dict.fromkeys(itertools.chain(*KINDS.values())))


def hostile_values() -> st.SearchStrategy[Value]:
    """Hostile values for generated examples: the named ones, and others built around them."""
    plain = st.sampled_from(["Maya", "42", "2026-03-31", "10:00", "7.5", "phq9", ""])
    poison = st.sampled_from(["\x00", "\r\n", "\x1b", "\u2029", "\x7f", "٣", "E+999999"])
    return st.one_of(
        st.sampled_from(ALL_VALUES),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.dates().map(date.isoformat),
        st.tuples(plain, poison, plain).map("".join),
        st.text(st.characters(codec="utf-8", categories=["Cc", "Nd", "No", "Zl", "Zp", "Lo", "Po"]), max_size=24),
        st.binary(min_size=1, max_size=6),
    )


# Routes and slots ------------------------------------------------------------------------------------------

_ARGUMENT = re.compile(r"<(?:([a-z]+)(?:\(([^)]*)\))?:)?(\w+)>")


@dataclass(frozen=True)
class Route:
    rule: Rule
    method: str

    @property
    def name(self) -> str:
        return f"{self.method} {self.rule.rule}"

    def arguments(self) -> list[tuple[str, str, list[str]]]:
        """(name, converter, values it accepts for `any`) for each path argument, in order."""
        return [
            (m[3], m[1] or "default", [v.strip() for v in m[2].split(",")] if m[1] == "any" else [])
            for m in _ARGUMENT.finditer(self.rule.rule)
        ]

    def path(self, values: dict[str, Value]) -> str:
        return _ARGUMENT.sub(lambda m: _quote(values[m[3]]), self.rule.rule)


def routes_of(app: Flask) -> list[Route]:
    """Every rule of the app but static files, once per method; GET before POST, so pages are read before
    anything is changed."""
    rules = sorted((r for r in app.url_map.iter_rules() if r.endpoint != "static"), key=lambda r: r.rule)
    return [Route(rule, method) for method in METHODS for rule in rules if method in (rule.methods or ())]


Slot = tuple[str, str]  # ("path" | "query" | "form", name)


def _quote(value: Value) -> str:
    return quote_from_bytes(value, safe="") if isinstance(value, bytes) else quote(value, safe="")


# The world: real records for every path argument ----------------------------------------------------------------


@dataclass
class World:
    people: dict[Role, User]
    ids: dict[str, list[str]] = field(default_factory=dict)  # path argument name -> real values, most useful first

    def add(self, name: str, *values: object) -> None:
        for value in values:
            if value is not None and str(value) not in self.ids.setdefault(name, []):
                self.ids[name].append(str(value))


def build_world(make_user: Callable[..., User], secret_key: str) -> World:
    """One user per role (with `make_user`, the suite's factory) and a practice full of records."""
    people = {
        role: make_user(
            role,
            email=f"{role.value}@example.com",
            name=f"Fuzz {role.value.title()}",
            password=PASSWORD,
            timezone=TIMEZONE,
        )
        for role in Role
    }
    maya, clara = people[Role.PRACTITIONER], people[Role.CLIENT]
    world = World(people)
    discovery = practice_settings.save_service(
        None,
        maya,
        name="Discovery call",
        description="Free.",
        duration_minutes=15,
        price_minor=0,
        currency="GBP",
        active=True,
    )
    follow_up = practice_settings.save_service(  # by video, so her session's page has the video-link form
        None,
        maya,
        name="Follow-up",
        description="",
        duration_minutes=45,
        price_minor=8500,
        currency="GBP",
        active=True,
        location_kind=LocationKind.VIDEO,
        video_url="https://meet.jit.si/fuzz-follow-up",
    )
    for weekday in range(7):
        practice_settings.add_working_range(maya, weekday, time(9), time(17))
    rules = bookings.rules_for(maya.id)
    practice_settings.save_practice_address(rules, "1 Fuzz Lane\nBristol")
    today = utcnow().astimezone(ZoneInfo(TIMEZONE)).date()
    practice_settings.add_time_off(maya, today + timedelta(days=40), today + timedelta(days=41), "Away")
    feeds.renew_feed_token(rules)
    db.session.commit()
    now = utcnow()
    free = bookings.load_availability(maya.id, now).free(timedelta(minutes=45), now)
    upcoming = lifecycle.book(clara, follow_up, free[len(free) // 2], needs_payment=False)
    paid = ledger.record_manual_payment(upcoming, 8500, PaymentMethod.CASH, "Cash at the door", maya)
    refunds.refund_payment(paid, 1000, "Came late", maya)
    seed_demo_progress(maya, clara, today)
    handout_examples.seed_demo_handout(maya, clara, discovery, handout_examples.seed_examples(maya))
    seed_demo_note(maya, clara)
    seed_demo_profile(clara)
    seed_demo_documents(maya, clara)  # signed; the house rules below wait for her, so the signing form shows
    house_rules = consent_documents.create_document("other", "House rules", maya)
    consent_documents.save_draft(house_rules, house_rules.title, "Please arrive on time.\n\nThank you.")
    consent_documents.publish(house_rules, maya, consent_documents.draft_fingerprint(house_rules))
    templates.ensure_shipped(maya)
    draft = notes.start_note(clara, maya, templates.templates_of(maya.id)[1], title="Between sessions")
    mine = custom.create_questionnaire(maya, "Fuzz check-in", "This week.", sum_score=True)
    for kind in ("number", "date", "short_text", "multiple"):
        custom.add_item(mine, text=f"A {kind} question", kind=kind, options_text="Yes = 1\nNo = 0")
    custom.publish(mine)
    # A practice that has loaded licensed wording (made-up words), so IBS-SSS's question kinds are fuzzed too.
    current_app.config["LICENSED_CONTENT"] = factories.placeholder_wording()
    for code in ("phq9", "ibs_sss", custom.code_of(mine.id)):
        responses.draft_for(responses.assign(clara, code, None, today, maya))

    photo = io.BytesIO()
    Image.new("RGB", (8, 8)).save(photo, "PNG")
    message = conversations.send_message(
        clara, clara, "Is this a flare?", [clean_upload("photo.png", photo.getvalue())]
    )
    reply = conversations.add_saved_reply(maya, "Timing", "Take it with food.")
    package = seed_demo_package(maya, clara, follow_up, ledger.package_paid_by_hand(PaymentMethod.CASH, "", maya))

    dairy = db.session.execute(db.select(TriggerTag).filter_by(code="dairy")).scalar_one()
    running = challenges.start_challenge(  # running: her home card and diary question; its page, the stop form
        clara,
        maya,
        tag_id=dairy.id,
        protocol_line_id=None,
        title="",
        eliminate_days=21,
        reintroduce_days=3,
        watch_days=4,
        starts_on=today,
        today=today,
    )
    ended = Challenge(  # over: its page has the conclusion form
        client_id=clara.id,
        practitioner_id=maya.id,
        tag_id=dairy.id,
        title="dairy",
        eliminate_days=7,
        reintroduce_days=1,
        watch_days=1,
        starts_on=today - timedelta(days=20),
        status="active",
        conclusion="",
    )
    db.session.add(ended)
    db.session.commit()
    meal_photo, own_tag = _journal_world(clara, maya, photo.getvalue(), today)

    sessions = db.session.execute(db.select(Booking).order_by(Booking.starts_at)).scalars().all()
    world.add("booking_id", upcoming.id, *(b.id for b in sessions))
    world.add("service_id", follow_up.id, discovery.id)
    world.add("client_id", clara.id, maya.id)
    world.add("payment_id", paid.id)
    world.add(
        "response_id", *db.session.execute(db.select(QuestionnaireResponse.id).filter_by(status="draft")).scalars()
    )
    world.add("assignment_id", *db.session.execute(db.select(Assignment.id)).scalars())
    world.add("step", 1, 2, 4)
    world.add("note_id", draft.id, *(n.id for n, _ in notes.client_notes(clara.id, maya.id)))
    world.add("template_id", *(t.id for t in templates.templates_of(maya.id)))
    world.add("item_id", *(i.id for i in protocols.library(maya.id)))
    world.add("questionnaire_id", mine.id)
    world.add("key", *(item["key"] for item in mine.draft_items))
    world.add("hours_id", *(h.id for h in practice_settings.working_hours_of(maya)))
    world.add("time_off_id", *(o.id for o in practice_settings.time_off_of(maya, today)))
    world.add("handout_id", *(h.id for h in handouts.published_handouts(clara.id)))
    world.add("document_id", house_rules.id, *(v.document_id for v in consent_documents.current_versions()))
    world.add("signature_id", *(s.id for s in consent_documents.signatures_of(clara.id)))
    world.add(
        "attachment_id", *db.session.execute(db.select(MessageAttachment.id).filter_by(message_id=message.id)).scalars()
    )
    world.add("reply_id", reply.id)
    world.add("version_id", package.version.id)
    world.add("code_id", package.code.id)
    world.add("purchase_id", package.purchase.id)
    world.add("instalment_id", *(i for i in db.session.scalars(db.select(PackageInstalment.id))))
    world.add(
        "token",
        rules.calendar_feed_token,
        make_reset_token(secret_key, clara.id, clara.password_hash),
        make_welcome_token(secret_key, clara.id, clara.password_hash),
    )
    world.add("challenge_id", running.id, ended.id)
    world.add("photo_id", meal_photo)
    world.add("tag_id", own_tag, *db.session.execute(db.select(TriggerTag.id).filter_by(code="dairy")).scalars())
    world.add("token", rules.calendar_feed_token, make_reset_token(secret_key, clara.id, clara.password_hash))
    return world


def _journal_world(clara, maya, png: bytes, today: date) -> tuple[int, int]:
    """A diary day of Clara's with a meal and its photo, and one of Maya's own trigger tags: their ids."""
    own = tags.add_tag("Red wine", "food", maya)
    journal = meals.DayJournal(
        meals=(meals.MealInput(None, "lunch", "Soup", frozenset({"gluten"}), photos.clean_photo(png)),)
    )
    none = dict(intensity=None, headache_minutes=None, bloating=None, abdominal_pain=None)
    entry = meals.save_day(
        clara, today, today, journal, headache="none", medication=set(), stool_types=[], note="", **none
    )
    saved = meals.saved_day(entry)
    return saved.photo_ids[saved.meals[0].id], own.id


# Discovering forms and the query parameters views read -----------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # a key of KINDS
    values: list[str]  # a valid filling
    options: list[str] = field(default_factory=list)  # every value offered (options, radio buttons, buttons)


@dataclass
class Form:
    action: str  # path it posts to
    multipart: bool
    fields: dict[str, Field] = field(default_factory=dict)


class _FormParser(HTMLParser):
    """The forms of a page: each field's name, the kind of value it takes and a valid value for it."""

    def __init__(self, page_path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path, self.forms, self.form = page_path, [], None
        self._select: Field | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = urlsplit(a.get("action") or self.page_path)
            self.form = (
                Form(action.path or urlsplit(self.page_path).path, a.get("enctype") == "multipart/form-data")
                if a.get("method") == "post"
                else None
            )
            if self.form:
                self.forms.append(self.form)
            return
        if tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))
            self._select.options.append(a.get("value", ""))
            return
        if self.form is None or not a.get("name"):
            return
        name, kind = a["name"], a.get("type", "text")
        if tag == "input":
            if kind in ("checkbox", "radio"):
                known = self.form.fields.setdefault(name, Field(name, "choice", []))
                known.options.append(a.get("value", "on"))
                if "checked" in a:
                    known.values = [*known.values, a.get("value", "on")] if kind == "checkbox" else [a.get("value", "")]
                elif kind == "radio" and not known.values:
                    known.values = [a.get("value", "")]
            elif kind != "file":
                self.form.fields[name] = Field(name, _input_kind(kind, a), [a.get("value") or _filling(kind, a)])
        elif tag == "select":
            self._select = self.form.fields[name] = Field(name, "choice", [])
            self._options = []
        elif tag == "textarea":
            self._textarea = self.form.fields[name] = Field(name, "text", [""])
        elif tag == "button" and "disabled" not in a:
            self.form.fields.setdefault(name, Field(name, "choice", [a.get("value", "")])).options.append(
                a.get("value", "")
            )

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.values = [self._textarea.values[0] + data]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._options if selected]
            self._select.values = chosen or [value for value, _ in self._options[:1]]
            self._select = None
        elif tag == "textarea":
            if self._textarea is not None and not self._textarea.values[0].strip():
                self._textarea.values = ["Fuzz text"]
            self._textarea = None


def _input_kind(kind: str, attrs: dict[str, str]) -> str:
    if kind in ("number", "date", "time", "hidden", "email"):
        return {"number": "integer"}.get(kind, kind)
    if attrs.get("inputmode") in ("numeric", "decimal"):
        return "number"
    return "text"


_counter = itertools.count(1)
_FILLED_EMAIL = re.compile(r"fuzz[0-9]+@example\.com")


def _fresh_email() -> str:
    """A new address for each request, so a sign-up is never refused as taken before the hostile field counts."""
    return f"fuzz{next(_counter)}@example.com"


def _filling(kind: str, attrs: dict[str, str]) -> str:
    """A valid value for an empty field, so the rest of the form never hides a hostile one."""
    if kind == "email":
        return _fresh_email()
    if kind == "password":
        return PASSWORD
    if kind == "number":
        return attrs.get("min") or "1"
    if attrs.get("inputmode") in ("numeric", "decimal"):
        return "12.50"
    return {
        "date": (date.today() - timedelta(days=1)).isoformat(),
        "time": "10:00",
        "tel": "07700 900123",
        "color": "#2d6a64",
        "hidden": "",
    }.get(kind, "Fuzz")


class _RecordingArgs(ImmutableMultiDict):
    """Query parameters that remember which names the view asked for."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        object.__setattr__(self, "asked", set())

    def get(self, key, default=None, type=None):  # noqa: A002 - werkzeug's signature
        self.asked.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # noqa: A002
        self.asked.add(key)
        return super().getlist(key, type)

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key) -> bool:
        self.asked.add(key)
        return super().__contains__(key)


def record_query_reads(app: Flask) -> dict[str, set[str]]:
    """Instrument `app` so each endpoint's query parameter reads are recorded: endpoint -> names."""
    reads: dict[str, set[str]] = {}
    app.request_class = type("RecordingRequest", (app.request_class,), {"parameter_storage_class": _RecordingArgs})

    @app.teardown_request
    def _note_reads(error):
        args = request.args
        if request.endpoint and isinstance(args, _RecordingArgs):
            reads.setdefault(request.endpoint, set()).update(args.asked)

    return reads


# Requests ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attack:
    """Hostile values for some slots of a request; every other slot keeps its valid value."""

    values: tuple[tuple[Slot, Value], ...]
    multipart: bool | None = None  # None: as the form is sent

    def __repr__(self) -> str:
        shown = ", ".join(f"{kind} {name}={_short(value)}" for (kind, name), value in self.values)
        return f"Attack({shown or 'none: the valid request'}{', multipart' if self.multipart else ''})"


def _short(value: Value) -> str:
    return repr(value) if len(value) <= 60 else f"{value[:20]!r}…({len(value):,} long)"


@dataclass
class Target:
    route: Route
    path_values: dict[str, Value]
    form: Form | None
    query_names: list[str]

    def slots(self) -> list[tuple[Slot, str]]:
        """(slot, kind) for every input; of a list of numbered fields (lines-0-title, lines-1-title, ...)
        only the first, as they are read by the same code."""
        found = [
            (("path", name), "integer" if conv == "int" else "choice" if conv == "any" else "text")
            for name, conv, _ in self.route.arguments()
        ]
        found += [(("query", name), "query") for name in self.query_names]
        seen = set()
        for f in self.form.fields.values() if self.form else ():
            pattern = re.sub(r"-\d+(?=-|$)", "-N", f.name)
            if not f.name.endswith("csrf_token") and pattern not in seen:  # CSRF is checked in one place
                seen.add(pattern)
                found.append((("form", f.name), f.kind))
        return found


@dataclass
class Failure:
    route: str
    role: str
    attack: Attack
    status: int | str
    url: str
    detail: str

    def __str__(self) -> str:
        return (
            f"{self.route} as {self.role}: {self.status} for {self.attack!r}\n  request: {self.url[:300]}\n"
            f"{self.detail}"
        )


class ServerError(AssertionError):
    """A 5xx (or an exception out of the app) for one request."""


@dataclass
class Report:
    requests: int = 0
    failures: list[Failure] = field(default_factory=list)
    targets: int = 0
    statuses: Counter = field(default_factory=Counter)  # status code (or exception) -> requests


class _Tracebacks(logging.Handler):
    """Keeps the tracebacks the error handler logs, to show with a failure."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.last: str = ""

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.last = where(record.exc_info[1])


def where(error: BaseException) -> str:
    """The portal's own frames of a traceback, and the error: enough to find the bug."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "/portal/" in f.filename]
    lines = [f"  {f.filename.split('/portal/', 1)[1]}:{f.lineno} in {f.name}: {f.line}" for f in frames[-4:]]
    return "\n".join(lines + [f"  {type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''}"])


def _urlencoded(pairs: Iterable[tuple[str, Value]]) -> bytes:
    return "&".join(f"{_quote(k)}={_quote(v)}" for k, v in pairs).encode("ascii")


def _multipart(pairs: Iterable[tuple[str, Value]], boundary: str = "fuzzBoundary7MA4YWxk") -> tuple[bytes, str]:
    body = b"".join(
        b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        % (boundary.encode(), name.encode(), value if isinstance(value, bytes) else value.encode())
        for name, value in pairs
    )
    return body + b"--%s--\r\n" % boundary.encode(), f"multipart/form-data; boundary={boundary}"


class Fuzzer:
    """Fuzzes every route as one role, on one app whose database holds `world`."""

    def __init__(
        self, app: Flask, client: FlaskClient, role: Role | None, world: World, query_reads: dict[str, set[str]]
    ) -> None:
        self.app, self.client, self.role = app, client, role
        # The reset link is the visitor's: used by someone logged in, setting a password would end her session.
        self.world = world if role is None else World(world.people, {**world.ids, "token": world.ids["token"][:1]})
        self.role_name = role.value if role else "visitor"
        self.query_reads = query_reads
        self.cookie_name = app.config["SESSION_COOKIE_NAME"]
        self.cookie: str | None = None
        self.forms: dict[str, list[Form]] = {}  # endpoint -> forms posting to it
        self.csrf_token = ""
        self.report = Report()
        self.tracebacks = _Tracebacks()

    def _open(self, url: str, method: str = "GET", **options):
        """A request in an app context of its own, as a server runs it (the caller's `g` would otherwise keep
        the logged-in user from one request to the next)."""
        with self.app.app_context():
            return self.client.open(url, method=method, **options)

    # Set-up: log in, read every page ---------------------------------------------------------------------------

    def log_in(self) -> None:
        page = self._open("/account/login").get_data(as_text=True)
        if self.role is not None:
            token = _token_in(page)
            response = self._open(
                "/account/login",
                method="POST",
                data={"email": self.world.people[self.role].email, "password": PASSWORD, "csrf_token": token},
            )
            assert response.status_code == 302, f"could not log in as {self.role_name}"

    def crawl(self, routes: list[Route]) -> None:
        """GET every page with real ids: its forms (by the endpoint they post to) and the session's CSRF token."""
        adapter = self.app.url_map.bind("portal.test")
        for route in routes:
            if route.method != "GET":
                continue
            for values in self._real_path_values(route, limit=3):
                url = route.path(values)
                response = self._open(url)
                if response.mimetype != "text/html" or response.status_code != 200:
                    continue
                parser = _FormParser(url)
                parser.feed(response.get_data(as_text=True))
                for form in parser.forms:
                    try:
                        endpoint, _ = adapter.match(form.action, method="POST")
                    except HTTPException:
                        continue
                    self.forms.setdefault(endpoint, []).append(form)
                    self.csrf_token = form.fields.get("csrf_token", Field("", "", [self.csrf_token])).values[0]
        self.cookie = self._current_cookie()

    def _current_cookie(self) -> str | None:
        cookie = self.client.get_cookie(self.cookie_name)
        return cookie.value if cookie else None

    def _real_path_values(self, route: Route, limit: int) -> Iterator[dict[str, Value]]:
        choices = []
        for name, _converter, accepted in route.arguments():
            choices.append([(name, v) for v in (accepted or self.world.ids.get(name) or ["1"])[:limit]])
        for combination in itertools.islice(itertools.product(*choices), limit):
            yield dict(combination)

    def targets(self, routes: list[Route]) -> list[Target]:
        found = []
        adapter = self.app.url_map.bind("portal.test")
        for route in routes:
            query = sorted(self.query_reads.get(route.rule.endpoint, ()))
            forms = self.forms.get(route.rule.endpoint, []) if route.method == "POST" else []
            chosen = []
            for form in forms:  # one per distinct action of this rule (other ids, other prefixes)
                if all(f.fields.keys() != form.fields.keys() for f in chosen):
                    chosen.append(form)
            if not chosen:
                found.append(Target(route, next(self._real_path_values(route, 1)), None, query))
            for form in chosen:
                _, args = adapter.match(form.action, method="POST")
                found.append(Target(route, {k: str(v) for k, v in args.items()}, form, query))
        return found

    # Sending ------------------------------------------------------------------------------------------------

    def send(self, target: Target, attack: Attack) -> None:
        """One request: the valid one with `attack` applied. ServerError on a 5xx or an exception."""
        path_values = dict(target.path_values)
        query: list[tuple[str, Value]] = []
        form = (
            {
                name: [_fresh_email() if f.kind == "email" and _FILLED_EMAIL.fullmatch(v) else v for v in f.values]
                for name, f in target.form.fields.items()
            }
            if target.form
            else {}
        )
        if target.route.method == "POST" and "csrf_token" not in form:
            form["csrf_token"] = [self.csrf_token]
        for (kind, name), value in attack.values:
            if kind == "path":
                path_values[name] = value
            elif kind == "query":
                query.append((name, value))
            else:
                form[name] = [value]
        url = target.route.path(path_values) + ("?" + _urlencoded(query).decode() if query else "")
        pairs = [(name, v) for name, values in form.items() for v in values]
        multipart = attack.multipart if attack.multipart is not None else bool(target.form and target.form.multipart)
        options: dict = {}
        if target.route.method == "POST":
            body, content_type = (
                _multipart(pairs) if multipart else (_urlencoded(pairs), "application/x-www-form-urlencoded")
            )
            options = {"data": body, "content_type": content_type}
        if self.cookie:
            self.client.set_cookie(self.cookie_name, self.cookie)
        else:
            self.client.delete_cookie(self.cookie_name)
        self.report.requests += 1
        self.tracebacks.last = ""
        try:
            response = self._open(url, method=target.route.method, **options)
            status: int | str = response.status_code
            response.close()
        except Exception as error:  # noqa: BLE001 - an exception out of the app is a failure like a 500
            status = f"exception {type(error).__name__}"
            self.tracebacks.last = where(error)
        self.report.statuses[status] += 1
        if isinstance(status, str) or status >= 500:
            failure = Failure(
                target.route.name, self.role_name, attack, status, url, self.tracebacks.last or "(no traceback logged)"
            )
            self.report.failures.append(failure)
            raise ServerError(str(failure))

    # Fuzzing -------------------------------------------------------------------------------------------------

    def fuzz(self, routes: list[Route], generated_examples: int, *, stop_at: int | None = None) -> Report:
        """Every target: each slot with each hostile value of its kind, then `generated_examples` generated
        attacks. Failures are collected (one per target), not raised."""
        logger = logging.getLogger("portal.errors")
        logger.addHandler(self.tracebacks)
        try:
            for target in self.targets(routes):
                self.report.targets += 1
                self._fuzz_target(target, generated_examples)
                self._check_still_logged_in(target)
                if stop_at is not None and len(self.report.failures) >= stop_at:
                    break
        finally:
            logger.removeHandler(self.tracebacks)
        return self.report

    @staticmethod
    def _mutated_values(target: Target, slots: list[tuple[Slot, str]]) -> Iterator[tuple[Slot, Value]]:
        """Valid values with their digits swapped for hostile ones: 'move:0:down' becomes 'move:²:down'."""
        for slot, _kind in slots:
            offered = target.form.fields[slot[1]].options if slot[0] == "form" and target.form else []
            mutated = {
                re.sub(r"[0-9]+", digits, value)
                for value in offered
                if re.search(r"[0-9]", value)
                for digits in ("²", "٣", "18446744073709551616")
            }
            yield from ((slot, value) for value in sorted(mutated))

    def _check_still_logged_in(self, target: Target) -> None:
        """The requests are only the role's while her session lasts: one that ended it would leave the rest
        of the run fuzzing as a visitor."""
        if self.role is None:
            return
        self.client.set_cookie(self.cookie_name, self.cookie or "")
        if self._open("/").status_code == 302:  # the front page sends someone logged in to her home
            return
        if target.route.rule.endpoint in ENDS_THE_SESSION:  # ended on the server as it should be: log in afresh
            self.client.delete_cookie(self.cookie_name)
            self.log_in()
            self.cookie = self._current_cookie()
            self.csrf_token = _token_in(self._open("/account/").get_data(as_text=True))
            return
        raise RuntimeError(f"{target.route.name} ended the {self.role_name}'s session; the fuzz can't go on")

    def _fuzz_target(self, target: Target, generated_examples: int) -> None:
        slots = target.slots()
        explicit = [Attack(())]
        if target.route.method == "GET":
            explicit.append(Attack(((("query", "fuzz"), "\x00"),)))
        explicit += [Attack(((slot, value),)) for slot, kind in slots for value in KINDS[kind]]
        explicit += [Attack(((slot, value),)) for slot, value in self._mutated_values(target, slots)]
        if target.form and not target.form.multipart:
            explicit.append(Attack(((slots[-1][0], "\x00"),), multipart=True) if slots else Attack((), True))

        every_slot = [slot for slot, _ in slots] + [("form", "csrf_token")] * (target.route.method == "POST")
        attacks = st.builds(
            Attack,
            st.lists(
                st.tuples(st.sampled_from(every_slot), hostile_values()),
                min_size=1,
                max_size=3,
                unique_by=lambda pair: pair[0],
            ).map(tuple)
            if every_slot
            else st.just(()),
            st.sampled_from([None, True]) if target.route.method == "POST" else st.none(),
        )

        def request_with(attack: Attack) -> None:
            self.send(target, attack)

        test = given(attack=attacks)(request_with)
        for attack in explicit:
            test = example(attack=attack)(test)
        test = settings(fuzz_settings(generated_examples))(test)
        with contextlib.suppress(ServerError):  # recorded in the report, with Hypothesis's smallest failing attack last
            test()


def fuzz_settings(generated_examples: int) -> settings:
    """Deterministic: the same requests on every run and machine, nothing written to an example database."""
    return settings(
        max_examples=max(1, generated_examples),
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink] if generated_examples else [Phase.explicit],
        report_multiple_bugs=False,
        print_blob=False,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.filter_too_much,
        ],
    )


# Routes whose whole point is to end the session (server-side, so a kept cookie no longer works).
ENDS_THE_SESSION = frozenset({"accounts.logout", "accounts.logout_everywhere"})


def _token_in(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)
