"""FHIR R4 Questionnaire and QuestionnaireResponse resources for the validated instruments, as plain dicts
ready for json.dumps (LOINC codes where the instrument has one)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from portal.questionnaires.instruments import Instrument, Item

LOINC = "http://loinc.org"
BASE = "urn:portal:questionnaire"


def _item(item: Item) -> dict[str, Any]:
    resource: dict[str, Any] = {"linkId": item.key, "text": item.text, "required": item.required}
    if item.kind == "choice":
        options: list[dict[str, Any]] = [
            {"valueCoding": {"code": str(o.value), "display": o.label}} for o in item.options
        ]
        resource["type"] = "choice"
        resource["answerOption"] = options
        if item.scored:  # an unscored question (PHQ-9's difficulty) has no points to give
            for option, o in zip(options, item.options, strict=True):
                option["extension"] = [
                    {"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": o.points}
                ]
    elif item.kind == "yes_no":
        resource["type"] = "boolean"
    else:
        resource["type"] = "integer"
        resource["extension"] = [
            {"url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueInteger": item.low},
            {"url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueInteger": item.high},
        ]
    return resource


def questionnaire(instrument: Instrument) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "url": f"{BASE}/{instrument.code}",
        "version": instrument.version,
        "name": instrument.code.upper(),
        "title": instrument.title,
        "status": "active",
        "copyright": instrument.copyright,
        "description": instrument.recall_period,
        "item": [_item(item) for item in instrument.items],
    }
    if instrument.loinc:
        resource["code"] = [{"system": LOINC, "code": instrument.loinc, "display": instrument.title}]
    return resource


def questionnaire_response(
    instrument: Instrument,
    answers: Mapping[str, Any],  # as stored: JSON values
    *,
    patient_reference: str,
    authored: datetime,
    total: float | None = None,
) -> dict[str, Any]:
    """Her answers, keyed by item, as a completed QuestionnaireResponse (total score as an extension)."""
    items = []
    for item in instrument.items:
        if answers.get(item.key) is None:
            continue
        value = answers[item.key]
        if item.kind == "choice":
            option = next(o for o in item.options if o.value == value)  # answers keep the option's value
            answer: dict[str, Any] = {"valueCoding": {"code": str(option.value), "display": option.label}}
        elif item.kind == "yes_no":
            answer = {"valueBoolean": bool(value)}
        else:
            answer = {"valueInteger": int(value)}
        items.append({"linkId": item.key, "text": item.text, "answer": [answer]})
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": f"{BASE}/{instrument.code}|{instrument.version}",
        "subject": {"reference": patient_reference},
        "authored": authored.isoformat(),
        "item": items,
    }
    if total is not None:
        resource["extension"] = [{"url": f"{BASE}/total-score", "valueDecimal": total}]
    return resource
