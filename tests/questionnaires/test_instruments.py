"""Instruments as data: free wording shipped, licensed wording only from the practice's own file, and proof
that no licensed wording is in the repository."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path

import pytest

from portal.questionnaires import score
from portal.questionnaires.instruments import (
    INSTRUMENTS,
    ContentFileError,
    load_licensed_content,
    with_licensed_wording,
)

ROOT = Path(__file__).resolve().parents[2]


def test_free_instruments_ship_their_wording_codes_and_copyright():
    phq9, gad7 = INSTRUMENTS["phq9"], INSTRUMENTS["gad7"]
    assert [i.key for i in phq9.items] == [str(n) for n in range(1, 10)] + ["difficulty"] and phq9.loinc == "44249-1"
    assert not phq9.items[9].scored and not phq9.items[9].required  # asked and stored, never scored
    assert len(gad7.items) == 7 and gad7.loinc == "69737-5"
    assert "No permission required" in phq9.copyright and not phq9.needs_licence_notice
    assert [o.points for o in phq9.items[0].options] == [0, 1, 2, 3]


def test_every_instrument_scores_answers_keyed_as_its_items():
    """The data and the scoring agree: the highest option or value of every scored item scores without error."""
    for code, instrument in INSTRUMENTS.items():
        answers = {}
        for item in instrument.items:
            if item.kind == "yes_no":
                answers[item.key] = True
            elif item.options:
                answers[item.key] = max(o.points for o in item.options)
            else:
                answers[item.key] = item.high
        if code == "midas":
            answers.update({"1": 45, "2": 45, "3": 45, "4": 45, "5": 90, "A": 90})
        assert score(code, answers).total > 0, code


def test_licensed_instruments_show_neutral_labels_and_say_why_until_wording_is_supplied():
    hit6 = with_licensed_wording("hit6", None)
    assert hit6.needs_licence_notice and hit6.items[0].text == "Question 1"
    assert [o.points for o in hit6.items[0].options] == [6, 8, 10, 11, 13]


def _content_file(tmp_path: Path, content: dict) -> Path:
    path = tmp_path / "licensed.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


def test_a_practice_with_a_licence_loads_its_own_wording(tmp_path):
    wording = {
        "hit6": {
            "title": "HIT-6 (licensed)",
            "items": {str(n): f"Licensed question {n}" for n in range(1, 7)},
            "options": {"6": "First answer", "13": "Last answer"},
        }
    }
    content = load_licensed_content(_content_file(tmp_path, wording))
    hit6 = with_licensed_wording("hit6", content)
    assert not hit6.needs_licence_notice and hit6.title == "HIT-6 (licensed)"
    assert hit6.items[5].text == "Licensed question 6"
    assert (hit6.items[0].options[0].label, hit6.items[0].options[-1].label) == ("First answer", "Last answer")
    assert with_licensed_wording("gsrs", content).needs_licence_notice  # only what was supplied


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"phq9": {"items": {}}}, "not a licensed instrument"),
        ({"hit6": {"items": {"1": "x"}}}, "lacks items 2, 3, 4, 5, 6"),
        ([], "object keyed by instrument code"),
    ],
)
def test_a_bad_content_file_is_explained(tmp_path, content, message):
    with pytest.raises(ContentFileError, match=message):
        load_licensed_content(_content_file(tmp_path, content))
    with pytest.raises(ContentFileError, match="could not be read"):
        load_licensed_content(tmp_path / "missing.json")


# Phrases from the licensed instruments, kept only as hashes of their normalised words.
LICENSED_PHRASE_HASHES = {
    6: {"fa52718da5f7769eb6ac8dae72c4b82aea103b18bb33fdf14ff7d45b79d3ba80"},
    9: {
        "e763ce1a962f3fd012b08ddfbd76f1c6316794145b4b8f10b85b77b912627137",
        "123450c1a29b3727b5801e6fcd1002b6107d535d525450ec8527427ee0d9b79a",
    },
    10: {"54a6ca833173e0ff8db4d1a3d91425958745491fe2fafb459e156f64bf209829"},
    13: {"820cae846537ba6806705635360ba641c6c0fd380b93036735c49bd8c1392a3c"},
}
FREE_PHRASE = (7, "7ad6330b18ed726148a23cccae1b69a31a7d6b26c8bd53342ec89d29476f9a0d")  # from PHQ-9, shipped


def _found(hashes: dict[int, set[str]], text: str) -> bool:
    words = re.findall(r"[a-z0-9]+", text.lower())
    for size, wanted in hashes.items():
        for start in range(len(words) - size + 1):
            if hashlib.sha256(" ".join(words[start : start + size]).encode()).hexdigest() in wanted:
                return True
    return False


def _repository_texts() -> list[tuple[str, str]]:
    names = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    texts = []
    for name in names:
        try:
            texts.append((name, (ROOT / name).read_text(encoding="utf-8")))
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue
    return texts


def test_no_licensed_wording_is_in_the_repository():
    texts = _repository_texts()
    assert any(_found({FREE_PHRASE[0]: {FREE_PHRASE[1]}}, text) for _, text in texts), "the scanner works"
    assert [name for name, text in texts if _found(LICENSED_PHRASE_HASHES, text)] == []
