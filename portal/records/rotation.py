"""Key rotation: re-encrypt every encrypted column in every table with the newest key.

Procedure: put the new key first in ENCRYPTION_KEYS (keeping the old ones after it), restart, run
`flask rotate-keys`, then remove the old keys. The columns are found from the schema, so tables added
later are rotated too.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Column, Table, Text, column, table as table_clause, tuple_, update

from portal.crypto import EncryptedText, rotate_token
from portal.extensions import db

BATCH = 500


@dataclass(frozen=True)
class EncryptedColumns:
    table: Table
    columns: tuple[str, ...]


def encrypted_columns() -> list[EncryptedColumns]:
    """Every table with EncryptedText columns, and those columns' names."""
    found = []
    for table in db.metadata.sorted_tables:
        names = tuple(c.name for c in table.columns if isinstance(c.type, EncryptedText))
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
    # A plain view of the table: the raw tokens, not the decrypted text.
    raw = table_clause(item.table.name, *[column(k.name, k.type) for k in keys],
                       *[column(name, Text()) for name in item.columns])
    key_cols = [raw.c[k.name] for k in keys]
    rewritten, last = 0, None
    while True:
        query = db.select(raw).order_by(*key_cols).limit(BATCH)
        if last is not None:
            query = query.where(_after(key_cols, last))
        rows = db.session.execute(query).all()
        if not rows:
            return rewritten
        for row in rows:
            values = {name: rotate_token(row._mapping[name]) for name in item.columns
                      if row._mapping[name] is not None}
            if values:
                where = [c == row._mapping[c.name] for c in key_cols]
                db.session.execute(update(raw).where(*where).values(**values))
                rewritten += 1
        last = tuple(row._mapping[c.name] for c in key_cols)


def _after(key_cols, last):
    """Rows after `last` in primary-key order (a single or composite key)."""
    if len(key_cols) == 1:
        return key_cols[0] > last[0]
    return tuple_(*key_cols) > tuple_(*last)
