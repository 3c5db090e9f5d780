"""A client's questionnaire scores over time, grouped by instrument and drawn as charts with their bands."""

from __future__ import annotations

from markupsafe import Markup

from portal.models import QuestionnaireResponse
from portal.questionnaires import custom, responses
from portal.questionnaires.charts import score_chart
from portal.questionnaires.instruments import Instrument
from portal.questionnaires.scoring import BANDS_BY_CODE, RANGES_BY_CODE


def responses_by_code(client_id: int) -> dict[str, list[QuestionnaireResponse]]:
    """Her submitted responses, oldest first, per instrument code."""
    by_code: dict[str, list[QuestionnaireResponse]] = {}
    for response in responses.submitted_responses(client_id):
        by_code.setdefault(response.code, []).append(response)
    return by_code


def score_charts(
    by_code: dict[str, list[QuestionnaireResponse]], instruments: dict[str, Instrument]
) -> dict[str, Markup]:
    """A chart per instrument that has a score: the published range and bands, or an own questionnaire's
    possible range when it has a sum score."""
    charts = {}
    for code, items in by_code.items():
        instrument = instruments.get(code)
        points = [(r.submission_time.date(), r.total) for r in items if r.total is not None]
        if instrument is None or not points:
            continue
        if code in RANGES_BY_CODE:
            low, high = RANGES_BY_CODE[code]
        elif instrument.sum_score:
            low, high = custom.score_range(instrument)
        else:
            continue
        charts[code] = score_chart(
            points,
            low=low,
            high=max(high, low + 1),
            bands=BANDS_BY_CODE.get(code, []),
            title=f"{instrument.title} over time",
        )
    return charts
