"""Scoring predictions against labelled events (event-coding.md §5). Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

SYMMETRIC_ROOTS = frozenset({"03", "04", "05", "06"})
SYMMETRIC_PLOVER = frozenset({"AGREE", "CONSULT", "COOPERATE", "SUPPORT"})
IGNORED_ROOTS = frozenset({"01", "18", "19", "20"})

Triple = tuple[str, str, str]


def _key(src: str, tgt: str, label: str, symmetric: bool) -> Triple:
    if symmetric and tgt < src:
        src, tgt = tgt, src
    return (src, tgt, label)


def root_triple(src: str, tgt: str, cameo: str) -> Triple:
    root = cameo[:2]
    return _key(src, tgt, root, root in SYMMETRIC_ROOTS)


def plover_triple(src: str, tgt: str, plover: str) -> Triple:
    return _key(src, tgt, plover, plover in SYMMETRIC_PLOVER)


def is_scored_prediction(src: str, tgt: str | None, cameo: str) -> bool:
    return bool(tgt) and src != tgt and cameo[:2] not in IGNORED_ROOTS


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: set[Triple], pred: set[Triple]) -> None:
        self.tp += len(gold & pred)
        self.fp += len(pred - gold)
        self.fn += len(gold - pred)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.tp + self.fn


@dataclass
class Scores:
    """Micro-averaged counts, overall and per label."""

    overall: PRF = field(default_factory=PRF)
    by_label: dict[str, PRF] = field(default_factory=dict)

    def add(self, gold: set[Triple], pred: set[Triple]) -> None:
        self.overall.add(gold, pred)
        for label in {t[2] for t in gold | pred}:
            self.by_label.setdefault(label, PRF()).add({t for t in gold if t[2] == label},
                                                       {t for t in pred if t[2] == label})


def reliability(points: Iterable[tuple[float, bool]], edges: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0001)
                ) -> list[tuple[float, float, int, float, float]]:
    """(low, high, n, mean confidence, precision) per confidence bin."""
    bins: list[list[tuple[float, bool]]] = [[] for _ in edges[:-1]]
    for conf, ok in points:
        for i in range(len(edges) - 1):
            if edges[i] <= conf < edges[i + 1]:
                bins[i].append((conf, ok))
                break
    out = []
    for i, b in enumerate(bins):
        n = len(b)
        out.append((edges[i], min(edges[i + 1], 1.0), n, sum(c for c, _ in b) / n if n else 0.0,
                    sum(1 for _, ok in b if ok) / n if n else 0.0))
    return out


def counter_str(c: Counter[str]) -> str:
    return ", ".join(f"{k}:{v}" for k, v in sorted(c.items()))
