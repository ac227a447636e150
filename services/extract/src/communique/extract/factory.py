"""Builds event coders by name; dictionaries are loaded once per process and cached."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from communique.extract.domain.coder import EventCoder
from communique.extract.domain.loader import PACKAGED_DATA, load_rows
from communique.extract.domain.model import SUPPORTED_LANGUAGES
from communique.extract.domain.resources import Resources
from communique.extract.domain.rules import RuleCoder

_LOCK = threading.Lock()
_CODERS: dict[tuple[str, str], EventCoder] = {}
_LANGID = None


def _classifier():  # type: ignore[no-untyped-def]
    global _LANGID
    if _LANGID is None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        ident.set_languages(list(SUPPORTED_LANGUAGES))
        _LANGID = ident
    return _LANGID.rank


def _segmenter():  # type: ignore[no-untyped-def]
    from sentencex import segment

    def seg(language: str, text: str):  # type: ignore[no-untyped-def]
        try:
            return segment(language, text)
        except Exception:  # sentencex lacks a language: fall back to English rules
            return segment("en", text)

    return seg


def build_coder(name: str = "rules", overlay_dir: Path | None = None, data_dir: Path | None = None,
                warm: bool = False) -> EventCoder:
    """The coder called ``name`` (only ``rules`` so far), built once and cached.

    ``overlay_dir`` adds rows to, or replaces rows of, the packaged dictionaries
    (default: the ``EXTRACT_OVERLAY_DIR`` environment setting). Dictionary rows
    are read once; the automata of a language are compiled on its first
    article (about 0.3 s each) unless ``warm`` compiles all twelve up front.
    """
    if name not in ("rules", "rules/0.1", "default"):
        raise ValueError(f"unknown coder {name!r}; available: rules")
    if overlay_dir is None and os.environ.get("EXTRACT_OVERLAY_DIR"):
        overlay_dir = Path(os.environ["EXTRACT_OVERLAY_DIR"])
    data = data_dir or PACKAGED_DATA
    key = (str(data), str(overlay_dir or ""))
    with _LOCK:
        coder = _CODERS.get(key)
        if coder is None:
            resources = Resources(load_rows(data, overlay_dir))
            if warm:
                for lang in SUPPORTED_LANGUAGES:
                    resources.for_language(lang)
            coder = RuleCoder(resources, classify=_classifier(), segment=_segmenter())
            _CODERS[key] = coder
        return coder


def clear_cache() -> None:
    """Forget built coders (tests that change dictionary files)."""
    with _LOCK:
        _CODERS.clear()
