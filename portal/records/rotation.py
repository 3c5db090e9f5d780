"""Key rotation: re-encrypt every encrypted column in every table with the newest key.

Procedure: put the new key first in ENCRYPTION_KEYS (keeping the old ones after it), restart, run
`flask rotate-keys`, then remove the old keys. The columns are found from the schema, so tables added
later are rotated too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Column, LargeBinary, Table, Text, column, table as table_clause, tuple_, update
from sqlalchemy.types import TypeEngine

from portal.crypto import EncryptedBytes, EncryptedText, rotate_bytes, rotate_token
from portal.extensions import db

BATCH = 500
FILE_BATCH = 20  # rows holding files (handout PDFs of a few hundred KB): fewer at a time in memory


@dataclass(frozen=True)
class EncryptedColumns:
    table: Table
    columns: tuple[str, ...]


def encrypted_columns() -> list[EncryptedColumns]:
    """Every table with encrypted columns (text, JSON or bytes), and those columns' names."""
    found = []
    for table in db.metadata.sorted_tables:
        names = tuple(c.name for c in table.columns if isinstance(c.type, (EncryptedText, EncryptedBytes)))
        if names:
            found.append(EncryptedColumns(table, names))
    return found


def rotate_all() -> dict[str, int]:
    """Re-encrypt every stored token with the newest key, in one transaction; rows rewritten per table."""
    counts = {}
    for item in encrypted_columns():
        counts[item.table.name] = _rotate_table(item)
    db.session.commit()
    return counts


def _rotate_table(item: EncryptedColumns) -> int:
    keys: list[Column] = list(item.table.primary_key.columns)
    stored = {name: _stored_type(item.table.c[name].type) for name in item.columns}
    # A plain view of the table: the raw tokens, not the decrypted values.
    raw = table_clause(
        item.table.name,
        *[column(k.name, k.type) for k in keys],
        *[column(name, type_) for name, type_ in stored.items()],
    )
    key_cols = [raw.c[k.name] for k in keys]
    batch = FILE_BATCH if any(isinstance(t, LargeBinary) for t in stored.values()) else BATCH
    rewritten, last = 0, None
    while True:
        query = db.select(raw).order_by(*key_cols).limit(batch)
        if last is not None:
            query = query.where(_after(key_cols, last))
        rows = db.session.execute(query).all()
        if not rows:
            return rewritten
        for row in rows:
            values = {name: _rotated(row._mapping[name]) for name in item.columns if row._mapping[name] is not None}
            if values:
                where = [c == row._mapping[c.name] for c in key_cols]
                db.session.execute(update(raw).where(*where).values(**values))
                rewritten += 1
        last = tuple(row._mapping[c.name] for c in key_cols)


def _stored_type(type_: TypeEngine) -> TypeEngine:
    return LargeBinary() if isinstance(type_, EncryptedBytes) else Text()


def _rotated(token: str | bytes | memoryview) -> str | bytes:
    return rotate_token(token) if isinstance(token, str) else rotate_bytes(bytes(token))


def _after(key_cols, last):
    """Rows after `last` in primary-key order (a single or composite key)."""
    if len(key_cols) == 1:
        return key_cols[0] > last[0]
    return tuple_(*key_cols) > tuple_(*last)
