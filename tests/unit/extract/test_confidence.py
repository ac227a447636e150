"""Confidence is a probability that falls with weaker cues and rises with repeats."""

from __future__ import annotations

import pytest

from communique.extract.domain.confidence import WEIGHTS, article_confidence, cue_confidence

CLEAN = {k: False for k in WEIGHTS}


@pytest.mark.parametrize("cue", ["weak", "implicit_source", "implicit_target", "resolved_reference", "far", "noun"])
def test_negative_cues_lower_confidence(cue: str) -> None:
    assert cue_confidence({**CLEAN, cue: True}) < cue_confidence(CLEAN)


def test_bounds_and_repeats() -> None:
    worst = cue_confidence({k: True for k in WEIGHTS})
    best = cue_confidence(CLEAN)
    assert 0.0 < worst < best < 1.0
    assert article_confidence([best, 0.3]) > best
    assert article_confidence([0.5]) == 0.5
