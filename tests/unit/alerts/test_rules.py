"""Rule files, rule matching and threshold windows (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from communique.alerts.domain.rules import Rule, RuleError, matches, parse_duration, parse_rules
from communique.alerts.domain.windows import Observation, decide
from tests.store_helpers import event


def rule(**spec: object) -> Rule:
    text = "rules:\n  - name: r\n" + "".join(f"    {k}: {v}\n" for k, v in spec.items())
    [s] = parse_rules(text)
    return Rule.from_spec(s)


@pytest.mark.parametrize(
    ("spec", "ev", "expected"),
    [
        ({}, event(), True),
        ({"actors": "[KAZ]"}, event(src="CHN", tgt="KAZ"), True),
        ({"actors": "[RUS]"}, event(src="CHN", tgt="KAZ"), False),
        ({"sources": "[CHN]"}, event(src="CHN"), True),
        ({"targets": "[CHN]"}, event(src="CHN", tgt="KAZ"), False),
        ({"dyads": "[KAZ-CHN]"}, event(src="CHN", tgt="KAZ"), True),
        ({"cameo": "['16']"}, event(cameo="161"), True),
        ({"cameo": "['16']"}, event(cameo="057"), False),
        ({"plover": "[consult]"}, event(), True),
        ({"quad_class": "[3, 4]"}, event(), False),
        ({"goldstein_max": -5}, event(goldstein=-8.0), True),
        ({"goldstein_min": 0}, event(goldstein=-8.0), False),
        ({"keywords": "[astana]"}, event(), True),
        ({"keywords": "[embassy]"}, event(), False),
        ({"min_confidence": 0.9}, event(), False),
    ],
)
def test_matching(spec: dict[str, object], ev: object, expected: bool) -> None:
    assert matches(rule(**spec), ev) is expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules: 1", "rules:"),
        ("rules:\n  - name: a\n  - name: a\n", "duplicate"),
        ("rules:\n  - name: a\n    cameo: [abc]\n", "rule a: cameo"),
        ("rules:\n  - name: a\n    window: soon\n", "rule a: window"),
        ("rules:\n  - name: a\n    sources: [china]\n", "rule a: sources"),
        ("rules:\n  - name: a\n    colour: red\n", "rule a: colour"),
    ],
)
def test_rule_file_errors(text: str, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        parse_rules(text)


def test_durations() -> None:
    assert parse_duration("90s") == 90 and parse_duration("6h") == 21600 and parse_duration(30) == 30
    with pytest.raises(ValueError):
        parse_duration("6 hours")


def test_shipped_rules_file_is_valid() -> None:
    from pathlib import Path

    assert parse_rules((Path(__file__).resolve().parents[3] / "deploy" / "alerts.yaml").read_text())


T0 = datetime(2025, 6, 16, 12, tzinfo=UTC)


def obs(i: int, outlet: str, minutes: int) -> Observation:
    return Observation(f"e{i}", outlet, T0 + timedelta(minutes=minutes))


def test_fires_when_the_third_distinct_outlet_reports_within_the_window() -> None:
    seen = [obs(1, "A", 0), obs(2, "A", 10), obs(3, "B", 20)]
    d = decide(seen, obs(4, "C", 30), min_sources=3, window_seconds=3600, last_fired_at=None)
    assert d.fire and d.outlets == ("A", "B", "C")


def test_reports_outside_the_window_do_not_count() -> None:
    seen = [obs(1, "A", 0), obs(2, "B", 10)]
    d = decide(seen, obs(3, "C", 100), min_sources=3, window_seconds=3600, last_fired_at=None)
    assert not d.fire and d.outlets == ("C",)


def test_fires_once_per_window_then_rearms() -> None:
    seen = [obs(1, "A", 0), obs(2, "B", 1), obs(3, "C", 2)]
    assert not decide(seen, obs(4, "D", 3), min_sources=3, window_seconds=3600,
                      last_fired_at=T0 + timedelta(minutes=2)).fire
    later = [obs(5, "A", 200), obs(6, "B", 201)]
    assert decide(later, obs(7, "C", 202), min_sources=3, window_seconds=3600,
                  last_fired_at=T0 + timedelta(minutes=2)).fire


def test_a_redelivered_report_is_not_counted_twice() -> None:
    seen = [obs(1, "A", 0), obs(2, "B", 1)]
    assert not decide(seen, obs(2, "B", 1), min_sources=3, window_seconds=3600, last_fired_at=None).fire
