"""Table-driven sentence cases: every tests/unit/extract/cases/<lang>.yaml file.

Case format::

    - text: "Chinese President Xi Jinping met Kazakh President Kassym-Jomart Tokayev in Astana."
      language: en
      date: 2025-06-16
      expect: ["CHN KAZ 04", "KAZ CHN 04"]   # "SRC TGT CODE"; CODE matches as a prefix
      exact: true   # optional: no other international events of roots 02-17
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from communique.extract.domain.coder import ArticleInput

CASES_DIR = Path(__file__).resolve().parent / "cases"


def _load() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        try:
            cases = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        except yaml.YAMLError as exc:
            params.append(pytest.param(path.name, -1, {"_error": str(exc)}, id=f"{path.stem}:invalid-yaml"))
            continue
        for i, case in enumerate(cases):
            text = str(case.get("text", ""))[:40] if isinstance(case, dict) else "?"
            params.append(pytest.param(path.name, i, case, id=f"{path.stem}:{i:03d}:{text}"))
    return params


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if value:
        return date.fromisoformat(str(value)[:10])
    return None


def _scored(e: Any) -> bool:
    return e.target is not None and e.source.code != e.target.code and "02" <= e.cameo_root <= "17"


@pytest.mark.parametrize(("file", "index", "case"), _load())
def test_case(coder: Any, file: str, index: int, case: dict[str, Any]) -> None:
    assert "_error" not in case, f"{file}: {case.get('_error')}"
    assert isinstance(case, dict) and "text" in case, f"{file}[{index}]: a case needs `text`"
    lang = case.get("language") or Path(file).stem
    article = ArticleInput(id=f"case-{Path(file).stem}-{index}", text=str(case["text"]), language=lang,
                           published=_day(case.get("date")) or date(2025, 1, 1))
    events = coder.code(article)
    got = [f"{e.source.code} {e.target.code if e.target else '-'} {e.cameo}" for e in events]
    expect = [str(x) for x in (case.get("expect") or [])]
    missing = []
    for exp in expect:
        parts = exp.split()
        assert len(parts) == 3, f"{file}[{index}]: bad expectation {exp!r} (want 'SRC TGT CODE')"
        src, tgt, code = parts
        if not any(e.source.code == src and (e.target.code if e.target else "-") == tgt and e.cameo.startswith(code)
                   for e in events):
            missing.append(exp)
    extra: list[str] = []
    if case.get("exact"):
        for e in events:
            if not _scored(e):
                continue
            assert e.target is not None
            wanted = [x.split() for x in expect]
            if not any(e.source.code == w[0] and e.target.code == w[1] and e.cameo.startswith(w[2]) for w in wanted):
                extra.append(f"{e.source.code} {e.target.code} {e.cameo}")
    assert not missing and not extra, (
        f"\n  file:    {file}[{index}]\n  text:    {case['text']}\n  missing: {missing}\n  extra:   {extra}\n"
        f"  got:     {got}"
    )
