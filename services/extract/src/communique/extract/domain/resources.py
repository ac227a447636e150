"""Compiled per-language resources built from dictionary rows (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field

from communique.extract.domain.matcher import SurfaceMatcher, TriggerMatcher
from communique.extract.domain.model import ActorEntry, CodeInfo, Markers, TriggerPattern
from communique.extract.domain.text import fold

MARKER_KINDS: tuple[str, ...] = (
    "negation", "future", "conditional", "passive_by", "passive_aux", "with", "between", "and",
    "both_sides", "speech", "background", "locative", "pronouns", "third_place",
    "complementizer", "boilerplate", "infinitive", "target_prep", "relative", "recent", "private",
)


@dataclass
class DictionaryRows:
    """Everything read from the data directory, before compilation."""

    codes: dict[str, CodeInfo]
    igos: dict[str, dict[str, str]]
    actors: dict[str, list[tuple[str, ActorEntry]]]  # language -> (surface, entry)
    persons: list[tuple[str, ActorEntry]]
    lexicons: dict[str, list[TriggerPattern]]
    markers: dict[str, dict[str, object]]


@dataclass
class LanguageResources:
    language: str
    actors: SurfaceMatcher[ActorEntry]
    triggers: TriggerMatcher
    markers: Markers
    marker_matcher: SurfaceMatcher[str]
    and_words: frozenset[str] = frozenset()
    case_forms: tuple[tuple[str, tuple[str, ...]], ...] = ()


def _tuple(v: object) -> tuple[str, ...]:
    if v is None:
        return ()
    if isinstance(v, str):
        return (v,)
    if isinstance(v, (list, tuple)):
        return tuple(str(x) for x in v)
    return ()


def markers_from_mapping(raw: dict[str, object]) -> Markers:
    return Markers(
        word_order=str(raw.get("word_order") or "SVO").upper(),
        negation=_tuple(raw.get("negation")),
        future=_tuple(raw.get("future")),
        conditional=_tuple(raw.get("conditional")),
        passive_by=_tuple(raw.get("passive_by")),
        passive_aux=_tuple(raw.get("passive_aux")),
        with_=_tuple(raw.get("with")),
        between=_tuple(raw.get("between")),
        and_=_tuple(raw.get("and")),
        both_sides=_tuple(raw.get("both_sides")),
        speech=_tuple(raw.get("speech")),
        background=_tuple(raw.get("background")),
        locative=_tuple(raw.get("locative")),
        pronouns=_tuple(raw.get("pronouns")),
        third_place=_tuple(raw.get("third_place")),
        complementizer=_tuple(raw.get("complementizer")),
        boilerplate=_tuple(raw.get("boilerplate")),
        source_case=_tuple(raw.get("source_case")),
        target_case=_tuple(raw.get("target_case")),
        place_case=_tuple(raw.get("place_case")),
        from_case=_tuple(raw.get("from_case")),
        genitive_case=_tuple(raw.get("genitive_case")),
        infinitive=_tuple(raw.get("infinitive")),
        target_prep=_tuple(raw.get("target_prep")),
        relative=_tuple(raw.get("relative")),
        recent=_tuple(raw.get("recent")),
        private=_tuple(raw.get("private")),
        home_country=str(raw["home_country"]) if raw.get("home_country") else None,
    )


@dataclass
class Resources:
    """All compiled dictionaries; per-language parts are compiled on first use."""

    rows: DictionaryRows
    _compiled: dict[str, LanguageResources] = field(default_factory=dict)

    @property
    def codes(self) -> dict[str, CodeInfo]:
        return self.rows.codes

    def for_language(self, language: str) -> LanguageResources:
        res = self._compiled.get(language)
        if res is None:
            res = self._compile(language)
            self._compiled[language] = res
        return res

    def _compile(self, language: str) -> LanguageResources:
        rows = self.rows
        items: list[tuple[str, ActorEntry]] = list(rows.actors.get(language, []))
        # IGO acronyms are international; English acronyms and person names work in every language.
        if language != "en":
            items.extend((s, e) for s, e in rows.actors.get("en", []) if e.kind == "igo" and e.type == "acronym")
        items.extend(rows.persons)
        markers = markers_from_mapping(rows.markers.get(language, {}))
        marker_items: list[tuple[str, str]] = []
        for kind in MARKER_KINDS:
            attr = {"with": "with_", "and": "and_"}.get(kind, kind)
            for phrase in getattr(markers, attr):
                marker_items.append((phrase, kind))
        return LanguageResources(
            language=language,
            actors=SurfaceMatcher(items, language),
            triggers=TriggerMatcher(rows.lexicons.get(language, []), language),
            markers=markers,
            marker_matcher=SurfaceMatcher(marker_items, language),
            and_words=frozenset(fold(x, language) for x in markers.and_),
            case_forms=tuple((kind, tuple(fold(f, language) for f in forms)) for kind, forms in
                             (("source", markers.source_case), ("target", markers.target_case),
                              ("place", markers.place_case), ("from", markers.from_case),
                              ("genitive", markers.genitive_case)) if forms),
        )
