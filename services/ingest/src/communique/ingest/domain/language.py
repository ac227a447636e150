"""Language identification limited to the languages Communique codes.

The detector's model is data loaded once; ranking is a pure computation on the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

SUPPORTED = ("en", "id", "ms", "es", "fr", "de", "pt", "ru", "ar", "zh", "tr", "ja")
SAMPLE_CHARS = 1500


@lru_cache(maxsize=1)
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(SUPPORTED))
    return ident


@dataclass(frozen=True)
class LanguageGuess:
    """The detector's pick and the language chosen once a declared/configured hint is weighed."""

    detected: str | None
    chosen: str | None


def rank(text: str) -> list[tuple[str, float]]:
    """Supported languages by probability for ``text`` (empty for blank text)."""
    sample = text[:SAMPLE_CHARS].strip()
    if not sample:
        return []
    return [(str(lang), float(p)) for lang, p in _identifier().rank(sample)]


def choose(ranked: list[tuple[str, float]], hint: str | None) -> str | None:
    """The hint wins close calls (id/ms) and unsure detections; otherwise the detector's best."""
    hint = hint[:2].lower() if hint else None
    if not ranked:
        return hint if hint in SUPPORTED else None
    best, best_p = ranked[0]
    if hint in SUPPORTED:
        hinted = dict(ranked).get(hint, 0.0)
        if hinted >= 0.2 or best_p < 0.9:
            return hint
    return best


def guess_language(text: str, hint: str | None) -> LanguageGuess:
    """Detect once; return the detector's pick and the hinted choice."""
    ranked = rank(text)
    return LanguageGuess(detected=ranked[0][0] if ranked else None, chosen=choose(ranked, hint))


def detect_language(text: str, hint: str | None = None) -> str | None:
    """The most likely supported language of ``text``; the hint wins close calls (id/ms)."""
    return choose(rank(text), hint)
