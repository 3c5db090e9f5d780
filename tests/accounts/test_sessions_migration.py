"""Migration a9c0ffee0009: accounts that exist before it are confirmed; its downgrade gives back session tokens."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from portal.extensions import db
from portal.models import User
from tests.conftest import log_in


@pytest.fixture
def app(owner_app):
    """Migrations alter tables, so they run as the tables' owner (as `flask db upgrade` does in production)."""
    return owner_app


def test_existing_accounts_are_confirmed_and_the_downgrade_restores_session_tokens(app, client_user, practitioner):
    log_in(app.test_client(), client_user.email)
    db.session.remove()
    try:
        downgrade(revision="aac0ffee0010")  # the revision before a9c0ffee0009
        tokens = db.session.execute(text("SELECT session_token FROM users")).scalars().all()
        assert len(tokens) == 2 and all(tokens) and len(set(tokens)) == 2
        db.session.remove()
    finally:
        upgrade()
    accounts = db.session.execute(db.select(User)).scalars().all()
    assert len(accounts) == 2 and all(user.email_verified_at == user.created_at for user in accounts)
    assert db.session.execute(text("SELECT count(*) FROM user_sessions")).scalar_one() == 0
