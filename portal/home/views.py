"""The public front page and each role's home page."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from portal.access import client_required, practitioner_required
from portal.db_types import utcnow

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    if current_user.is_authenticated:
        endpoint = "home.practitioner_home" if current_user.is_practitioner else "home.client_home"
        return redirect(url_for(endpoint))
    return render_template("home/index.html")


@bp.get("/me/")
@client_required
def client_home():
    return render_template("home/client.html")


@bp.get("/practitioner/")
@practitioner_required
def practitioner_home():
    return render_template("home/practitioner.html", now=utcnow())
