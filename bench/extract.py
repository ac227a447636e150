"""Benchmark of the rule-based event coder: start-up, articles/s on one core, peak RSS.

Usage: python bench/extract.py [--corpus PATH] [--articles N] [--size BYTES]

Articles are built from the development corpus texts (concatenated to about
``--size`` bytes each, 3 KB by default). Prints a table; asserts nothing.
Targets (issue 3): >= 300 articles/s per core, start-up <= 5 s, <= 1 GB RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
from datetime import date
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "dev.jsonl"


def _articles(corpus: Path, n: int, size: int) -> list[tuple[str, str, str]]:
    rows = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_lang: dict[str, list[str]] = {}
    for r in rows:
        by_lang.setdefault(r.get("language") or "en", []).append(r["text"])
    out: list[tuple[str, str, str]] = []
    langs = sorted(by_lang)
    i = 0
    while len(out) < n:
        lang = langs[i % len(langs)]
        # a seeded shuffle per article: starting at text i (the old way) repeated the same
        # article for every language whose text count divides 12 (18 distinct in 2000)
        texts = random.Random(i).sample(by_lang[lang], len(by_lang[lang]))
        parts: list[str] = []
        j = 0
        while sum(len(p.encode("utf-8")) for p in parts) < size:
            parts.append(texts[j % len(texts)])
            j += 1
        text = "\n\n".join(parts)
        while len(text.encode("utf-8")) > size * 1.2 and "\n\n" in text:
            text = text.rsplit("\n\n", 1)[0]
        out.append((f"bench-{i}", lang, text))
        i += 1
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--size", type=int, default=3000)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    t0 = time.perf_counter()
    c0 = time.process_time()
    from communique.extract.domain.coder import ArticleInput
    from communique.extract.factory import build_coder

    coder = build_coder("rules")
    startup = time.perf_counter() - t0
    startup_cpu = time.process_time() - c0
    from communique.extract.domain.model import SUPPORTED_LANGUAGES

    t_warm = time.perf_counter()
    for lang in SUPPORTED_LANGUAGES:  # compile every language's automata (lazy otherwise)
        coder.resources.for_language(lang)  # type: ignore[attr-defined]
    warm = time.perf_counter() - t_warm
    if not args.corpus.is_file():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    arts = [ArticleInput(id=i, text=t, language=lang, published=date(2022, 6, 1))
            for i, lang, t in _articles(args.corpus, args.articles, args.size)]
    mean_bytes = sum(len(a.text.encode("utf-8")) for a in arts) / len(arts)
    coder.code(arts[0])  # warm-up
    events = 0
    t1 = time.perf_counter()
    c1 = time.process_time()
    for a in arts:
        events += len(coder.code(a))
    elapsed = time.perf_counter() - t1
    cpu = time.process_time() - c1
    rate = len(arts) / elapsed
    cpu_rate = len(arts) / cpu if cpu else float("inf")
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    rows = [
        ("start-up (import, dictionaries, langid)", f"{startup:8.2f} s", "<= 5 s"),
        ("start-up, CPU time (load-independent)", f"{startup_cpu:8.2f} s", ""),
        ("compile automata, all 12 languages", f"{warm:8.2f} s", "(lazy: per language on first use)"),
        ("articles coded", f"{len(arts):8d}", ""),
        ("mean article size", f"{mean_bytes:8.0f} B", "~3 KB"),
        ("throughput, one core (wall clock)", f"{rate:8.1f} articles/s", ">= 300"),
        ("throughput, one core (CPU time)", f"{cpu_rate:8.1f} articles/s", ">= 300"),
        ("events emitted", f"{events:8d}", ""),
        ("peak RSS", f"{rss_mb:8.1f} MB", "<= 1024 MB"),
    ]
    w = max(len(r[0]) for r in rows)
    print(f"{'measure':<{w}}  {'value':>22}  target")
    for name, value, target in rows:
        print(f"{name:<{w}}  {value:>22}  {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
