"""Language detection restricted to the supported languages, with the hint as a prior."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from communique.extract.domain.model import SUPPORTED_LANGUAGES

# (text) -> ranked (language, probability) over the supported languages
Classifier = Callable[[str], Sequence[tuple[str, float]]]

_CLOSE = {frozenset({"id", "ms"})}


def detect_language(text: str, hint: str | None, classify: Classifier | None, sample: int = 150) -> str:
    """The article's language.

    A supported hint is trusted unless the classifier is confident of another
    language that is not a close relative (Indonesian and Malay are close:
    the hint wins between them).
    """
    hint = (hint or "").split("-")[0].split("_")[0].lower() or None
    if hint not in SUPPORTED_LANGUAGES:
        hint = None
    if classify is None:
        return hint or "en"
    ranked = list(classify(text[:sample]))
    if not ranked:
        return hint or "en"
    top, p = ranked[0]
    if hint is None:
        return top if top in SUPPORTED_LANGUAGES else "en"
    if top == hint or frozenset({top, hint}) in _CLOSE:
        return hint
    hint_p = next((q for lang, q in ranked if lang == hint), 0.0)
    if p >= 0.98 and hint_p < 0.01:
        return top
    return hint
