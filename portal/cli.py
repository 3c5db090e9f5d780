"""flask commands: create-practitioner, seed-demo, jobs run, jobs worker and rotate-keys."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from portal.accounts import users
from portal.models import Role
from portal.timeutil import is_valid_timezone


def register_cli(app: Flask) -> None:
    jobs = AppGroup(
        "jobs", help="Background work: keep `flask jobs worker` running, or run `flask jobs run` every minute."
    )
    app.cli.add_command(jobs)

    @jobs.command("run")
    def jobs_run() -> None:
        """Expire unpaid holds, queue due reminders and send the due e-mails in the outbox, once (for cron)."""
        from portal import outbox
        from portal.jobs.runner import run_jobs

        for name, count in run_jobs().items():
            click.echo(f"{name}: {count}")
        click.echo(f"outbox messages sent: {outbox.deliver_due(limit=500)}")

    @jobs.command("worker")
    def jobs_worker() -> None:
        """Send the outbox continually and run the scheduled jobs every minute, until SIGTERM or SIGINT."""
        import threading

        from portal.jobs.worker import run_worker, stop_on_signals

        stop = threading.Event()
        stop_on_signals(stop)
        run_worker(stop)

    @app.cli.command("create-practitioner")
    @click.option("--name", prompt="Full name", help="The name clients see.")
    @click.option("--email", prompt="E-mail address", help="The address she logs in with.")
    @click.option("--timezone", default=None, help="Her time zone; the practice's by default.")
    @click.password_option("--password", prompt="Password", help="Asked for when not given.")
    def create_practitioner(name: str, email: str, timezone: str | None, password: str) -> None:
        """Create a practitioner's account (the first one is the practice's owner)."""
        timezone = timezone or current_app.config["PRACTICE_TIMEZONE"]
        if not is_valid_timezone(timezone):
            raise click.BadParameter(f"{timezone!r} is not a known time zone.", param_hint="--timezone")
        try:
            made = users.create_user(
                role=Role.PRACTITIONER, name=name, email=email, password=password, timezone=timezone
            )
        except users.EmailTaken:
            raise click.ClickException(f"There is already an account for {email}.") from None
        except users.WeakPassword as weak:
            raise click.ClickException("Password not accepted: " + " ".join(weak.problems)) from None
        click.echo(f"{'Owner' if made.is_owner else 'Practitioner'} account created for {made.email}.")

    @app.cli.command("rotate-keys")
    def rotate_keys() -> None:
        """Re-encrypt all health text with the newest key in ENCRYPTION_KEYS (then the old keys can go)."""
        from portal.records.rotation import rotate_all

        for table, count in rotate_all().items():
            click.echo(f"{table}: {count} rows re-encrypted")
        click.echo("Done. Every encrypted value now uses the first key; older keys may be removed.")

    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Add the demo practitioner, clients, services and hours (skips what exists) and print the logins."""
        from portal.demo import DEMO_PASSWORD
        from portal.demo import seed_demo as seed

        people = seed(current_app.config["PRACTICE_TIMEZONE"], current_app.config["PRACTICE_CURRENCY"])
        click.echo(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for role, email, name in people:
            click.echo(f"  {role.value:<13} {email:<28} {name}")
