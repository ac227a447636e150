"""Table-driven tests of the pure pipeline stages."""

from __future__ import annotations

import pytest

from communique.extract.domain.language import detect_language
from communique.extract.domain.matcher import SurfaceMatcher, TriggerMatcher
from communique.extract.domain.model import TriggerPattern
from communique.extract.domain.sentences import split_sentences
from communique.extract.domain.text import fold, normalise


@pytest.mark.parametrize(("raw", "expected"), [
    ("\u201cHello\u201d \u2013 world\u2019s", '"Hello" - world\'s'),
    ("Cafe\u0301", "Café"),
    ("a\u00a0b", "a b"),
])
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize(("raw", "lang", "expected"), [
    ("İSTANBUL", "tr", "istanbul"),
    ("IRAK", "tr", "ırak"),
    ("Straße", "de", "straße"),
    ("أمريكا", "ar", "امريكا"),
])
def test_fold_keeps_length(raw: str, lang: str, expected: str) -> None:
    out = fold(raw, lang)
    assert out == expected and len(out) == len(raw)


def _rank(scores: dict[str, float]):  # type: ignore[no-untyped-def]
    return lambda text: sorted(scores.items(), key=lambda kv: -kv[1])


@pytest.mark.parametrize(("hint", "scores", "expected"), [
    ("id", {"ms": 0.6, "id": 0.4}, "id"),          # close languages: the hint wins
    ("ms", {"id": 0.9, "ms": 0.1}, "ms"),
    ("en", {"fr": 0.999, "en": 0.0001}, "fr"),     # a confident, different language overrides a wrong hint
    ("en", {"fr": 0.7, "en": 0.3}, "en"),
    (None, {"de": 0.8, "en": 0.2}, "de"),
    ("xx", {"ru": 0.9}, "ru"),
])
def test_detect_language(hint: str | None, scores: dict[str, float], expected: str) -> None:
    assert detect_language("some text", hint, _rank(scores)) == expected


def test_sentences_keep_offsets() -> None:
    text = "JAKARTA - First sentence here. Second one follows!\n\nA new paragraph starts."
    sents = split_sentences(text, "en", None)
    assert [s.text for s in sents] == ["JAKARTA - First sentence here. Second one follows!", "A new paragraph starts."]
    for s in sents:
        assert text[s.start:s.end] == s.text


def test_sentences_with_sentencex() -> None:
    from sentencex import segment

    text = "Xi met Tokayev. They signed deals.\n\nTokayev praised China."
    sents = split_sentences(text, "en", segment)
    assert len(sents) == 3
    for s in sents:
        assert text[s.start:s.end] == s.text


@pytest.mark.parametrize(("lang", "forms", "text", "found"), [
    ("en", ["China", "US"], "China and the US met; us and them.", ["China", "US"]),
    ("en", ["Iran"], "Iranian oil", []),                       # word boundary
    ("tr", ["Türkiye"], "Türkiye'ye geldi", ["Türkiye"]),       # Turkish apostrophe suffix
    ("id", ["Indonesia"], "pemerintah Indonesianya", ["Indonesia"]),  # clitic -nya
    ("ar", ["مصر"], "وبمصر اليوم", ["مصر"]),                     # proclitics
    ("zh", ["中国"], "中国和哈萨克斯坦", ["中国"]),                # substring
    ("en", ["United States", "United"], "the United States said", ["United States"]),  # longest wins
])
def test_surface_matcher(lang: str, forms: list[str], text: str, found: list[str]) -> None:
    m = SurfaceMatcher([(f, f) for f in forms], lang)
    hits = m.find(text, fold(text, lang))
    assert [h.payloads[0] for h in hits] == found


@pytest.mark.parametrize(("lang", "pattern", "text", "match"), [
    ("en", "sign*", "they signed it", "signed"),
    ("en", "held ~ talks", "they held bilateral talks", "held bilateral talks"),
    ("en", "held ~ talks", "they held talks", None),
    ("en", "met", "metropolitan", None),
    ("id", "bertemu", "bertemunya", "bertemunya"),
    ("zh", "会谈", "两国领导人举行会谈", "会谈"),
])
def test_trigger_matcher(lang: str, pattern: str, text: str, match: str | None) -> None:
    m = TriggerMatcher([TriggerPattern("040", pattern)], lang)
    hits = m.find(fold(text, lang))
    assert ([text[s:e] for s, e, _ in hits][:1] or [None])[0] == match


def test_evidence_offsets_survive_nfc(coder) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from communique.extract.domain.coder import ArticleInput

    text = "Cafe\u0301 news. Indonesia and Singapore signed three agreements on Tuesday."
    events = coder.code(ArticleInput(id="nfc", text=text, language="en", published=date(2022, 1, 25)))
    assert events
    for e in events:
        assert text[e.evidence.start:e.evidence.end] == e.evidence.sentence


# -- actor groups and references ---------------------------------------------------------------

from datetime import date as _date  # noqa: E402

from communique.extract.domain.actors import build_mentions  # noqa: E402
from communique.extract.domain.model import ActorEntry  # noqa: E402

_ENTRIES = [
    ("China", ActorEntry("CHN", "state", "short")),
    ("Chinese", ActorEntry("CHN", "state", "adjective")),
    ("Kazakhstan", ActorEntry("KAZ", "state", "short")),
    ("President", ActorEntry(None, "state", "title", sector="GOV", role="head_of_state")),
    ("Foreign Ministry", ActorEntry(None, "state", "title", sector="GOV", role="foreign_minister")),
    ("Xi Jinping", ActorEntry("CHN", "state", "person", sector="GOV", role="head_of_state", name="Xi Jinping",
                              start=_date(2013, 3, 14))),
    ("Tokayev", ActorEntry("KAZ", "state", "person", sector="GOV", role="head_of_state",
                           name="Kassym-Jomart Tokayev", start=_date(2019, 3, 20))),
]


@pytest.mark.parametrize(("text", "day", "expected"), [
    ("Chinese President Xi Jinping met Tokayev.", _date(2025, 6, 16),
     [("Chinese President Xi Jinping", "CHN", "GOV"), ("Tokayev", "KAZ", "GOV")]),
    ("President of Kazakhstan, Tokayev, spoke.", _date(2025, 6, 16),
     [("President of Kazakhstan, Tokayev", "KAZ", "GOV")]),
    ("China and Kazakhstan", _date(2025, 6, 16), [("China", "CHN", None), ("Kazakhstan", "KAZ", None)]),
    ("Tokayev spoke.", _date(2010, 1, 1), []),  # not in office on that date
    ("The Foreign Ministry said", _date(2025, 6, 16), [("Foreign Ministry", None, "GOV")]),
])
def test_actor_groups(text: str, day: _date, expected: list[tuple[str, str | None, str | None]]) -> None:
    m = SurfaceMatcher(_ENTRIES, "en")
    got = build_mentions(text, m.find(text, fold(text, "en")), day, "en")
    assert [(g.text, g.code, g.sector) for g in got] == expected
