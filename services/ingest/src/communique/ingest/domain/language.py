"""Language identification limited to the languages Communique codes."""

from __future__ import annotations

from functools import lru_cache

SUPPORTED = ("en", "id", "ms", "es", "fr", "de", "pt", "ru", "ar", "zh", "tr", "ja")


@lru_cache(maxsize=1)
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(SUPPORTED))
    return ident


def detect_language(text: str, hint: str | None = None) -> str | None:
    """The most likely supported language of ``text``; the hint wins close calls (id/ms)."""
    sample = text[:3000].strip()
    if not sample:
        return hint if hint in SUPPORTED else None
    ranked = _identifier().rank(sample)
    best, best_p = ranked[0]
    if hint in SUPPORTED:
        hinted = dict(ranked).get(hint, 0.0)
        if hinted >= 0.2 or best_p < 0.9:
            return hint
    return str(best)
