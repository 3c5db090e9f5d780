"""Progress questionnaires: the validated instruments' scoring (more to come: delivery, diary, charts)."""

from portal.questionnaires.scoring import AnswerError, Score, score

__all__ = ["AnswerError", "Score", "score"]
