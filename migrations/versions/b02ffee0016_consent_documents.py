"""consent: the practice's documents, their frozen published versions, and clients' signatures

Revision ID: b02ffee0016
Revises: afd0ffee0015
Create Date: 2026-12-03 07:49:59

A published version is frozen: a trigger refuses UPDATE on consent_versions on both databases (and DELETE on
PostgreSQL). A signature is never changed: a trigger refuses an UPDATE of any of its sealed columns (the
encrypted IP address and browser may be re-encrypted by `flask rotate-keys`); erasure may DELETE signatures.
SQLite gets no DELETE triggers, because the test suite empties its tables with DELETE (PostgreSQL's TRUNCATE
fires no row trigger). A later migration that alters these tables in SQLite batch mode (which copies the table)
must create the triggers again.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b02ffee0016"
down_revision = "afd0ffee0015"
branch_labels = None
depends_on = None

VERSION_REFUSAL = "consent_versions rows are frozen once published"
SIGNATURE_REFUSAL = "consent_signatures rows are never changed"
SEALED_SIGNATURE_COLUMNS = (
    "id",
    "client_id",
    "document_id",
    "version_id",
    "version_number",
    "title",
    "text",
    "text_sha256",
    "typed_name",
    "signed_at",
)


def upgrade():
    op.create_table(
        "consent_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind in ('consent', 'terms', 'privacy', 'other')", name=op.f("ck_consent_documents_kind_valid")
        ),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_consent_documents_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_documents")),
    )
    op.create_table(
        "consent_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("length(text_sha256) = 64", name=op.f("ck_consent_versions_hash_length")),
        sa.CheckConstraint("number >= 1", name=op.f("ck_consent_versions_number_positive")),
        sa.ForeignKeyConstraint(
            ["document_id"], ["consent_documents.id"], name=op.f("fk_consent_versions_document_id_consent_documents")
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"], ["users.id"], name=op.f("fk_consent_versions_published_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_versions")),
        sa.UniqueConstraint("document_id", "number", name="uq_consent_versions_document_number"),
    )
    op.create_table(
        "consent_signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("typed_name", sa.String(length=120), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ip_address", sa.Text(), nullable=False),
        sa.Column("user_agent", sa.Text(), nullable=False),
        sa.CheckConstraint("length(text_sha256) = 64", name=op.f("ck_consent_signatures_hash_length")),
        sa.CheckConstraint("length(typed_name) >= 1", name=op.f("ck_consent_signatures_typed_name_given")),
        sa.ForeignKeyConstraint(["client_id"], ["users.id"], name=op.f("fk_consent_signatures_client_id_users")),
        sa.ForeignKeyConstraint(
            ["document_id"], ["consent_documents.id"], name=op.f("fk_consent_signatures_document_id_consent_documents")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["consent_versions.id"], name=op.f("fk_consent_signatures_version_id_consent_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_signatures")),
        sa.UniqueConstraint("client_id", "version_id", name="uq_consent_signatures_client_version"),
    )
    with op.batch_alter_table("consent_signatures", schema=None) as batch_op:
        batch_op.create_index("ix_consent_signatures_client_signed", ["client_id", "signed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_consent_signatures_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consent_signatures_version_id"), ["version_id"], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION consent_versions_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{VERSION_REFUSAL}';
            END;
            $$""")
        op.execute(
            "CREATE TRIGGER consent_versions_frozen BEFORE UPDATE OR DELETE ON consent_versions "
            "FOR EACH ROW EXECUTE FUNCTION consent_versions_refuse_change()"
        )
        changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in SEALED_SIGNATURE_COLUMNS)
        op.execute(f"""
            CREATE FUNCTION consent_signatures_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF {changed} THEN
                    RAISE EXCEPTION '{SIGNATURE_REFUSAL}';
                END IF;
                RETURN NEW;
            END;
            $$""")
        op.execute(
            "CREATE TRIGGER consent_signatures_sealed BEFORE UPDATE ON consent_signatures "
            "FOR EACH ROW EXECUTE FUNCTION consent_signatures_refuse_change()"
        )
    else:
        op.execute(
            "CREATE TRIGGER consent_versions_frozen BEFORE UPDATE ON consent_versions "
            f"BEGIN SELECT RAISE(ABORT, '{VERSION_REFUSAL}'); END"
        )
        op.execute(
            f"CREATE TRIGGER consent_signatures_sealed BEFORE UPDATE OF {', '.join(SEALED_SIGNATURE_COLUMNS)} "
            f"ON consent_signatures BEGIN SELECT RAISE(ABORT, '{SIGNATURE_REFUSAL}'); END"
        )


def downgrade():
    suffix = {"versions": " ON consent_versions", "signatures": " ON consent_signatures"}
    postgres = op.get_bind().dialect.name == "postgresql"
    op.execute("DROP TRIGGER IF EXISTS consent_signatures_sealed" + (suffix["signatures"] if postgres else ""))
    op.execute("DROP TRIGGER IF EXISTS consent_versions_frozen" + (suffix["versions"] if postgres else ""))
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS consent_signatures_refuse_change()")
        op.execute("DROP FUNCTION IF EXISTS consent_versions_refuse_change()")
    with op.batch_alter_table("consent_signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_signatures_version_id"))
        batch_op.drop_index(batch_op.f("ix_consent_signatures_document_id"))
        batch_op.drop_index("ix_consent_signatures_client_signed")

    op.drop_table("consent_signatures")
    op.drop_table("consent_versions")
    op.drop_table("consent_documents")
