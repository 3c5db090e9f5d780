"""Every model, imported here so Alembic and the app see the whole schema."""
from portal.models.accounts import Role, User
from portal.models.booking import (
    BLOCKING_STATUSES, Booking, BookingEvent, BookingRules, BookingStatus, SentNotification, Service, TimeOff,
    WorkingHours,
)

__all__ = [
    "BLOCKING_STATUSES", "Booking", "BookingEvent", "BookingRules", "BookingStatus", "Role", "SentNotification",
    "Service", "TimeOff", "User", "WorkingHours",
]
