"""Demo data for `flask seed-demo`: the owner (a practitioner), a second practitioner, an assistant, a few clients,
each practitioner's services, hours and a booking, the practice's consent and policy documents, and for Sophie a
diary, scores, a profile, a note, a handout and her signed documents. Sophie is on the owner's care team, Amelia
on the second practitioner's."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from portal.accounts import users
from portal.booking import bookings, lifecycle
from portal.booking.bookings import BookingError
from portal.cases.examples import seed_demo_note
from portal.challenges.examples import seed_demo_challenge
from portal.consent.examples import seed_demo_documents
from portal.db_types import utcnow
from portal.extensions import db
from portal.handouts import examples
from portal.messages.examples import seed_demo_messages
from portal.packages.examples import seed_demo_package
from portal.payments import ledger
from portal.models import LocationKind, Package, PaymentMethod, Role, Service, User, WorkingHours
from portal.practice import settings
from portal.practice.team import join_care_team
from portal.journal.examples import seed_demo_journal
from portal.questionnaires.examples import seed_demo_progress
from portal.records.examples import seed_demo_profile

DEMO_PASSWORD = "calm-gut-clear-head"
DEMO_PRACTITIONER = ("Dr Maya Lennox", "practitioner@example.com")
DEMO_COLLEAGUE = ("Dr Jonah Reyes", "jonah@example.com")
DEMO_ASSISTANT = ("Rosa Field", "desk@example.com")
DEMO_CLIENTS = [
    ("Sophie Turner", "sophie@example.com", "Europe/London"),
    ("Amelia Hart", "amelia@example.com", "America/New_York"),
    ("Priya Raman", "priya@example.com", "Asia/Kolkata"),
]
# Name, description, minutes, price, and where it happens: the discovery call by phone, the first consultation in
# person at the practice address, follow-ups by video in her own (Jitsi-style) room.
DEMO_SERVICES = [
    (
        "Discovery call",
        "A free 15-minute call to talk about your migraines or digestion and whether working together suits you.",
        15,
        0,
        LocationKind.PHONE,
    ),
    (
        "Initial consultation",
        "A full look at your history, diet, symptoms and the gut-brain link, with your first protocol.",
        75,
        15000,
        LocationKind.IN_PERSON,
    ),
    ("Follow-up", "We review your diary and questionnaires and adjust your protocol.", 45, 8500, LocationKind.VIDEO),
]
DEMO_ADDRESS = "The Garden Rooms\n14 Orchard Lane\nBristol BS8 1QA"
DEMO_VIDEO_ROOMS = {
    DEMO_PRACTITIONER[1]: "https://meet.jit.si/LennoxPractice-FollowUp",
    DEMO_COLLEAGUE[1]: "https://meet.jit.si/ReyesPractice-FollowUp",
}
# Monday to Thursday 09:00-12:30 and 13:30-17:00, Friday mornings.
DEMO_HOURS = [(day, time(9), time(12, 30)) for day in range(4)] + [(day, time(13, 30), time(17)) for day in range(4)]
DEMO_HOURS += [(4, time(9), time(13))]


def seed_demo(practice_timezone: str, currency: str) -> list[tuple[Role, str, str]]:
    """Add whatever of the demo data is missing; returns (role, e-mail, name) of the demo people."""
    people = [
        (Role.PRACTITIONER, *DEMO_PRACTITIONER, practice_timezone),
        (Role.PRACTITIONER, *DEMO_COLLEAGUE, practice_timezone),
        (Role.ASSISTANT, *DEMO_ASSISTANT, practice_timezone),
    ] + [(Role.CLIENT, *c) for c in DEMO_CLIENTS]
    for role, name, email, timezone in people:
        if users.find_user_by_email(email) is None:
            users.create_user(role=role, name=name, email=email, password=DEMO_PASSWORD, timezone=timezone)
    practitioner = _demo_user(DEMO_PRACTITIONER[1])
    _seed_practice(practitioner, practice_timezone, currency, DEMO_CLIENTS[0][1], 1)
    _seed_practice(_demo_user(DEMO_COLLEAGUE[1]), practice_timezone, currency, DEMO_CLIENTS[1][1], 2)
    sophie = _demo_user(DEMO_CLIENTS[0][1])
    seed_demo_progress(practitioner, sophie, utcnow().astimezone(ZoneInfo(sophie.timezone)).date())
    _seed_handouts(practitioner)
    seed_demo_note(practitioner, sophie)
    seed_demo_profile(sophie)
    seed_demo_documents(practitioner, sophie)
    seed_demo_messages(practitioner, sophie)
    _seed_packages(practitioner, sophie)
    seed_demo_challenge(practitioner, sophie)
    priya = _demo_user(DEMO_CLIENTS[2][1])  # her journal shows the trigger finder at work
    seed_demo_journal(priya, utcnow().astimezone(ZoneInfo(priya.timezone)).date())
    join_care_team(practitioner.id, priya.id)  # so her practitioner, not only the owner, sees her journal
    db.session.commit()
    return [(Role(_demo_user(email).role), email, name) for _, name, email, _ in people]


def _demo_user(email: str) -> User:
    """A demo account, which seed_demo has created if it was missing."""
    user = users.find_user_by_email(email)
    if user is None:
        raise LookupError(f"no demo account {email}")
    return user


def _seed_practice(
    practitioner: User, practice_timezone: str, currency: str, client_email: str, service_index: int
) -> None:
    if db.session.execute(db.select(Service).filter_by(practitioner_id=practitioner.id)).first() is not None:
        return  # she has set up her practice already; leave it as it is
    for name, description, minutes, price, where in DEMO_SERVICES:
        settings.save_service(
            None,
            practitioner,
            name=name,
            description=description,
            duration_minutes=minutes,
            price_minor=price,
            currency=currency,
            active=True,
            location_kind=where,
            video_url=DEMO_VIDEO_ROOMS[practitioner.email] if where == LocationKind.VIDEO else "",
        )
    settings.save_practice_address(bookings.rules_for(practitioner.id), DEMO_ADDRESS)
    if db.session.execute(db.select(WorkingHours).filter_by(practitioner_id=practitioner.id)).first() is None:
        for weekday, opens, closes in DEMO_HOURS:
            settings.add_working_range(practitioner, weekday, opens, closes)
    db.session.commit()
    # The client has a session booked at the first free time a few days from now: her first booking puts her
    # on the practitioner's care team.
    sophie = _demo_user(client_email)
    initial = settings.services_of(practitioner)[service_index]
    now = utcnow()
    availability = bookings.load_availability(practitioner.id, now)
    for start in availability.free(timedelta(minutes=initial.duration_minutes), now + timedelta(days=3)):
        try:
            lifecycle.book(sophie, initial, start, needs_payment=False, now=now)
        except BookingError:
            continue
        break


def _seed_packages(practitioner: User, client: User) -> None:
    """Her 3-month gut reset and a welcome code, bought by the client (once: left alone when she has packages)."""
    if db.session.execute(db.select(Package).filter_by(practitioner_id=practitioner.id)).first() is not None:
        return
    follow_up = next(s for s in settings.services_of(practitioner) if s.name.startswith("Follow-up"))
    seed_demo_package(
        practitioner, client, follow_up, ledger.package_paid_by_hand(PaymentMethod.BANK_TRANSFER, "", practitioner)
    )


def _seed_handouts(practitioner: User) -> None:
    """Example protocol items in her library, and a published handout for Sophie."""
    items = examples.seed_examples(practitioner)
    if items:
        discovery = settings.services_of(practitioner)[0]
        examples.seed_demo_handout(practitioner, _demo_user(DEMO_CLIENTS[0][1]), discovery, items)
