"""Which rows in which tables belong to a client, found from the schema itself.

A table with a `client_id` column (or `user_id`, for what belongs to any person, such as her login sessions)
holds her rows directly; a table without one holds her rows when it
points (by foreign key) at rows of a table that does, e.g. a booking's events or a payment's refunds.
Tables added later are found the same way, so export and erasure never miss them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Table, or_

from portal.extensions import Model, db


@dataclass(frozen=True)
class OwnedTable:
    table: Table
    condition: ColumnElement[bool]  # selects the client's rows
    direct: bool  # True: the table has client_id (or user_id) itself


def owned_tables(client_id: int) -> list[OwnedTable]:
    """Every table (but users) holding rows of this client, parents before children."""
    found: dict[str, OwnedTable] = {}
    for table in db.metadata.sorted_tables:
        if table.name == "users":
            continue
        # Hers by a column naming her: the client, the account, or the person an e-mail is to (the outbox).
        owner = table.c.get("client_id", table.c.get("user_id", table.c.get("recipient_id")))
        if owner is not None:
            found[table.name] = OwnedTable(table, owner == client_id, True)
            continue
        links = [
            fk.parent.in_(db.select(fk.column).where(found[fk.column.table.name].condition))
            for fk in table.foreign_keys
            if fk.column.table is not table and fk.column.table.name in found
        ]
        if links:
            found[table.name] = OwnedTable(table, or_(*links), False)
    return list(found.values())


def table_module(table: Table) -> str:
    """The Python module of the model mapped to this table ('' when none is)."""
    for mapper in Model.registry.mappers:
        if table in mapper.tables:
            return mapper.class_.__module__
    return ""
