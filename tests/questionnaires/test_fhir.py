"""FHIR R4 export of the instruments and of a response."""

from __future__ import annotations

import json
from datetime import datetime, UTC

from portal.questionnaires import score
from portal.questionnaires.fhir import questionnaire, questionnaire_response
from portal.questionnaires.instruments import INSTRUMENTS


def test_phq9_exports_as_a_questionnaire_with_its_loinc_code_and_ordinal_values():
    resource = questionnaire(INSTRUMENTS["phq9"])
    assert resource["resourceType"] == "Questionnaire" and resource["status"] == "active"
    assert resource["code"] == [{"system": "http://loinc.org", "code": "44249-1", "display": "PHQ-9"}]
    assert len(resource["item"]) == 10 and resource["item"][8]["linkId"] == "9"
    difficulty = resource["item"][9]  # asked, never scored: optional and without points
    assert difficulty["linkId"] == "difficulty" and difficulty["required"] is False
    assert all("extension" not in o for o in difficulty["answerOption"])
    first = resource["item"][0]["answerOption"]
    assert [o["extension"][0]["valueDecimal"] for o in first] == [0, 1, 2, 3]
    assert "No permission required" in resource["copyright"]
    assert questionnaire(INSTRUMENTS["gad7"])["code"][0]["code"] == "69737-5"
    json.dumps(resource)  # plain data all the way down


def test_licensed_instruments_export_their_structure_without_wording():
    resource = questionnaire(INSTRUMENTS["ibs_sss"])
    assert "code" not in resource
    types = {item["linkId"]: item["type"] for item in resource["item"]}
    assert types["has_pain"] == "boolean" and types["pain_severity"] == "integer"
    assert resource["item"][1]["text"] == "Question 1b (0-100)"


def test_a_response_exports_her_answers_and_the_stored_total():
    answers = {str(n): n % 4 for n in range(1, 10)}
    total = score("phq9", answers).total
    resource = questionnaire_response(
        INSTRUMENTS["phq9"],
        answers,
        patient_reference="Patient/7",
        authored=datetime(2030, 1, 2, 9, 30, tzinfo=UTC),
        total=total,
    )
    assert resource["status"] == "completed" and resource["questionnaire"].endswith("phq9|2")
    assert resource["subject"] == {"reference": "Patient/7"} and resource["authored"] == "2030-01-02T09:30:00+00:00"
    codes = [item["answer"][0]["valueCoding"]["code"] for item in resource["item"]]
    assert codes == [str(n % 4) for n in range(1, 10)]
    assert resource["extension"][0]["valueDecimal"] == total == sum(n % 4 for n in range(1, 10))
    json.dumps(resource)
