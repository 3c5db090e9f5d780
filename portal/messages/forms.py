"""Forms for writing a message, the practitioner's messaging settings and her saved replies."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import SelectField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import StringField, TextAreaField, no_replacement_characters, strip_whitespace
from portal.messages.attachments import MAX_FILE_BYTES, MAX_FILES
from portal.messages.conversations import MAX_BODY, MAX_NOTICE, MAX_REPLY_BODY, MAX_REPLY_TITLE


class MessageForm(FlaskForm):
    body = TextAreaField(
        "Your message",
        filters=[lambda value: value.replace("\r\n", "\n") if isinstance(value, str) else value],  # as maxlength counts
        validators=[
            Optional(),
            Length(max=MAX_BODY, message=f"Messages can be at most {MAX_BODY:,} characters."),
            no_replacement_characters,
        ],
        render_kw={"rows": 5, "maxlength": MAX_BODY, "data-max-length": MAX_BODY},
    )
    files = MultipleFileField(
        "Attach photos or PDFs (optional)",
        description=f"Up to {MAX_FILES} files: JPEG, PNG or PDF, at most {MAX_FILE_BYTES // 1024 // 1024} MB each.",
        render_kw={
            "accept": "image/*,application/pdf",
            "multiple": True,
            "data-max-bytes": MAX_FILE_BYTES,
            "data-max-files": MAX_FILES,
        },
    )
    # A practitioner's saved reply to insert into the text (no script needed: the page comes back with it added).
    saved_reply = SelectField("Saved reply", coerce=int, choices=[], validate_choice=False, default=0)


_NOTICE_CHECKS = [
    Optional(),
    Length(max=MAX_NOTICE, message=f"Use at most {MAX_NOTICE:,} characters."),
    no_replacement_characters,
]


class SettingsForm(FlaskForm):
    away_notice = TextAreaField(
        "Out-of-office notice",
        description="Shown to your clients above the message box while it is set, e.g. “I am away until "
        "Monday 9 March; messages will be answered then.” Leave empty when you are back.",
        validators=[
            Optional(),
            Length(max=MAX_NOTICE, message=f"Use at most {MAX_NOTICE:,} characters."),
            no_replacement_characters,
        ],
        render_kw={"rows": 3, "maxlength": MAX_NOTICE},
    )
    emergency_notice = TextAreaField(
        "Not for emergencies",
        description="Shown on every page of a conversation. Say how soon you answer and what to do in an emergency.",
        validators=[
            Optional(),
            Length(max=MAX_NOTICE, message=f"Use at most {MAX_NOTICE:,} characters."),
            no_replacement_characters,
        ],
        render_kw={"rows": 3, "maxlength": MAX_NOTICE},
    )


class SavedReplyForm(FlaskForm):
    title = StringField(
        "Name",
        filters=[strip_whitespace],
        description="For you to find it, e.g. “Magnesium timing”.",
        validators=[
            DataRequired("Give the reply a name."),
            Length(max=MAX_REPLY_TITLE, message=f"Use at most {MAX_REPLY_TITLE} characters."),
            no_replacement_characters,
        ],
        render_kw={"maxlength": MAX_REPLY_TITLE},
    )
    body = TextAreaField(
        "Text",
        validators=[
            DataRequired("Write the text of the reply."),
            Length(max=MAX_REPLY_BODY, message=f"Use at most {MAX_REPLY_BODY:,} characters."),
            no_replacement_characters,
        ],
        render_kw={"rows": 4, "maxlength": MAX_REPLY_BODY},
    )
