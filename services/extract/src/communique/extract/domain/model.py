"""Immutable records shared by the pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "id", "ms", "es", "fr", "de", "pt", "ru", "ar", "zh", "tr", "ja")
UNSPACED_LANGUAGES: frozenset[str] = frozenset({"zh", "ja"})


@dataclass(frozen=True)
class ActorEntry:
    """One dictionary reading of a surface form.

    ``code`` is None for office titles, which take their country from context.
    ``type`` is the dictionary row type (name, short, adjective, demonym,
    capital, seat, alias, acronym) or ``title`` / ``person``.
    """

    code: str | None
    kind: str  # state | igo
    type: str
    sector: str | None = None
    role: str | None = None
    name: str | None = None
    start: date | None = None
    end: date | None = None

    def valid_on(self, day: date | None) -> bool:
        if day is None or self.type != "person":
            return True
        if self.start and day < self.start:
            return False
        return not (self.end and day > self.end)


@dataclass(frozen=True)
class TriggerPattern:
    """One lexicon row: a trigger pattern and the CAMEO code it signals."""

    cameo: str
    pattern: str
    flags: frozenset[str] = frozenset()

    @property
    def tokens(self) -> tuple[str, ...]:
        return tuple(self.pattern.split(" "))


@dataclass(frozen=True)
class Markers:
    """Function words of one language (markers/<lang>.yaml)."""

    word_order: str = "SVO"
    negation: tuple[str, ...] = ()
    future: tuple[str, ...] = ()
    conditional: tuple[str, ...] = ()
    passive_by: tuple[str, ...] = ()
    passive_aux: tuple[str, ...] = ()
    with_: tuple[str, ...] = ()
    between: tuple[str, ...] = ()
    and_: tuple[str, ...] = ()
    both_sides: tuple[str, ...] = ()
    speech: tuple[str, ...] = ()
    background: tuple[str, ...] = ()
    locative: tuple[str, ...] = ()
    pronouns: tuple[str, ...] = ()
    third_place: tuple[str, ...] = ()
    complementizer: tuple[str, ...] = ()
    boilerplate: tuple[str, ...] = ()
    source_case: tuple[str, ...] = ()
    target_case: tuple[str, ...] = ()
    place_case: tuple[str, ...] = ()
    from_case: tuple[str, ...] = ()  # ablative ("from X"): a source when no subject is named, never a target
    genitive_case: tuple[str, ...] = ()  # possessor of the object NP: the target ("ABD'nin Tayvan'a satışını")
    home_country: str | None = None
    infinitive: tuple[str, ...] = ()
    target_prep: tuple[str, ...] = ()
    relative: tuple[str, ...] = ()  # ends a relative clause before its noun (zh 的)
    recent: tuple[str, ...] = ()  # weekdays, today, yesterday: the action is of this news cycle
    private: tuple[str, ...] = ()  # company/team/fans heads: a nationality on them is no state actor


@dataclass(frozen=True)
class CodeInfo:
    """One row of the CAMEO table."""

    code: str
    name: str
    goldstein: float
    quad_class: int
    plover: str | None
    plover_mode: str | None


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Sentence:
    """A sentence with offsets into the article text."""

    index: int
    start: int
    end: int
    text: str


@dataclass
class ActorMention:
    """A recognised actor group in a sentence (title + country + person merged)."""

    start: int
    end: int
    text: str
    code: str | None
    kind: str
    sector: str | None
    name: str | None = None
    role: str | None = None
    is_place: bool = False
    explicit: bool = True  # False when the country came from a reference (title-only, pronoun)
    types: frozenset[str] = field(default_factory=frozenset)
    both_sides: bool = False


@dataclass(frozen=True)
class TriggerHit:
    start: int
    end: int
    text: str
    pattern: TriggerPattern
