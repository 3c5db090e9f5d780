"""No input gives a 500: every route of the app, for the visitor and every role, with hostile values in every
path argument, query parameter and form field (see tests/fuzzing.py for how the requests are made).

The short, deterministic run here is part of the suite on both databases; `python -m bench.fuzz_routes`
runs longer.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from portal.models import Role
from tests.fuzzing import ROLES, Fuzzer, build_world, record_query_reads, routes_of

# Hypothesis's generated attacks per route and method, on top of every slot meeting every hostile value of
# its kind once: the suite's run stays at about a minute per database on the 2-core machine.
GENERATED_EXAMPLES = 5


@pytest.fixture
def app(app_factory) -> Iterator[Flask]:
    """The suite's app without rate limits, which would answer 429 before the views see the input."""
    app = app_factory(RATELIMIT_ENABLED="false")
    with app.app_context():
        yield app


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.value if isinstance(role, Role) else "visitor")
def test_no_input_gives_a_server_error(app, make_user, role):
    reads = record_query_reads(app)
    world = build_world(make_user, app.config["SECRET_KEY"])
    routes = routes_of(app)
    fuzzer = Fuzzer(app, app.test_client(), role, world, reads)
    fuzzer.log_in()
    fuzzer.crawl(routes)
    report = fuzzer.fuzz(routes, GENERATED_EXAMPLES)

    print(
        f"{report.requests} requests to {report.targets} targets as {fuzzer.role_name}: "
        + ", ".join(f"{status}: {n}" for status, n in sorted(report.statuses.items(), key=str))
    )
    assert report.targets >= len(routes), "every route and method is a target at least once"
    if report.failures:
        pytest.fail(
            f"{len(report.failures)} of {report.requests} requests got a server error:\n\n"
            + "\n\n".join(str(f) for f in report.failures),
            pytrace=False,
        )
