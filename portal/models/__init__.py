"""Every model, imported here so Alembic and the app see the whole schema."""
from portal.models.accounts import Role, User
from portal.models.booking import (
    BLOCKING_STATUSES, Booking, BookingEvent, BookingRules, BookingStatus, SentNotification, Service, TimeOff,
    WorkingHours,
)
from portal.models.payments import Payment, PaymentMethod, PaymentStatus, Refund, RefundStatus, StripeEvent
from portal.models.questionnaires import Assignment, DiaryEntry, Response, SentMessage
from portal.models.handouts import (
    HandoutSettings, ItemCategory, PaperSize, Protocol, ProtocolItem, ProtocolLine, PublishedHandout, StoredFile,
)
from portal.models.records import AuditEvent, ClientProfile, ProfileChange

__all__ = [
    "BLOCKING_STATUSES", "Assignment", "Booking", "BookingEvent", "BookingRules", "BookingStatus", "DiaryEntry",
    "Payment", "PaymentMethod", "PaymentStatus", "Refund", "RefundStatus", "Response", "Role", "SentMessage",
    "SentNotification", "Service", "StripeEvent", "TimeOff", "User", "WorkingHours",
    "AuditEvent", "ClientProfile", "ProfileChange",
    "HandoutSettings", "ItemCategory", "PaperSize", "Protocol", "ProtocolItem", "ProtocolLine", "PublishedHandout",
    "StoredFile",
]
