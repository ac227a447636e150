"""Confidence of a coded event from its cues: a logistic model fitted on the
development corpus (see tests/unit/extract/test_confidence.py and the
reliability table of ``communique eval``)."""

from __future__ import annotations

import math

# Log-odds weights, fitted by logistic regression on dev.jsonl (CAMEO-root
# correctness) and plover-gsr.jsonl (PLOVER correctness) predictions, then
# rounded. Refit when cues or rules change.
BIAS = 1.3
WEIGHTS: dict[str, float] = {
    "weak": -0.5,
    "implicit_source": -0.5,
    "implicit_target": -0.4,
    "resolved_reference": -0.45,
    "far": -1.0,
    "noun": -0.4,
    "intended": 0.0,
    "pair": 0.0,
    "passive": 0.0,
    "metonym": 0.3,
    "adjective_only": -0.4,
    "multi_word_trigger": 0.25,
}
REPEAT_BONUS = 0.35  # log-odds per extra mention of the same event in the article


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def cue_log_odds(cues: dict[str, bool]) -> float:
    return BIAS + sum(WEIGHTS.get(k, 0.0) for k, v in cues.items() if v)


def cue_confidence(cues: dict[str, bool]) -> float:
    """Probability that one mention is a correctly coded event."""
    return round(min(0.99, max(0.01, _sigmoid(cue_log_odds(cues)))), 3)


def article_confidence(mention_confidences: list[float]) -> float:
    """Confidence of an event from all its mentions: the best one, raised by repeats."""
    best = max(mention_confidences)
    logit = math.log(best / (1.0 - best)) + REPEAT_BONUS * (len(mention_confidences) - 1)
    return round(min(0.99, max(0.01, _sigmoid(logit))), 3)
