"""Full-text extraction against the shared article ground truth: mean token F1 and snippet checks."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from communique.ingest.adapters.pages import extract_page
from tests.conftest import SHARED

ARTICLES = SHARED / "fixtures" / "articles"
PAGES = sorted(ARTICLES.glob("*.json")) if ARTICLES.is_dir() else []
needs_fixtures = pytest.mark.skipif(not PAGES, reason=f"shared fixtures not present at {ARTICLES}")


def tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def token_f1(found: str, truth: str) -> float:
    """Bag-of-words F1 between extracted and true text."""
    a, b = Counter(tokens(found)), Counter(tokens(truth))
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def _truth(path: Path) -> tuple[str, dict[str, object]]:
    [(key, value)] = json.loads(path.read_text(encoding="utf-8")).items()
    return str(value.get("url", key)), value


@needs_fixtures
def test_mean_token_f1_on_full_text_ground_truth() -> None:
    scores = {}
    for path in PAGES:
        url, truth = _truth(path)
        if "articleBody" not in truth:
            continue
        page = extract_page(path.with_suffix(".html").read_bytes(), url)
        scores[path.stem] = token_f1(page.text if page else "", str(truth["articleBody"]))
    mean = sum(scores.values()) / len(scores)
    print(f"\nmean token F1 over {len(scores)} pages: {mean:.3f}; worst: {min(scores, key=scores.__getitem__)} "
          f"{min(scores.values()):.3f}")
    assert len(scores) >= 10
    assert mean >= 0.9


@needs_fixtures
def test_snippet_ground_truth() -> None:
    passed = total = 0
    for path in PAGES:
        url, truth = _truth(path)
        if "with" not in truth:
            continue
        page = extract_page(path.with_suffix(".html").read_bytes(), url)
        text = page.text if page else ""
        for snippet in truth.get("with", []):  # type: ignore[attr-defined]
            passed += snippet in text
            total += 1
        for snippet in truth.get("without", []):  # type: ignore[attr-defined]
            passed += snippet not in text
            total += 1
    print(f"\nsnippet checks passed: {passed}/{total} ({passed / total:.3f})")
    assert passed / total >= 0.85


def test_token_f1() -> None:
    assert token_f1("a b c", "a b c") == 1.0
    assert token_f1("", "a") == 0.0
    assert round(token_f1("a b", "a c"), 2) == 0.5
