"""The article the project started from (China-Kazakhstan, Astana, June 2025)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from communique.extract.offline import article_from_json

from .conftest import SHARED

SEED = SHARED / "corpus" / "seed.jsonl"


@pytest.fixture(scope="module")
def seed_events(coder: Any) -> set[tuple[str, str, str]]:
    if not SEED.is_file():
        pytest.skip(f"seed corpus not found at {SEED} (shared material is outside the repository)")
    article = article_from_json(json.loads(SEED.read_text(encoding="utf-8").splitlines()[0]))
    return {(e.source.code, e.target.code if e.target else "", e.cameo) for e in coder.code(article)}


def _has(events: set[tuple[str, str, str]], src: str, tgt: str, prefixes: tuple[str, ...]) -> bool:
    return any(s == src and t == tgt and c.startswith(prefixes) for s, t, c in events)


def test_seed_consult_or_visit(seed_events: set[tuple[str, str, str]]) -> None:
    assert _has(seed_events, "CHN", "KAZ", ("04",)) and _has(seed_events, "KAZ", "CHN", ("04",)), seed_events


def test_seed_praise(seed_events: set[tuple[str, str, str]]) -> None:
    assert _has(seed_events, "KAZ", "CHN", ("051",)), seed_events


def test_seed_agreements_both_ways(seed_events: set[tuple[str, str, str]]) -> None:
    assert _has(seed_events, "CHN", "KAZ", ("057",)) and _has(seed_events, "KAZ", "CHN", ("057",)), seed_events


def test_seed_china_intent(seed_events: set[tuple[str, str, str]]) -> None:
    assert _has(seed_events, "CHN", "KAZ", ("03",)), seed_events
