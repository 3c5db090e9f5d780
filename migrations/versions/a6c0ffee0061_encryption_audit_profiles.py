"""cases: encrypted health text, audit trail, client profiles

Revision ID: a6c0ffee0061
Revises: a5c0ffee0005
Create Date: 2026-11-25 08:45:00

Also encrypts the diary notes already stored (and decrypts them again on downgrade) with the app's
ENCRYPTION_KEYS, and makes the audit table refuse changes: on PostgreSQL a row trigger refuses UPDATE and
DELETE (TRUNCATE, which the test suite uses to empty tables, fires no row trigger); SQLite refuses UPDATE.
"""
from alembic import op
import sqlalchemy as sa

from portal.crypto import decrypt_text, encrypt_text


# revision identifiers, used by Alembic.
revision = 'a6c0ffee0061'
down_revision = 'a5c0ffee0005'
branch_labels = None
depends_on = None

AUDIT_REFUSAL = "audit_events rows are never changed or deleted"


def upgrade():
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('what', sa.String(length=40), nullable=False),
    sa.Column('what_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("action in ('view', 'create', 'change', 'sign', 'amend', 'export', 'download', 'erase')",
                       name=op.f('ck_audit_events_action_valid')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_client_id'), ['client_id'], unique=False)

    op.create_table('client_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('conditions', sa.Text(), nullable=False),
    sa.Column('medication', sa.Text(), nullable=False),
    sa.Column('supplements', sa.Text(), nullable=False),
    sa.Column('allergies', sa.Text(), nullable=False),
    sa.Column('goals', sa.Text(), nullable=False),
    sa.Column('gp_name', sa.Text(), nullable=False),
    sa.Column('gp_practice', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], name=op.f('fk_client_profiles_client_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_profiles')),
    sa.UniqueConstraint('client_id', name=op.f('uq_client_profiles_client_id'))
    )
    op.create_table('profile_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('fields', sa.String(length=300), nullable=False),
    sa.Column('changes', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_profile_changes_actor_id_users')),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], name=op.f('fk_profile_changes_client_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_profile_changes'))
    )
    with op.batch_alter_table('profile_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_profile_changes_client_id'), ['client_id'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"""
            CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{AUDIT_REFUSAL}';
            END;
            $$""")
        op.execute("CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
                   "FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()")
    else:
        op.execute("CREATE TRIGGER audit_events_append_only BEFORE UPDATE ON audit_events "
                   f"BEGIN SELECT RAISE(ABORT, '{AUDIT_REFUSAL}'); END")

    _rewrite_diary_notes(encrypt_text)


def downgrade():
    _rewrite_diary_notes(decrypt_text)

    op.execute("DROP TRIGGER IF EXISTS audit_events_append_only" +
               (" ON audit_events" if op.get_bind().dialect.name == 'postgresql' else ""))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP FUNCTION IF EXISTS audit_events_refuse_change()")

    with op.batch_alter_table('profile_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_profile_changes_client_id'))

    op.drop_table('profile_changes')
    op.drop_table('client_profiles')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_client_id'))

    op.drop_table('audit_events')


def _rewrite_diary_notes(convert):
    """Encrypt (upgrade) or decrypt (downgrade) every stored diary note, in batches."""
    diary = sa.table('diary_entries', sa.column('id', sa.Integer()), sa.column('note', sa.Text()))
    bind = op.get_bind()
    last_id = 0
    while True:
        rows = bind.execute(sa.select(diary.c.id, diary.c.note).where(diary.c.id > last_id)
                            .order_by(diary.c.id).limit(500)).all()
        if not rows:
            return
        for row_id, note in rows:
            bind.execute(diary.update().where(diary.c.id == row_id).values(note=convert(note or "")))
        last_id = rows[-1][0]
