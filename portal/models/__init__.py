"""Every model, imported here so Alembic and the app see the whole schema."""
from portal.models.accounts import Role, User

__all__ = ["Role", "User"]
