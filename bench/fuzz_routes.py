"""The route fuzzer of tests/core/test_fuzz_routes.py, run longer: more generated attacks per route and method.

    .venv/bin/python -m bench.fuzz_routes                      # SQLite in a temporary folder, 50 per target
    .venv/bin/python -m bench.fuzz_routes --examples 200       # more
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python -m bench.fuzz_routes   # wipes it

For the visitor and every role: the requests tried, their answers, the server errors (5xx) found, each with
its route, role and request, and the time taken. Exits with status 1 if any request got a server error.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter

from bench._setup import PASSWORD, TIMEZONE, environ, fresh_app
from portal.accounts import users
from portal.extensions import db
from portal.models import Role, User
from tests.fuzzing import ROLES, Fuzzer, build_world, record_query_reads, routes_of

ENCRYPTION_KEY = "YmVuY2gtZnV6ei1lbmNyeXB0aW9uLWtleS0zMi1ieXQ="


def make_user(role: Role, *, email: str, name: str, password: str = PASSWORD, timezone: str = TIMEZONE) -> User:
    return users.create_user(role=role, name=name, email=email, password=password, timezone=timezone)


def fuzz_role(role: Role | None, examples: int) -> tuple[str, int, Counter, list, float]:
    """One role on a fresh database: (role, requests, answers, failures, seconds)."""
    app = fresh_app({**environ(), "RATELIMIT_ENABLED": "false", "ENCRYPTION_KEYS": ENCRYPTION_KEY})
    with app.app_context():
        reads = record_query_reads(app)
        world = build_world(make_user, app.config["SECRET_KEY"])
        routes = routes_of(app)
        fuzzer = Fuzzer(app, app.test_client(), role, world, reads)
        started = time.perf_counter()
        fuzzer.log_in()
        fuzzer.crawl(routes)
        report = fuzzer.fuzz(routes, examples)
        elapsed = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    return fuzzer.role_name, report.requests, report.statuses, report.failures, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--examples",
        type=int,
        default=50,
        help="generated attacks per route and method, on top of each slot's named values (50)",
    )
    parser.add_argument(
        "--role",
        action="append",
        choices=[r.value if r else "visitor" for r in ROLES],
        help="only this role (may be repeated); all by default",
    )
    args = parser.parse_args()
    roles = [r for r in ROLES if not args.role or (r.value if r else "visitor") in args.role]

    total_requests, total_failures, total_seconds = 0, [], 0.0
    print(f"database: {environ()['DATABASE_URL'].split(':', 1)[0]}; generated attacks per target: {args.examples}")
    for role in roles:
        name, requests, statuses, failures, seconds = fuzz_role(role, args.examples)
        answers = ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items(), key=str))
        print(
            f"{name:>12}: {requests:,} requests in {seconds:.0f} s ({requests / seconds:.0f}/s); "
            f"5xx found: {len(failures)}; answers {answers}"
        )
        total_requests, total_seconds = total_requests + requests, total_seconds + seconds
        total_failures += failures
    print(f"requests tried: {total_requests:,} in {total_seconds:.0f} s; 5xx found: {len(total_failures)}")
    for failure in total_failures:
        print(f"\n{failure}")
    sys.exit(1 if total_failures else 0)


if __name__ == "__main__":
    main()
