"""The load benchmark's floor: a bare Flask app whose one page renders one row fetched by primary key.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_load .venv/bin/gunicorn -w 2 bench.baseline_app:app

bench/load.py serves it under gunicorn with the portal's settings, beside the portal, and reports each page's
requests per second as a share of this page's. It reads the practitioner's `users` row (BASELINE_USER_ID,
default 1) on every request through a pooled SQLAlchemy engine with pre-ping, as the portal's engine does,
and renders it with a Jinja template: a database round trip and a template, nothing else.
"""

from __future__ import annotations

import os

from flask import Flask, abort, render_template_string
from sqlalchemy import create_engine, text

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ row.name }}</title></head>
<body><h1>{{ row.name }}</h1><p>{{ row.email }} · {{ row.role }} · {{ row.timezone }}</p></body></html>
"""

url = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
engine = create_engine(url, pool_pre_ping=True)
user_id = int(os.environ.get("BASELINE_USER_ID", "1"))
app = Flask(__name__)


@app.get("/")
def one_row():
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT id, name, email, role, timezone FROM users WHERE id = :id"), {"id": user_id}
        ).one_or_none()
    if row is None:
        abort(404)
    return render_template_string(PAGE, row=row)
