"""The published handout carries her trigger finder and cycle, as they stood at publication (pdftotext)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from portal.db_types import utcnow
from portal.handouts import handouts
from tests.handouts.conftest import pdf_page_png, pdf_text
from tests.triggers.journal import fill_journal


def test_the_published_pdf_names_her_possible_triggers_her_cycle_and_why_it_is_not_proof(composed):
    client = composed.client
    fill_journal(client, utcnow().astimezone(ZoneInfo(client.timezone)).date())
    pdf = handouts.handout_pdf(handouts.publish_handout(composed.booking))
    flat = " ".join(pdf_text(pdf).split())
    assert "What may set off your migraines" in flat
    assert "Aged cheese: After days with aged cheese, a migraine followed" in flat
    assert "times as likely (95% interval" in flat and "based on" in flat
    assert "5 cycles found" in flat and "your migraines may be linked to your cycle" in flat
    assert "A possible trigger is not proof" in flat
    pdf_page_png(pdf, "handout-triggers", page=2)


def test_a_handout_without_a_journal_has_no_trigger_section(composed):
    flat = " ".join(pdf_text(handouts.handout_pdf(handouts.publish_handout(composed.booking))).split())
    assert "What may set off your migraines" not in flat and "Your protocol" in flat
