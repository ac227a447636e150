"""Offline coding of JSON Lines articles and scoring on labelled corpora."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from communique.extract.domain.coder import ArticleInput, EventCoder
from communique.extract.domain.loader import PACKAGED_DATA, read_tsv
from communique.extract.domain.scoring import (
    PRF,
    Scores,
    Triple,
    is_scored_prediction,
    plover_triple,
    reliability,
    root_triple,
)


def parse_date(value: Any) -> date | None:
    """The date of an ISO date or timestamp string (its local calendar date)."""
    if not value:
        return None
    if isinstance(value, date):
        return value
    s = str(value).strip()
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return date.fromisoformat(s[:10])
        except ValueError:
            return None


def article_from_json(obj: dict[str, Any]) -> ArticleInput:
    if not isinstance(obj, dict):
        raise ValueError("an article must be a JSON object")
    if obj.get("id") in (None, ""):
        raise ValueError("missing field 'id'")
    text = obj.get("text")
    if not isinstance(text, str):
        raise ValueError("missing or non-string field 'text'")
    return ArticleInput(
        id=str(obj["id"]), text=text, title=str(obj.get("title") or ""),
        language=obj.get("language") or None, published=parse_date(obj.get("published")),
        source_name=obj.get("source_name") or None, url=obj.get("url") or None,
    )


def code_jsonl(inp: TextIO, out: TextIO, coder: EventCoder) -> int:
    """Code every article line of ``inp``; write ``{"id", "events"}`` lines in input order.

    A line that cannot be parsed or coded yields ``{"id": …, "events": [], "error": …}``.
    Returns the number of lines written.
    """
    n = 0
    for line in inp:
        if not line.strip():
            continue
        art_id: Any = None
        try:
            obj = json.loads(line)
            if isinstance(obj, dict):
                art_id = obj.get("id")
            article = article_from_json(obj)
            events = coder.code(article)
            record: dict[str, Any] = {"id": art_id, "events": [e.model_dump(mode="json") for e in events]}
        except Exception as exc:  # one bad article must not stop the batch
            record = {"id": art_id, "events": [], "error": f"{type(exc).__name__}: {exc}"}
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        n += 1
    return n


def _plover_table() -> dict[str, str]:
    return {r["code"]: r["plover"] for r in read_tsv(PACKAGED_DATA / "cameo.tsv") if r.get("plover")}


@dataclass
class ArticleErrors:
    id: str
    language: str
    false_positives: list[Triple]
    misses: list[Triple]


@dataclass
class EvalReport:
    """Scores of one coder on one corpus (event-coding.md §5)."""

    corpus: str
    articles: int = 0
    cameo: Scores = field(default_factory=Scores)
    plover: Scores = field(default_factory=Scores)
    cameo_by_language: dict[str, PRF] = field(default_factory=dict)
    plover_by_language: dict[str, PRF] = field(default_factory=dict)
    detection: PRF = field(default_factory=PRF)
    negatives: int = 0
    negatives_with_events: int = 0
    cameo_articles: int = 0
    reliability_points: list[tuple[float, bool]] = field(default_factory=list)
    errors: list[ArticleErrors] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)

    def format(self, errors: bool = False) -> str:
        lines: list[str] = [f"corpus: {self.corpus}   articles: {self.articles}"]

        def row(name: str, s: PRF) -> str:
            return (f"  {name:<12} P {s.precision:6.3f}  R {s.recall:6.3f}  F1 {s.f1:6.3f}"
                    f"   tp {s.tp:4d} fp {s.fp:4d} fn {s.fn:4d}")

        if self.cameo_articles:
            lines.append("CAMEO root (overall)")
            lines.append(row("all", self.cameo.overall))
            for label in sorted(self.cameo.by_label):
                lines.append(row(label, self.cameo.by_label[label]))
        else:
            lines.append("CAMEO root: n/a (corpus labelled with PLOVER only)")
        lines.append("PLOVER type")
        lines.append(row("all", self.plover.overall))
        for label in sorted(self.plover.by_label):
            lines.append(row(label, self.plover.by_label[label]))
        lines.append("Article-level detection")
        d = self.detection
        lines.append(f"  P {d.precision:6.3f}  R {d.recall:6.3f}  F1 {d.f1:6.3f}   tp {d.tp} fp {d.fp} fn {d.fn}")
        lines.append("Per language" + (" (CAMEO root F1 / PLOVER F1)"))
        for lang in sorted(set(self.cameo_by_language) | set(self.plover_by_language)):
            c = self.cameo_by_language.get(lang)
            p = self.plover_by_language.get(lang, PRF())
            cs = f"{c.f1:6.3f} (P {c.precision:5.3f} R {c.recall:5.3f})" if c and c.tp + c.fp + c.fn else "   n/a"
            lines.append(f"  {lang:<4} root F1 {cs}   plover F1 {p.f1:6.3f}")
        lines.append(f"Negative articles with any event: {self.negatives_with_events} of {self.negatives}")
        lines.append("Confidence reliability (scored predictions; correct = root triple in gold, else PLOVER)")
        lines.append("  bin          n   mean conf  precision")
        for lo, hi, n, mean, prec in reliability(self.reliability_points):
            lines.append(f"  {lo:.1f}-{hi:.1f}   {n:5d}   {mean:8.3f}   {prec:8.3f}")
        if self.failures:
            lines.append(f"Articles that failed to code: {len(self.failures)}")
            for aid, msg in self.failures[:20]:
                lines.append(f"  {aid}: {msg}")
        if errors:
            lines.append("Errors per article")
            for e in self.errors:
                if not e.false_positives and not e.misses:
                    continue
                lines.append(f"  {e.id} [{e.language}]")
                for t in e.false_positives:
                    lines.append(f"    FP {t[0]} -> {t[1]} {t[2]}")
                for t in e.misses:
                    lines.append(f"    FN {t[0]} -> {t[1]} {t[2]}")
        return "\n".join(lines)


def evaluate(corpus: Path, coder: EventCoder, language: str | None = None) -> EvalReport:
    """Score ``coder`` on a labelled JSON Lines corpus, micro-averaged (event-coding.md §5)."""
    plover_of = _plover_table()
    report = EvalReport(corpus=str(corpus))
    with open(corpus, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            obj = json.loads(line)
            lang = obj.get("language") or "?"
            if language and lang != language:
                continue
            report.articles += 1
            gold_events = obj.get("events") or []
            try:
                preds = coder.code(article_from_json(obj))
            except Exception as exc:
                report.failures.append((str(obj.get("id")), f"{type(exc).__name__}: {exc}"))
                preds = []
            scored = [e for e in preds
                      if is_scored_prediction(e.source.code, e.target.code if e.target else None, e.cameo)]
            has_cameo = not gold_events or any("cameo" in g for g in gold_events)
            gold_root = {root_triple(g["source"], g["target"], g["cameo"]) for g in gold_events if g.get("cameo")}
            gold_plover: set[Triple] = set()
            for g in gold_events:
                pl = g.get("plover") or (plover_of.get(g["cameo"]) if g.get("cameo") else None)
                if pl:
                    gold_plover.add(plover_triple(g["source"], g["target"], pl))
            pred_root: dict[Triple, float] = {}
            pred_plover: dict[Triple, float] = {}
            for e in scored:
                assert e.target is not None
                t = root_triple(e.source.code, e.target.code, e.cameo)
                pred_root[t] = max(pred_root.get(t, 0.0), e.confidence)
                if e.plover:
                    tp = plover_triple(e.source.code, e.target.code, e.plover)
                    pred_plover[tp] = max(pred_plover.get(tp, 0.0), e.confidence)
            if has_cameo:
                report.cameo_articles += 1
                report.cameo.add(gold_root, set(pred_root))
                report.cameo_by_language.setdefault(lang, PRF()).add(gold_root, set(pred_root))
                report.reliability_points.extend((c, t in gold_root) for t, c in pred_root.items())
                report.errors.append(ArticleErrors(str(obj.get("id")), lang, sorted(set(pred_root) - gold_root),
                                                   sorted(gold_root - set(pred_root))))
            else:
                report.reliability_points.extend((c, t in gold_plover) for t, c in pred_plover.items())
                report.errors.append(ArticleErrors(str(obj.get("id")), lang, sorted(set(pred_plover) - gold_plover),
                                                   sorted(gold_plover - set(pred_plover))))
            report.plover.add(gold_plover, set(pred_plover))
            report.plover_by_language.setdefault(lang, PRF()).add(gold_plover, set(pred_plover))
            gold_pos, pred_pos = bool(gold_events), bool(scored)
            report.detection.tp += gold_pos and pred_pos
            report.detection.fp += (not gold_pos) and pred_pos
            report.detection.fn += gold_pos and not pred_pos
            if not gold_events:
                report.negatives += 1
                report.negatives_with_events += pred_pos
    return report
