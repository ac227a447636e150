"""Actor recognition: dictionary hits merged into actor groups (title + country + person)."""

from __future__ import annotations

import re
from datetime import date

from communique.extract.domain.matcher import SurfaceHit
from communique.extract.domain.model import UNSPACED_LANGUAGES, ActorEntry, ActorMention

# Text allowed between two hits of one group: "Chinese President Xi", "Presiden Kazakhstan, Tokayev",
# "China's envoy Zhang", "President of Russia".
_GAP_WORDS = "of|of the|de|del|de la|du|des|der|la|el|the|da|do|das|dos|di|della|von|van|al"
_GAP_SPACED = re.compile(r"^(?:\s*|\s*,\s*|'s?\s+|\s+(?:" + _GAP_WORDS + r")\s+)$", re.I)
_POSSESSIVE_ADJ = re.compile(r"^'s\s+[a-z]\w+\s+$")  # "Ethiopia's federal government"
# "presidente encargado de Venezuela", "prime minister-designate of": a title, one word, then the country
_TITLE_WORD_OF = re.compile(r"^\s+[^\W\d_][\w-]*\s+(?:of|de|du|da|do|del|der|des|von|dari)\s+$")
_GAP_UNSPACED = re.compile(r"^(?:\s*|の|・|，|,)$")
_TYPE_PRIORITY = {"person": 0, "name": 1, "short": 1, "acronym": 1, "alias": 2, "seat": 3, "capital": 3,
                  "adjective": 4, "demonym": 4, "title": 5}
_METONYM_TYPES = frozenset({"capital", "seat"})


def _pick(entries: tuple[ActorEntry, ...], day: date | None) -> ActorEntry | None:
    if len(entries) == 1:  # the common case
        return entries[0] if entries[0].valid_on(day) else None
    valid = [e for e in entries if e.valid_on(day)]
    if not valid:
        return None
    return min(valid, key=lambda e: _TYPE_PRIORITY.get(e.type, 9))


def build_mentions(text: str, hits: list[SurfaceHit[ActorEntry]], day: date | None,
                   language: str) -> list[ActorMention]:
    """Merge adjacent dictionary hits into actor mentions."""
    gap_re = _GAP_UNSPACED if language in UNSPACED_LANGUAGES else _GAP_SPACED
    groups: list[list[tuple[int, int, ActorEntry]]] = []
    for hit in hits:
        entry = _pick(hit.payloads, day)
        if entry is None:
            continue
        item = (hit.start, hit.end, entry)
        if groups:
            prev = groups[-1]
            gap = text[prev[-1][1]:hit.start]
            joins = gap_re.match(gap) or (entry.type == "title" and _POSSESSIVE_ADJ.match(gap)) or (
                prev[-1][2].type == "title" and entry.type != "title" and _TITLE_WORD_OF.match(gap)
                and not gap.strip()[:1].isupper())
            if joins and "," in gap and not any(e.type == "title" for _, _, e in prev):
                joins = None  # "ambassador in Spain, Said Musi": an apposition to something else
            if joins and _can_join(prev, entry):
                prev.append(item)
                continue
        groups.append([item])
    return [_mention(text, g) for g in groups]


def _coded(entries: list[ActorEntry]) -> list[ActorEntry]:
    return [e for e in entries if e.code and e.type != "person"]


def _can_join(group: list[tuple[int, int, ActorEntry]], entry: ActorEntry) -> bool:
    entries = [e for _, _, e in group]
    if entry.type == "title":
        # "China Foreign Ministry" joins; a title after a person starts a new actor ("Xi ... President")
        return not any(e.type == "person" for e in entries)
    if entry.type == "person":
        persons = [e for e in entries if e.type == "person"]
        return not persons
    # a country/IGO joins titles ("Presiden China"), not another country
    return not _coded(entries)


def _mention(text: str, group: list[tuple[int, int, ActorEntry]]) -> ActorMention:
    start, end = group[0][0], group[-1][1]
    # one pass over the group (called for every mention): the first person, the first coded
    # entry (not a person) and the first coded state, the last title
    person: ActorEntry | None = None
    first_coded: ActorEntry | None = None
    first_state: ActorEntry | None = None
    title: ActorEntry | None = None
    metonym = False
    types: set[str] = set()
    for _, _, e in group:
        t = e.type
        types.add(t)
        if t == "person":
            if person is None:
                person = e
        elif e.code:
            if first_coded is None:
                first_coded = e
            if first_state is None and e.kind == "state":
                first_state = e
        if t == "title":
            title = e
        elif t in _METONYM_TYPES:
            metonym = True
    code: str | None = None
    kind = "state"
    if person is not None:
        code, kind = person.code, person.kind
    elif first_coded is not None:
        best = first_state if (first_state is not None and title is not None) else first_coded
        code, kind = best.code, best.kind
    sector = None
    role = None
    if title is not None:
        sector, role = title.sector, title.role
    elif person is not None:
        sector, role = person.sector, person.role
    elif metonym:
        sector = "GOV"
    return ActorMention(
        start=start, end=end, text=text[start:end], code=code, kind=kind, sector=sector,
        name=person.name if person is not None else None, role=role,
        types=frozenset(types),
    )
