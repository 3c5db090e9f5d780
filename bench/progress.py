"""How fast a client's progress page is with two years of diary days and 100 questionnaire responses.

    .venv/bin/python -m bench.progress                # SQLite in a temporary folder
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python -m bench.progress   # wipes it

Prints the median time to build the page and the migraine-gut figures (target: under 50 ms) and the SQL
queries per page with a small and with the full history (target: the same number).
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import timedelta

from bench._setup import PASSWORD, environ, fresh_app, seed_practice
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import DiaryEntry, QuestionnaireResponse
from portal.questionnaires import diary_entries
from tests.factories import count_queries

RUNS = 30


def log_in(client, email: str) -> None:
    page = client.get("/account/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    client.post("/account/login", data={"email": email, "password": PASSWORD, "csrf_token": token})


def page_queries(app, client, url: str) -> int:
    with app.app_context(), count_queries() as queries:
        assert client.get(url).status_code == 200
    return queries.count


def fill(client_id: int, days: int, responses: int) -> None:
    rng, today = random.Random(3), utcnow().date()
    db.session.add_all(
        DiaryEntry(
            client_id=client_id,
            day=today - timedelta(days=n),
            headache=rng.choice(["none"] * 4 + ["headache", "migraine"]),
            intensity=rng.randrange(11),
            headache_minutes=rng.randrange(0, 600),
            took_triptan=rng.random() < 0.1,
            stool_types=[rng.randrange(1, 8)],
            bloating=rng.randrange(11),
            abdominal_pain=rng.randrange(11),
            note="",
        )
        for n in range(days)
    )
    for n in range(responses):
        code = ("phq9", "gad7", "hit6", "ibs_sss")[n % 4]
        db.session.add(
            QuestionnaireResponse(
                client_id=client_id,
                code=code,
                version="1",
                status="submitted",
                answers={},
                total={"phq9": 9, "gad7": 7, "hit6": 58, "ibs_sss": 210}[code],
                band="",
                submitted_at=utcnow() - timedelta(days=7 * n),
            )
        )
    db.session.commit()


def main() -> None:
    app = fresh_app(environ())
    with app.app_context():
        maya, _, (small, big) = seed_practice(clients=2)
        fill(small.id, 3, 2)
        fill(big.id, 730, 100)
        small_id, big_id, maya_email = small.id, big.id, maya.email
    client = app.test_client()
    log_in(client, maya_email)
    small_queries = page_queries(app, client, f"/practitioner/clients/{small_id}/diary")
    big_queries = page_queries(app, client, f"/practitioner/clients/{big_id}/diary")
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        client.get(f"/practitioner/clients/{big_id}/diary")
        times.append((time.perf_counter() - started) * 1000)
    with app.app_context():
        figure_times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            diary_entries.overview(big_id, utcnow().date())
            figure_times.append((time.perf_counter() - started) * 1000)
    print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':', 1)[0]}")
    print("client: 730 diary days, 100 questionnaire responses")
    print(f"progress page: {statistics.median(times):.1f} ms median of {RUNS} (target < 50 ms)")
    print(f"diary figures, time line and migraine-gut link: {statistics.median(figure_times):.1f} ms median")
    print(
        f"SQL queries per progress page: {small_queries} with 3 days and 2 responses, "
        f"{big_queries} with the full history"
    )


if __name__ == "__main__":
    main()
