"""`/healthz` for a load balancer: 200 when the database answers `SELECT 1`, 503 otherwise, within seconds.

No session, login, CSRF or rate limit, and nothing logged while it answers 200.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from sqlalchemy.exc import SQLAlchemyError

from portal.database import shorter_waits
from portal.extensions import db, limiter
from portal.outage import RETRY_AFTER_SECONDS

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)

# Connecting and the answer to SELECT 1 each wait at most this long (psycopg's shortest connect timeout).
HEALTH_TIMEOUT_SECONDS = 2


def database_answers() -> bool:
    """True when a pooled connection (a fresh one if the pooled ones died) answers SELECT 1."""
    try:
        with shorter_waits(HEALTH_TIMEOUT_SECONDS), db.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except SQLAlchemyError as error:
        log.warning("health check: the database did not answer: %s", type(error).__name__)
        return False
    return True


@bp.get("/healthz")
@limiter.exempt
def healthz() -> tuple[Response, int]:
    if database_answers():
        return jsonify(status="ok"), 200
    response = jsonify(status="unavailable")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response, 503
