"""Progress questionnaires and the diary: the validated instruments and their scoring, her own questionnaires,
sending and answering them, the headache and gut diary and its conclusions, and the charts."""

from portal.questionnaires.scoring import AnswerError, Score, score

__all__ = ["AnswerError", "Score", "score"]
