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
                  "adjective": 4, "demonym": 4, "abbrev": 4, "title": 5}
# what follows a dyad shorthand: 两国 双方 关系 之间 联合 合作 共同 峰会 冲突 战争 贸易 友好 建交 对话 会谈 元首 外长
# (zh); 両国 関係 間 同盟 首脳 共同 合同 会談 外相 防衛 and particles の が は と も (ja); punctuation and quotes
_ABBREV_NEXT = frozenset("两双关之间联合共峰冲战贸友建对会元外首领军海防" "両関同盟脳談相衛のがはとも"
                         "“”\"「」『』《》（）()、，,。.・ ")
# characters that make a word with a following abbreviation: 訪米 来日 在日 駐日 滞米 (ja), 访美 来华 驻日 赴美 (zh)
_ABBREV_VERB_PREFIX = frozenset("訪来在駐滞访驻赴")
_DIGITS = frozenset("0123456789０１２３４５６７８９〇一二三四五六七八九十")
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
    picked = [(hit, _pick(hit.payloads, day)) for hit in hits]
    picked = [(hit, e) for i, (hit, e) in enumerate(picked) if e is not None
              and (e.type != "abbrev" or _in_abbrev_run(text, picked, i))]
    for hit, entry in picked:
        assert entry is not None
        item = (hit.start, hit.end, entry)
        if groups:
            prev = groups[-1]
            gap = text[prev[-1][1]:hit.start]
            joins = gap_re.match(gap) or (entry.type == "title" and _POSSESSIVE_ADJ.match(gap)) or (
                prev[-1][2].type == "title" and entry.type != "title" and _TITLE_WORD_OF.match(gap)
                and not gap.strip()[:1].isupper())
            if not joins and entry.type == "person" and prev[-1][2].type == "title" \
                    and language not in UNSPACED_LANGUAGES and _is_given_names(gap):
                joins = True  # "Savunma Bakanı Sergey Şoygu": a given name the dictionary lacks
            if joins and "," in gap and not any(e.type == "title" for _, _, e in prev):
                joins = None  # "ambassador in Spain, Said Musi": an apposition to something else
            if joins and "," in gap and entry.type not in ("title", "person") \
                    and any(e.type == "person" for _, _, e in prev):
                joins = None  # "Bakan Şoygu, Türkiye adına ...": a list goes on, the country is a new actor
            title_after_name = language in UNSPACED_LANGUAGES and entry.type == "title" and gap == "" \
                and prev[-1][2].type == "person" and not any(e.type == "title" for _, _, e in prev)
            if joins and (_can_join(prev, entry) or title_after_name):  # バイデン大統領: the title follows
                prev.append(item)
                continue
        groups.append([item])
    return [_mention(text, g) for g in groups]


def _in_abbrev_run(text: str, picked: list[tuple[SurfaceHit[ActorEntry], ActorEntry | None]], i: int) -> bool:
    """A one-character abbreviation (中 美 日) is an actor only next to another one (中俄, 日米韓),
    and not after a digit (17日)."""
    hit = picked[i][0]
    if hit.start and text[hit.start - 1] in _DIGITS:
        return False

    def run_start(j: int) -> int:
        while j > 0 and picked[j - 1][1] is not None and picked[j - 1][1].type == "abbrev" \
                and picked[j - 1][0].end == picked[j][0].start:
            j -= 1
        return picked[j][0].start

    first = run_start(i)
    if first and text[first - 1] in _ABBREV_VERB_PREFIX:
        return False  # 訪米中 (during the US visit), 来华, 驻日: a word, not a dyad

    def abbrev(j: int) -> bool:
        e = picked[j][1] if 0 <= j < len(picked) else None
        return e is not None and e.type == "abbrev"

    if not ((abbrev(i - 1) and picked[i - 1][0].end == hit.start) or
            (abbrev(i + 1) and picked[i + 1][0].start == hit.end)):
        return False
    # the run must end where a dyad phrase goes on (中俄两国, 日米首脳, 中美关系, 俄乌冲突, 日米の):
    # a transliterated name (罗马菲乌米奇诺) runs on with other characters
    j = i
    while abbrev(j + 1) and picked[j + 1][0].start == picked[j][0].end:
        j += 1
    end = picked[j][0].end
    if j + 1 < len(picked) and picked[j + 1][0].start == end and picked[j + 1][1] is not None \
            and picked[j + 1][1].type == "title":
        return True
    return end >= len(text) or text[end] in _ABBREV_NEXT


def _is_given_names(gap: str) -> bool:
    """One or two capitalised words and nothing else ("Sergey", "Antony J.")."""
    words = gap.split()
    return gap[:1].isspace() and gap[-1:].isspace() and 1 <= len(words) <= 2 and \
        all(w[0].isupper() and w.replace(".", "").replace("-", "").isalpha() for w in words)


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
