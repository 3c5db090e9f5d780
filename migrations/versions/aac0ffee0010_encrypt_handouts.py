"""handouts: protocols, protocol lines and stored PDFs encrypted at rest; the audit trail refuses TRUNCATE

A protocol's summary, focus points and next steps, the text of its lines (title, dose, timing, duration,
instructions, why it helps) and the stored handout PDFs become Fernet tokens (portal.crypto.EncryptedText and
EncryptedBytes) with the app's ENCRYPTION_KEYS, existing rows included; the lines' short fields become Text to
hold the longer tokens. Downgrade decrypts them back. The library (protocol_items) is her own text and stays
plain; a handout row's checksum and size stay those of the plain PDF.

On PostgreSQL the audit table also refuses TRUNCATE (a statement trigger: TRUNCATE fires no row trigger), so
only its owner, by disabling the trigger, can empty it.

Revision ID: aac0ffee0010
Revises: a8c0ffee0008
Create Date: 2026-11-26 09:00:00

"""

from alembic import op
import sqlalchemy as sa

from portal.crypto import decrypt_bytes, decrypt_text, encrypt_bytes, encrypt_text


# revision identifiers, used by Alembic.
revision = "aac0ffee0010"
down_revision = "a8c0ffee0008"
branch_labels = None
depends_on = None

PROTOCOL_TEXT = ("summary", "focus_points", "next_steps")
LINE_SHORT = ("title", "dose", "timing", "duration")  # were String(120)
LINE_TEXT = (*LINE_SHORT, "instructions", "rationale")
FILE_BATCH = 20  # PDFs of a few hundred KB each


def upgrade():
    with op.batch_alter_table("protocol_lines", schema=None) as batch_op:
        for name in LINE_SHORT:
            batch_op.alter_column(name, existing_type=sa.String(length=120), type_=sa.Text(), existing_nullable=False)
    _rewrite("protocols", PROTOCOL_TEXT, encrypt_text)
    _rewrite("protocol_lines", LINE_TEXT, encrypt_text)
    _rewrite_files(encrypt_bytes)
    if op.get_bind().dialect.name == "postgresql":
        # audit_events_refuse_change() comes from a6c0ffee0061 and raises for any change.
        op.execute(
            "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
    _rewrite_files(decrypt_bytes)
    _rewrite("protocol_lines", LINE_TEXT, decrypt_text)
    _rewrite("protocols", PROTOCOL_TEXT, decrypt_text)
    with op.batch_alter_table("protocol_lines", schema=None) as batch_op:
        for name in LINE_SHORT:
            batch_op.alter_column(name, existing_type=sa.Text(), type_=sa.String(length=120), existing_nullable=False)


def _rewrite(table_name, column_names, convert):
    """Encrypt (upgrade) or decrypt (downgrade) every stored value of these text columns, in batches."""
    table = sa.table(table_name, sa.column("id", sa.Integer()), *[sa.column(name, sa.Text()) for name in column_names])
    bind = op.get_bind()
    last_id = 0
    while True:
        rows = bind.execute(sa.select(table).where(table.c.id > last_id).order_by(table.c.id).limit(500)).all()
        if not rows:
            return
        for row in rows:
            values = {name: convert(row._mapping[name] or "") for name in column_names}
            bind.execute(table.update().where(table.c.id == row.id).values(values))
        last_id = rows[-1].id


def _rewrite_files(convert):
    """Encrypt or decrypt the bytes of every stored file (all are handout PDFs), a few at a time."""
    table = sa.table("stored_files", sa.column("key", sa.String()), sa.column("content", sa.LargeBinary()))
    bind = op.get_bind()
    last_key = None
    while True:
        query = sa.select(table.c.key, table.c.content).order_by(table.c.key).limit(FILE_BATCH)
        if last_key is not None:
            query = query.where(table.c.key > last_key)
        rows = bind.execute(query).all()
        if not rows:
            return
        for key, content in rows:
            bind.execute(table.update().where(table.c.key == key).values(content=convert(bytes(content))))
        last_key = rows[-1][0]
