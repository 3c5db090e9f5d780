"""The schema comes only from Alembic: the migrations must build exactly what the models describe."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from portal.extensions import db


@pytest.fixture
def app(owner_app):
    """Migrations alter tables, so they run as the tables' owner (as `flask db upgrade` does in production)."""
    return owner_app


def schema_differences() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(context, db.metadata)


def test_migrations_produce_exactly_the_models_schema(app):
    assert schema_differences() == []


def test_migrations_go_down_to_nothing_and_back_up(app):
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert schema_differences() == []
