"""Scoring follows event-coding.md §5."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from communique.contracts import ActorV1, EventV1, EvidenceV1
from communique.extract.domain.coder import ArticleInput
from communique.extract.domain.scoring import PRF, is_scored_prediction, plover_triple, root_triple
from communique.extract.offline import code_jsonl, evaluate


@pytest.mark.parametrize(("a", "b", "equal"), [
    (("CHN", "KAZ", "042"), ("KAZ", "CHN", "043"), True),   # 04 symmetric
    (("CHN", "KAZ", "111"), ("KAZ", "CHN", "111"), False),  # 11 directed
    (("CHN", "KAZ", "057"), ("KAZ", "CHN", "051"), True),   # 05 symmetric
])
def test_root_triples(a: tuple[str, str, str], b: tuple[str, str, str], equal: bool) -> None:
    assert (root_triple(*a) == root_triple(*b)) is equal


def test_plover_symmetry() -> None:
    assert plover_triple("A", "B", "CONSULT") == plover_triple("B", "A", "CONSULT")
    assert plover_triple("A", "B", "ACCUSE") != plover_triple("B", "A", "ACCUSE")


@pytest.mark.parametrize(("src", "tgt", "cameo", "scored"), [
    ("CHN", "KAZ", "042", True), ("CHN", "CHN", "042", False), ("CHN", None, "042", False),
    ("CHN", "KAZ", "010", False), ("CHN", "KAZ", "190", False), ("CHN", "KAZ", "173", True),
])
def test_ignored_predictions(src: str, tgt: str | None, cameo: str, scored: bool) -> None:
    assert is_scored_prediction(src, tgt, cameo) is scored


def test_prf() -> None:
    p = PRF()
    p.add({("A", "B", "04"), ("A", "C", "11")}, {("A", "B", "04"), ("B", "C", "12")})
    assert (p.tp, p.fp, p.fn) == (1, 1, 1) and p.f1 == pytest.approx(0.5)


def _event(article: str, src: str, tgt: str, cameo: str, conf: float = 0.7) -> EventV1:
    return EventV1(event_id="x", article_id=article, date=date(2025, 1, 1), source=ActorV1(code=src),
                   target=ActorV1(code=tgt), cameo=cameo, cameo_root=cameo[:2], quad_class=1, goldstein=0.0,
                   plover="CONSULT" if cameo.startswith("04") else None,
                   evidence=EvidenceV1(sentence="s", start=0, end=1, trigger="t"), language="en", confidence=conf)


class _FakeCoder:
    name = "fake"

    def __init__(self, events: dict[str, list[EventV1]]) -> None:
        self.events = events

    def code(self, article: ArticleInput) -> list[EventV1]:
        if article.id == "boom":
            raise RuntimeError("bad article")
        return self.events.get(article.id, [])


def test_evaluate(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    rows = [
        {"id": "a1", "language": "en", "text": "x", "events": [{"source": "CHN", "target": "KAZ", "cameo": "042"}]},
        {"id": "a2", "language": "id", "text": "x", "events": []},
        {"id": "a3", "language": "en", "text": "x",
         "events": [{"source": "USA", "target": "RUS", "plover": "CONSULT"}]},
    ]
    corpus.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    coder = _FakeCoder({"a1": [_event("a1", "KAZ", "CHN", "043"), _event("a1", "KAZ", "KAZ", "040")],
                        "a2": [_event("a2", "IDN", "MYS", "111")],
                        "a3": [_event("a3", "RUS", "USA", "040")]})
    report = evaluate(corpus, coder)
    assert (report.cameo.overall.tp, report.cameo.overall.fp, report.cameo.overall.fn) == (1, 1, 0)
    assert report.plover.overall.tp == 2
    assert report.negatives == 1 and report.negatives_with_events == 1
    text = report.format(errors=True)
    assert "FP IDN -> MYS 11" in text and "Per language" in text and "reliability" in text


def test_code_jsonl_survives_bad_lines() -> None:
    import io

    inp = io.StringIO('{"id": "ok", "text": "x"}\nnot json\n{"id": "boom", "text": "x"}\n{"text": "no id"}\n')
    out = io.StringIO()
    n = code_jsonl(inp, out, _FakeCoder({}))
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert n == 4 and [x["id"] for x in lines] == ["ok", None, "boom", None]
    assert "error" not in lines[0] and all("error" in x for x in lines[1:])


def test_code_jsonl_ten_thousand_articles_in_order() -> None:
    import io

    lines = "".join(json.dumps({"id": f"a{i}", "text": "x"}) + "\n" for i in range(10_000))
    out = io.StringIO()
    assert code_jsonl(io.StringIO(lines), out, _FakeCoder({})) == 10_000
    ids = [json.loads(x)["id"] for x in out.getvalue().splitlines()]
    assert ids == [f"a{i}" for i in range(10_000)]


def test_code_jsonl_with_the_rule_coder(coder) -> None:  # type: ignore[no-untyped-def]
    import io

    rows = [{"id": f"r{i}", "text": "Indonesia and Singapore signed three agreements on Tuesday.",
             "language": "en", "published": "2022-01-25T10:00:00+07:00"} for i in range(50)]
    out = io.StringIO()
    code_jsonl(io.StringIO("\n".join(json.dumps(r) for r in rows) + "\n"), out, coder)
    records = [json.loads(x) for x in out.getvalue().splitlines()]
    assert len(records) == 50
    ev = records[0]["events"]
    got = {(e["source"]["code"], e["target"]["code"], e["cameo"]) for e in ev}
    assert got >= {("IDN", "SGP", "057"), ("SGP", "IDN", "057")}
    assert all(0.0 <= e["confidence"] <= 1.0 and e["coder"].startswith("rules/") for e in ev)
    again = io.StringIO()
    code_jsonl(io.StringIO(json.dumps(rows[0]) + "\n"), again, coder)
    assert [e["event_id"] for e in json.loads(again.getvalue())["events"]] == [e["event_id"] for e in ev]
