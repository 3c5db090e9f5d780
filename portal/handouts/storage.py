"""Where published PDFs are kept: a small interface, with the database as the default backend.

Keeping the bytes in the database lets several web hosts serve the same file, and lets the file and the
handout row that names it be written in one transaction: `put` only adds to the session; the caller commits.
"""

from __future__ import annotations

from typing import Protocol

from flask import current_app

from portal.extensions import db
from portal.models import StoredFile


class FileMissing(LookupError):
    """No stored file under that key."""


class Storage(Protocol):
    def put(self, key: str, content: bytes, *, content_type: str, client_id: int | None) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...


class DatabaseStorage:
    """Files as rows of `stored_files`, in the caller's transaction."""

    def put(self, key: str, content: bytes, *, content_type: str, client_id: int | None) -> None:
        db.session.add(StoredFile(key=key, content=content, content_type=content_type, client_id=client_id))

    def get(self, key: str) -> bytes:
        content = db.session.execute(db.select(StoredFile.content).filter_by(key=key)).scalar_one_or_none()
        if content is None:
            raise FileMissing(key)
        return content

    def delete(self, key: str) -> None:
        db.session.execute(db.delete(StoredFile).filter_by(key=key))


BACKENDS = {"database": DatabaseStorage}


def get_storage() -> Storage:
    """The backend named by HANDOUT_STORAGE (default: database)."""
    return BACKENDS[current_app.config.get("HANDOUT_STORAGE", "database")]()
