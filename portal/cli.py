"""flask commands: create-practitioner and seed-demo."""
from __future__ import annotations

import click
from flask import Flask, current_app

from portal.accounts import users
from portal.models import Role
from portal.timeutil import is_valid_timezone

DEMO_PASSWORD = "calm-gut-clear-head"
DEMO_PRACTITIONER = ("Dr Maya Lennox", "practitioner@example.com")
DEMO_CLIENTS = [
    ("Sophie Turner", "sophie@example.com", "Europe/London"),
    ("Amelia Hart", "amelia@example.com", "America/New_York"),
    ("Priya Raman", "priya@example.com", "Asia/Kolkata"),
]


def register_cli(app: Flask) -> None:
    @app.cli.command("create-practitioner")
    @click.option("--name", prompt="Full name", help="The name clients see.")
    @click.option("--email", prompt="E-mail address", help="The address she logs in with.")
    @click.option("--timezone", default=None, help="Her time zone; the practice's by default.")
    @click.password_option("--password", prompt="Password", help="Asked for when not given.")
    def create_practitioner(name: str, email: str, timezone: str | None, password: str) -> None:
        """Create the practitioner's account."""
        timezone = timezone or current_app.config["PRACTICE_TIMEZONE"]
        if not is_valid_timezone(timezone):
            raise click.BadParameter(f"{timezone!r} is not a known time zone.", param_hint="--timezone")
        try:
            users.create_user(role=Role.PRACTITIONER, name=name, email=email, password=password, timezone=timezone)
        except users.EmailTaken:
            raise click.ClickException(f"There is already an account for {email}.") from None
        except users.WeakPassword as weak:
            raise click.ClickException("Password not accepted: " + " ".join(weak.problems)) from None
        click.echo(f"Practitioner account created for {users.normalise_email(email)}.")

    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Add a demo practitioner and clients (skips any that exist) and print their logins."""
        people = [(Role.PRACTITIONER, *DEMO_PRACTITIONER, current_app.config["PRACTICE_TIMEZONE"])]
        people += [(Role.CLIENT, *client) for client in DEMO_CLIENTS]
        for role, name, email, timezone in people:
            if users.find_user_by_email(email) is None:
                users.create_user(role=role, name=name, email=email, password=DEMO_PASSWORD, timezone=timezone)
        click.echo("Demo logins (password for all: %s)" % DEMO_PASSWORD)
        for role, name, email, _ in people:
            click.echo(f"  {role.value:<13} {email:<28} {name}")
