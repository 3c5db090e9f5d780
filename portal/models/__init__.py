"""Every model, imported here so Alembic and the app see the whole schema."""

from portal.models.accounts import CLINICAL_ROLES, STAFF_ROLES, CareTeam, Invitation, Role, User, UserSession
from portal.models.booking import (
    BLOCKING_STATUSES,
    Booking,
    BookingEvent,
    BookingRules,
    BookingStatus,
    SentNotification,
    Service,
    TimeOff,
    WorkingHours,
)
from portal.models.payments import Payment, PaymentMethod, PaymentStatus, Refund, RefundStatus, StripeEvent
from portal.models.questionnaires import (
    Assignment,
    CustomQuestionnaire,
    CustomQuestionnaireVersion,
    DiaryEntry,
    QuestionnaireResponse,
    SentMessage,
)
from portal.models.handouts import (
    HandoutSettings,
    ItemCategory,
    PaperSize,
    Protocol,
    ProtocolItem,
    ProtocolLine,
    PublishedHandout,
    StoredFile,
)
from portal.models.records import AuditEvent, ClientProfile, ProfileChange
from portal.models.notes import Note, NoteAmendment, NoteStatus, NoteTemplate
from portal.models.outbox import OutboxMessage, OutboxStatus

__all__ = [
    "BLOCKING_STATUSES",
    "CLINICAL_ROLES",
    "STAFF_ROLES",
    "CareTeam",
    "Invitation",
    "Assignment",
    "Booking",
    "BookingEvent",
    "BookingRules",
    "BookingStatus",
    "DiaryEntry",
    "Payment",
    "PaymentMethod",
    "PaymentStatus",
    "Refund",
    "RefundStatus",
    "QuestionnaireResponse",
    "Role",
    "SentMessage",
    "SentNotification",
    "Service",
    "StripeEvent",
    "TimeOff",
    "User",
    "UserSession",
    "WorkingHours",
    "CustomQuestionnaire",
    "CustomQuestionnaireVersion",
    "AuditEvent",
    "ClientProfile",
    "ProfileChange",
    "Note",
    "NoteAmendment",
    "NoteStatus",
    "NoteTemplate",
    "OutboxMessage",
    "OutboxStatus",
    "HandoutSettings",
    "ItemCategory",
    "PaperSize",
    "Protocol",
    "ProtocolItem",
    "ProtocolLine",
    "PublishedHandout",
    "StoredFile",
]
