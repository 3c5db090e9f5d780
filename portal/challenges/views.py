"""Challenge pages: the practitioner starts one from the case file, follows it, stops it and writes her
conclusion; the client sees it on her home page, answers "did you have it today?" in her diary and sees the
results at the end. Another client's or another care team's challenge is 404, as is every page here for the
assistant.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal import audit
from portal.access import client_required, clinical_required, get_client_or_404, visible_clients
from portal.challenges import challenges, effect
from portal.challenges.challenges import ChallengeError
from portal.challenges.forms import AnswerForm, ConclusionForm, StartForm, StopForm
from portal.challenges.phases import PHASE_NAMES, last_day, phase_on
from portal.db_types import utcnow
from portal.extensions import db
from portal.inputs import iso_day
from portal.models import Challenge, User

bp = Blueprint("challenges", __name__)


def _today(user: User) -> date:
    return utcnow().astimezone(ZoneInfo(user.timezone)).date()


@bp.app_context_processor
def _for_templates():
    def challenge_cards() -> list[challenges.Current]:
        """Her challenges for her home page (templates/challenges/_home_card.html)."""
        if not (current_user.is_authenticated and current_user.is_client):
            return []
        return challenges.on_home(current_user.id, _today(current_user))

    def challenge_questions(day: date) -> list[tuple[challenges.Current, AnswerForm]]:
        """The yes/no questions her diary page asks for `day` (templates/challenges/_diary_question.html)."""
        if not (current_user.is_authenticated and current_user.is_client):
            return []
        asked = challenges.asked_on(current_user.id, day)
        return [(a, AnswerForm(formdata=None, day=day.isoformat(), ate=_yes_no(a.answered))) for a in asked]

    return {
        "challenge_cards": challenge_cards,
        "challenge_questions": challenge_questions,
    }


# The effect's sentences, for the case file's and the handout's macros (imported macros see globals only).
bp.add_app_template_global(effect.responder_words, "responder_words")
bp.add_app_template_global(effect.score_words, "score_words")


def _yes_no(answer: bool | None) -> str | None:
    return None if answer is None else "yes" if answer else "no"


# The practitioner's ----------------------------------------------------------------------------------------


def _sources(client_id: int) -> list[SelectChoice]:
    """The trigger list's foods, then the lines of her current protocol, as grouped options."""
    tags = [SelectChoice(f"tag-{t.id}", t.label, optgroup="The practice's trigger list") for t in challenges.tags()]
    lines = [
        SelectChoice(f"line-{li.id}", li.title, optgroup="Her current protocol")
        for li in challenges.current_protocol_lines(client_id)
    ]
    return tags + lines


def _parse_source(raw: str) -> tuple[int | None, int | None]:
    kind, _, number = (raw or "").partition("-")
    value = int(number) if number.isascii() and number.isdigit() and len(number) < 10 else None
    return (value, None) if kind == "tag" else (None, value) if kind == "line" else (None, None)


@bp.route("/practitioner/clients/<int:client_id>/challenges/new", methods=["GET", "POST"])
@clinical_required
def new_challenge(client_id: int):
    client = get_client_or_404(client_id)
    today = _today(client)
    eliminate, reintroduce, watch = challenges.DEFAULT_DAYS
    form = StartForm(
        data={
            "eliminate_days": eliminate,
            "reintroduce_days": reintroduce,
            "watch_days": watch,
            "starts_on": today + timedelta(days=1),
        }
    )
    form.source.choices = _sources(client.id)
    if form.validate_on_submit():
        tag_id, line_id = _parse_source(form.source.data)
        try:
            challenge = challenges.start_challenge(
                client,
                current_user,
                tag_id=tag_id,
                protocol_line_id=line_id,
                title=form.title.data or "",
                eliminate_days=form.eliminate_days.data,
                reintroduce_days=form.reintroduce_days.data,
                watch_days=form.watch_days.data,
                starts_on=form.starts_on.data,
                today=today,
            )
        except ChallengeError as error:
            target = getattr(form, error.field, None) or form.source
            target.errors = [*target.errors, str(error)]
        else:
            flash(f"The challenge starts on {challenge.starts_on:%A %-d %B}. She sees it on her home page.", "success")
            return redirect(url_for("challenges.practitioner_challenge", challenge_id=challenge.id))
    return render_template("challenges/new.html", client=client, form=form, today=today)


def _staff_challenge_or_404(challenge_id: int) -> tuple[Challenge, User]:
    challenge = challenges.with_client(challenge_id, visible_clients)
    if challenge is None:
        abort(404)
    return challenge, get_client_or_404(challenge.client_id)


def _page(template: str, challenge: Challenge, client: User, whose: str, status: int = 200, **context):
    today = _today(client)
    html = render_template(
        template,
        challenge=challenge,
        client=client,
        today=today,
        now=phase_on(challenge, today, whose),
        results=challenges.results_of(challenge, today),
        phase_names=PHASE_NAMES,
        can_stop=challenges.can_stop(challenge, today),
        can_conclude=challenges.can_conclude(challenge, today),
        finished=challenges.finished(challenge, today),
        stop_form=StopForm(),
        last_day=last_day(challenge),
        **context,
    )
    audit.record("view", client.id, "challenge", challenge.id)
    db.session.commit()
    return html, status


@bp.route("/practitioner/challenges/<int:challenge_id>", methods=["GET", "POST"])
@clinical_required
def practitioner_challenge(challenge_id: int):
    """Her view of the challenge, with the conclusion form (it posts here)."""
    challenge, client = _staff_challenge_or_404(challenge_id)
    form = ConclusionForm(data={"conclusion": challenge.conclusion})
    status = 200
    if form.validate_on_submit():
        try:
            challenges.conclude(challenge, form.conclusion.data, _today(client))
        except ChallengeError as error:
            form.conclusion.errors = [str(error)]
            status = 400
        else:
            flash("Your conclusion is saved. She sees it with her results.", "success")
            return redirect(url_for("challenges.practitioner_challenge", challenge_id=challenge.id))
    elif form.is_submitted():
        status = 400
    return _page("challenges/practitioner.html", challenge, client, "her", status, form=form)


@bp.post("/practitioner/challenges/<int:challenge_id>/stop")
@clinical_required
def stop(challenge_id: int):
    challenge, client = _staff_challenge_or_404(challenge_id)
    if not StopForm().validate_on_submit():
        abort(400)
    try:
        challenges.stop_challenge(challenge, _today(client))
    except ChallengeError as error:
        flash(str(error), "error")
    else:
        flash("The challenge is stopped. Write your conclusion below when you are ready.", "success")
    return redirect(url_for("challenges.practitioner_challenge", challenge_id=challenge.id))


# The client's ----------------------------------------------------------------------------------------------


def _own_or_404(challenge_id: int) -> Challenge:
    challenge = challenges.for_client(challenge_id, current_user.id)
    if challenge is None:
        abort(404)
    return challenge


@bp.get("/me/challenges/<int:challenge_id>")
@client_required
def my_challenge(challenge_id: int):
    challenge = _own_or_404(challenge_id)
    return _page("challenges/mine.html", challenge, current_user, "your")


@bp.post("/me/challenges/<int:challenge_id>/answer")
@client_required
def answer(challenge_id: int):
    challenge = _own_or_404(challenge_id)
    form = AnswerForm()
    day = iso_day(form.day.data)
    if day is None:
        abort(400)
    back = url_for("questionnaires.diary", day=day.isoformat())
    if not form.validate_on_submit():
        flash(f"Choose yes or no for {challenge.title}.", "error")
        return redirect(back)
    try:
        challenges.record_answer(challenge, day, form.ate.data == "yes", _today(current_user))
    except ChallengeError as error:
        flash(str(error), "error")
    else:
        flash(
            f"Saved: {'you had' if form.ate.data == 'yes' else 'no'} {challenge.title} on {day:%A %-d %B}.", "success"
        )
    return redirect(back)
