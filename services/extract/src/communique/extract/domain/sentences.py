"""Sentence splitting with offsets into the article text."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from communique.extract.domain.model import Sentence

Segmenter = Callable[[str, str], Iterable[str]]

_PARA_RE = re.compile(r"\n\s*\n|\n(?=\s*(?:[-*•]|\d+\.)\s)|\n")


def split_sentences(text: str, language: str, segment: Segmenter | None) -> list[Sentence]:
    """Sentences of ``text`` (paragraph breaks always end a sentence)."""
    out: list[Sentence] = []
    pos = 0
    for para in _PARA_RE.split(text):
        p_start = text.find(para, pos) if para else pos
        if p_start < 0:
            p_start = pos
        pos = p_start + len(para)
        if not para.strip():
            continue
        pieces = list(segment(language, para)) if segment else [para]
        cur = 0
        for piece in pieces:
            stripped = piece.strip()
            if not stripped:
                cur += len(piece)
                continue
            i = para.find(stripped, cur)
            if i < 0:
                continue
            s = p_start + i
            e = s + len(stripped)
            out.append(Sentence(index=len(out), start=s, end=e, text=text[s:e]))
            cur = i + len(stripped)
    return out
