"""Text normalisation, case folding and boundary tests (offset-preserving)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_QUOTES_DASHES = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u200b": " ", "\u3000": " ",
})

_SPECIAL = re.compile("[" + "".join(chr(c) for c in _QUOTES_DASHES) + "]")

# Length-preserving folds: Turkish dotted/dotless i, Arabic letter variants.
_FOLD_BASE = str.maketrans({"\u0130": "i"})
_FOLD_TR = str.maketrans({"\u0130": "i", "I": "\u0131"})
_FOLD_AR = str.maketrans({"\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",
                          "\u0649": "\u064a", "\u0640": " "})


def _replacer(table: dict[int, str | int | None]) -> Callable[[str], str]:
    """``str.translate(table)`` as a few ``str.replace`` calls.

    ``str.translate`` looks every character up in the table, which on non-ASCII
    text costs more than the rest of normalisation; replacing only the
    characters present is the same mapping when no replacement contains a key.
    """
    pairs = tuple((chr(k), chr(v) if isinstance(v, int) else v or "") for k, v in table.items())
    keys = {a for a, _ in pairs}
    if any(ch in keys for _, b in pairs for ch in b):
        return lambda text: text.translate(table)

    def apply(text: str) -> str:
        for a, b in pairs:
            if a in text:
                text = text.replace(a, b)
        return text

    return apply


_replace_quotes_dashes = _replacer(_QUOTES_DASHES)
_replace_fold_tr = _replacer(_FOLD_TR)
_replace_fold_ar = _replacer(_FOLD_AR)


def normalise(text: str) -> str:
    """NFC, straight quotes, ASCII dashes (offsets: see :func:`normalise_with_offsets`)."""
    return normalise_with_offsets(text)[0]


def normalise_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """NFC, straight quotes, ASCII dashes.

    Returns the normalised text and, when NFC changed its length, a list that
    maps every offset of the normalised text (and its end) to an offset of the
    original; None when offsets are unchanged.
    """
    offsets: list[int] | None = None
    if not unicodedata.is_normalized("NFC", text):
        composed = unicodedata.normalize("NFC", text)
        if len(composed) == len(text):
            text = composed
        else:
            # normalise cluster by cluster (a base character and its combining marks)
            parts: list[str] = []
            offsets = []
            i, n = 0, len(text)
            while i < n:
                j = i + 1
                while j < n and unicodedata.combining(text[j]):
                    j += 1
                chunk = unicodedata.normalize("NFC", text[i:j])
                parts.append(chunk)
                offsets.extend([i] * len(chunk))
                i = j
            offsets.append(n)
            text = "".join(parts)
    if _SPECIAL.search(text):
        text = _replace_quotes_dashes(text)
    return text, offsets


def fold(text: str, language: str | None = None) -> str:
    """Lower-case ``text`` without changing its length (offsets stay valid)."""
    if language == "tr":
        text = _replace_fold_tr(text)
    elif language == "ar":
        text = _replace_fold_ar(text)
    elif "\u0130" in text:
        text = text.translate(_FOLD_BASE)
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def is_word_char(ch: str) -> bool:
    if ch.isalnum() or ch == "_":
        return True
    return ch > "\x7f" and unicodedata.category(ch) in ("Mn", "Mc")


AR_CLITICS = frozenset({"و", "ف", "ب", "ل", "ال", "وال", "فال", "بال", "لل", "ول", "وب", "فب", "فل", "ك", "وك",
                        "س", "وس"})
ID_SUFFIXES = ("nya", "lah", "kah", "pun")
AR_SUFFIXES = ("ه", "ها", "هم", "هما", "ا", "وا", "ت", "ان", "ين", "ون", "ي")


def left_ok(text: str, start: int, language: str) -> bool:
    """Is ``start`` the beginning of a word (allowing Arabic proclitics)?"""
    if start == 0:
        return True
    prev = text[start - 1]
    if not (prev.isalnum() or prev == "_" or (prev > "\x7f" and is_word_char(prev))):
        return True
    if language == "ar":
        ws = start
        while ws > 0 and is_word_char(text[ws - 1]) and start - ws <= 3:
            ws -= 1
        if (ws == 0 or not is_word_char(text[ws - 1])) and text[ws:start] in AR_CLITICS:
            return True
    return False


def right_end(text: str, end: int, language: str) -> int:
    """Where the word containing ``end`` ends if the extra letters are an allowed suffix, else -1.

    ``end`` is exclusive. Returns ``end`` itself when it is a word boundary.
    """
    n = len(text)
    if end >= n:
        return end
    nxt = text[end]
    if not (nxt.isalnum() or nxt == "_" or (nxt > "\x7f" and is_word_char(nxt))):
        return end
    if language in ("id", "ms"):
        for suf in ID_SUFFIXES:
            e = end + len(suf)
            if text.startswith(suf, end) and (e >= n or not is_word_char(text[e])):
                return e
    elif language == "ar":
        for suf in AR_SUFFIXES:
            e = end + len(suf)
            if text.startswith(suf, end) and (e >= n or not is_word_char(text[e])):
                return e
    return -1


_WORD_RE = re.compile(r"\w+(?:['\-]\w+)*", re.UNICODE)


def words(text: str) -> list[tuple[int, int, str]]:
    """Word tokens of ``text`` as (start, end, token)."""
    return [(m.start(), m.end(), m.group()) for m in _WORD_RE.finditer(text)]
