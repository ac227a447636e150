"""Compiled dictionary matchers: Aho-Corasick automata over folded text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from operator import itemgetter
from typing import Generic, NamedTuple, TypeVar

import ahocorasick

from communique.extract.domain.model import UNSPACED_LANGUAGES, TriggerPattern
from communique.extract.domain.text import fold, left_ok, right_end

T = TypeVar("T")


def _is_cased(surface: str) -> bool:
    """Short all-capital forms (US, UN, AS, RI, PM) only match with their case."""
    if len(surface) > 12 or not surface.isupper():
        return False
    return sum(1 for c in surface if c.isalpha()) <= 5


class SurfaceHit(NamedTuple, Generic[T]):
    # a named tuple: built for every dictionary hit, it costs a fraction of a frozen dataclass
    start: int
    end: int
    payloads: tuple[T, ...]


_NONWORD = re.compile(r"[^\w\u0300-\u036f]")
_ID_SUFFIXES = ("", "nya", "lah", "kah", "pun")


_ASCII_NONWORD = bytes(32 if _NONWORD.match(chr(b)) else b for b in range(128)) + bytes(range(128, 256))
_IS_NONWORD: dict[str, bool] = {}  # character -> matches _NONWORD (memo over the characters seen)


def boundary_text(folded: str) -> str:
    """`folded` with every non-word character turned into a space, framed by spaces.

    Offsets shift by one: position ``i`` of the text is ``i + 1`` here.
    """
    # same result as _NONWORD.sub(" ", folded), without a regex match per character
    if folded.isascii():
        return " " + folded.encode("ascii").translate(_ASCII_NONWORD).decode("ascii") + " "
    out = folded
    for ch in set(folded):
        nonword = _IS_NONWORD.get(ch)
        if nonword is None:
            nonword = _IS_NONWORD[ch] = ch != " " and _NONWORD.match(ch) is not None
        if nonword:
            out = out.replace(ch, " ")
    return " " + out + " "


def _bkey(key: str) -> str:
    return _NONWORD.sub(" ", key)


class SurfaceMatcher(Generic[T]):
    """Finds dictionary surface forms in text, leftmost-longest, on word boundaries.

    For space-separated languages other than Arabic the automaton runs over
    :func:`boundary_text`, with keys framed by spaces, so that only whole
    words match (Indonesian/Malay clitic variants are added as extra keys).
    """

    def __init__(self, items: Iterable[tuple[str, T]], language: str) -> None:
        self.language = language
        self.spaced = language not in UNSPACED_LANGUAGES
        self.framed = self.spaced and language != "ar"
        table: dict[str, list[tuple[str | None, T]]] = {}
        for surface, payload in items:
            surface = surface.strip()
            if not surface:
                continue
            key = fold(surface, language)
            table.setdefault(key, []).append((surface if _is_cased(surface) else None, payload))
        self._automaton = ahocorasick.Automaton()
        suffixes = _ID_SUFFIXES if language in ("id", "ms") else ("",)
        self._symbols: list[tuple[str, tuple]] = []  # type: ignore[type-arg]
        for key, values in table.items():
            # (readings, cased forms or None): the common case needs no per-hit filtering
            vals = (tuple(p for _, p in values), tuple(values) if any(c for c, _ in values) else None)
            if self.framed and not _bkey(key).strip():
                self._symbols.append((key, vals))  # "©", "&": no word characters to frame
                continue
            if self.framed:
                bk = _bkey(key)
                for suf in suffixes:
                    # value: (length of the form in the text, length with the clitic, readings)
                    self._automaton.add_word(" " + bk + suf + " ", (len(key), len(key) + len(suf), vals))
            else:
                self._automaton.add_word(key, (len(key), len(key), vals))
        self.size = len(table)
        self._has_words = len(table) > len(self._symbols)
        if self._has_words:
            self._automaton.make_automaton()

    def find(self, text: str, folded: str, framed: str | None = None) -> list[SurfaceHit[T]]:
        """Hits in ``text``; ``framed`` may pass a precomputed :func:`boundary_text` of ``folded``."""
        if not self.size:
            return []
        # candidates as (start, -length, end, payloads): sorted on the first two fields
        cands: list[tuple[int, int, int, tuple[T, ...]]] = []
        append = cands.append
        lang = self.language
        if self.framed:
            for key, values in self._symbols:
                i = folded.find(key)
                while i >= 0:
                    append((i, -len(key), i + len(key), values[0]))
                    i = folded.find(key, i + 1)
            hay = framed if framed is not None else boundary_text(folded)
            for last, (length, full, values) in (self._automaton.iter(hay) if self._has_words else ()):
                # key = " " + form + suffix + " ": the form starts after the leading space
                start = last - full - 1  # (last - (full + 2) + 1) + 1 - 1 for the framing offset
                if values[1] is None:
                    append((start, -full, start + full, values[0]))
                    continue
                end = start + length
                payloads = tuple(p for cased, p in values[1] if cased is None or text[start:end] == cased)
                if payloads:
                    append((start, -full, start + full, payloads))
        else:
            spaced = self.spaced
            for last, (length, _full, values) in self._automaton.iter(folded):
                start = last - length + 1
                end = last + 1
                e = end
                if spaced:
                    if not left_ok(folded, start, lang):
                        continue
                    e = right_end(folded, end, lang)
                    if e < 0:
                        continue
                payloads = values[0] if values[1] is None else \
                    tuple(p for cased, p in values[1] if cased is None or text[start:end] == cased)
                if payloads:
                    append((start, start - e, e, payloads))
        # leftmost-longest (a stable sort: equal spans keep their order of discovery)
        cands.sort(key=_START_LONGEST)
        out: list[SurfaceHit[T]] = []
        last_end = -1
        new = tuple.__new__
        for start, _neg, e, payloads in cands:
            if start >= last_end:
                out.append(new(SurfaceHit, (start, e, payloads)))
                last_end = e
        return out


_START_LONGEST = itemgetter(0, 1)


def _leftmost_longest(cands: list[tuple[int, int, T]]) -> list[tuple[int, int, T]]:
    cands.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    out: list[tuple[int, int, T]] = []
    last_end = -1
    for c in cands:
        if c[0] >= last_end:
            out.append(c)
            last_end = c[1]
    return out


_SUFFIX_RE = {
    "id": r"(?:nya|lah|kah|pun)?",
    "ms": r"(?:nya|lah|kah|pun)?",
    "tr": r"(?:'\w+)?",
    "ar": r"(?:ه|ها|هم|هما|ا|وا|ت|ان|ين|ون|ي)?",
}


def _pattern_regex(tokens: tuple[str, ...], language: str) -> re.Pattern[str]:
    suffix = _SUFFIX_RE.get(language, "")
    parts: list[str] = []
    for tok in tokens:
        if tok == "~":
            parts.append(r"[^\s]+")
        elif tok.endswith("*") and len(tok) > 1:
            parts.append(re.escape(fold(tok[:-1], language)) + r"\w*(?:[-']\w+)?")
        else:
            parts.append(re.escape(fold(tok, language)) + suffix)
    return re.compile(r"[\s,]*\s".join(parts) + r"(?!\w)")


def _token_literal(tok: str, language: str) -> str | None:
    """The literal text a token's regex part starts with (None for a `~` gap)."""
    if tok == "~":
        return None
    if tok.endswith("*") and len(tok) > 1:
        return fold(tok[:-1], language)
    return fold(tok, language)


# After the first token's literal, its regex part can only add [\w'-] characters, and the
# separator is `[\s,]*\s`: so a second token that starts with neither a space nor a comma
# can only start where this match ends.
_AFTER_FIRST = re.compile(r"[\w'\-]*[\s,]*")


class _Compiled:
    """A trigger pattern with its verifying regex, compiled on first use."""

    __slots__ = ("_regex", "language", "pattern", "second", "tokens")

    def __init__(self, pattern: TriggerPattern, tokens: tuple[str, ...] | None, language: str,
                 anchor: str = "") -> None:
        self.pattern = pattern
        self.tokens = tokens  # None: the anchor is the whole pattern (literal)
        self.language = language
        self._regex: re.Pattern[str] | None = None
        # a cheap necessary condition checked before the regex: the second token's literal
        # must start where :data:`_AFTER_FIRST` ends (None: no such pre-check)
        self.second: str | None = None
        if tokens is not None and len(tokens) >= 2 and _token_literal(tokens[0], language) == anchor:
            lit = _token_literal(tokens[1], language)
            if lit and lit[0] != "," and not lit[0].isspace():
                self.second = lit

    @property
    def regex(self) -> re.Pattern[str] | None:
        if self.tokens is None:
            return None
        if self._regex is None:
            self._regex = _pattern_regex(self.tokens, self.language)
        return self._regex


class TriggerMatcher:
    """Finds lexicon trigger patterns (with `*` prefixes and `~` gaps)."""

    def __init__(self, patterns: Iterable[TriggerPattern], language: str) -> None:
        self.language = language
        self.spaced = language not in UNSPACED_LANGUAGES
        anchors: dict[tuple[str, bool], list[_Compiled]] = {}
        for p in patterns:
            if self.spaced:
                toks = tuple(t for t in p.pattern.split() if t)
                if not toks or toks[0] == "~":
                    continue
                whole = not toks[0].endswith("*")
                anchor = fold(toks[0].rstrip("*") if toks[0] != "*" else "", language)
                if not anchor:
                    continue
                simple = len(toks) == 1 and whole
                comp = _Compiled(p, None if simple else toks, language, anchor)
            else:
                whole = False
                anchor = fold(p.pattern.strip(), language)
                if not anchor:
                    continue
                comp = _Compiled(p, None, language)
            anchors.setdefault((anchor, whole), []).append(comp)
        self._automaton = ahocorasick.Automaton()
        # Framed mode (spaced languages but Arabic): keys are framed by spaces so that only
        # word-initial anchors (and whole words, for literal first tokens) are reported.
        self.framed = self.spaced and language != "ar"
        suffixes = _ID_SUFFIXES if language in ("id", "ms") else ("",)
        keys: dict[str, list[tuple[int, tuple[_Compiled, ...]]]] = {}
        for (anchor, whole), comps in anchors.items():
            if not self.framed:
                keys.setdefault(anchor, []).append((len(anchor), tuple(comps)))
            elif whole:
                for suf in suffixes:
                    keys.setdefault(" " + _bkey(anchor) + suf + " ", []).append((len(anchor), tuple(comps)))
            else:
                keys.setdefault(" " + _bkey(anchor), []).append((len(anchor), tuple(comps)))
        for key, vals in keys.items():
            self._automaton.add_word(key, (len(key), tuple(vals)))
        self.size = len(keys)
        if keys:
            self._automaton.make_automaton()

    def find(self, folded: str, framed: str | None = None) -> list[tuple[int, int, TriggerPattern]]:
        """All trigger hits as (start, end, pattern), longest first per position, non-overlapping."""
        if not self.size:
            return []
        lang = self.language
        cands: list[tuple[int, int, TriggerPattern]] = []
        hits: list[tuple[int, int, tuple[_Compiled, ...]]] = []  # (start, anchor length, patterns)
        if self.framed:
            hay = framed if framed is not None else boundary_text(folded)
            # a key starting with a space at hay index i puts its anchor at text index i
            for last, (keylen, vals) in self._automaton.iter(hay):
                start = last - keylen + 1
                hits.extend((start, alen, comps) for alen, comps in vals)
        else:
            for last, (keylen, vals) in self._automaton.iter(folded):
                hits.extend((last - keylen + 1, alen, comps) for alen, comps in vals)
        after_first = _AFTER_FIRST.match
        for start, length, comps in hits:
            last = start + length - 1
            if self.spaced and not self.framed and not left_ok(folded, start, lang):
                continue
            nxt = -1  # where a second token can start (computed on first need)
            for comp in comps:
                if comp.tokens is None:
                    if self.spaced:
                        e = right_end(folded, last + 1, lang)
                        if e < 0:
                            continue
                    else:
                        e = last + 1
                    cands.append((start, e, comp.pattern))
                else:
                    second = comp.second
                    if second is not None:
                        if nxt < 0:
                            nxt = after_first(folded, start + length).end()  # type: ignore[union-attr]
                        if not folded.startswith(second, nxt):
                            continue
                    regex = comp._regex or comp.regex
                    m = regex.match(folded, start)  # type: ignore[union-attr]
                    if m:
                        cands.append((start, m.end(), comp.pattern))
        # on equal spans a specific (non-weak) pattern wins
        cands.sort(key=lambda c: "weak" in c[2].flags)
        return _leftmost_longest(cands)
