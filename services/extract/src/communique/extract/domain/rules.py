"""The rule-based event coder: the pipeline of pure stages, end to end."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from itertools import pairwise
from operator import itemgetter
from typing import TypeVar

from communique.contracts import ActorV1, EventV1, EvidenceV1, LocationV1, MentionV1, event_id_for
from communique.extract.domain.actors import build_mentions
from communique.extract.domain.coder import ArticleInput
from communique.extract.domain.confidence import article_confidence, cue_confidence
from communique.extract.domain.language import Classifier, detect_language
from communique.extract.domain.matcher import boundary_text
from communique.extract.domain.model import UNSPACED_LANGUAGES, ActorMention, Sentence, TriggerPattern
from communique.extract.domain.resources import LanguageResources, Resources
from communique.extract.domain.sentences import Segmenter, split_sentences
from communique.extract.domain.text import fold, normalise, normalise_with_offsets

CODER_VERSION = "rules/0.1"
_T = TypeVar("_T")

MAX_WORDS = 14  # how far (in words) an actor may stand from its trigger
# 1950-2049 not inside a longer number; the look-behind follows the first digit so that the
# regex engine can skip to a "1" or "2" instead of trying every position
_YEAR = re.compile(r"((?:1(?<!\d1)9[5-9]|2(?<!\d2)0[0-4])\d)(?!\d)")
_INTENT_MAP = {"04": "036", "05": "032", "06": "031", "07": "033", "08": "035"}
_INTENT_SPECIFIC = {"045": "039", "0841": "0353", "0871": "0356", "0874": "0356", "085": "0354", "073": "0333",
                    "071": "0331", "072": "0332", "062": "0312", "061": "0311", "063": "0313", "064": "0314"}
_VISIT_REVERSE = {"042": "043", "043": "042"}
_CAPWORD = re.compile(r"(?<!\w)[^\W\d_][\w'-]*")
_CLAUSE_BREAK = re.compile(r"[;:]|\s-\s")


@dataclass(frozen=True)
class MarkerHit:
    start: int
    end: int
    kind: str


@dataclass
class Candidate:
    source: ActorMention
    target: ActorMention | None
    cameo: str
    modality: str
    sentence: Sentence
    trigger: str
    confidence: float
    cues: dict[str, bool] | None = None
    place: tuple[str, str] | None = None  # (name as written, country code) where the action took place


class RuleCoder:
    """Dictionary- and pattern-based coder for the twelve supported languages."""

    name = "rules"

    def __init__(self, resources: Resources, classify: Classifier | None = None, segment: Segmenter | None = None,
                 version: str = CODER_VERSION) -> None:
        self.resources = resources
        self.classify = classify
        self.segment = segment
        self.version = version

    # -- public ---------------------------------------------------------------------------------
    def code(self, article: ArticleInput) -> list[EventV1]:
        original = article.text or ""
        text, offsets = normalise_with_offsets(original)
        language = detect_language(text or article.title, article.language, self.classify)
        res = self.resources.for_language(language)
        cands = self.candidates(article, text, language, res)
        if offsets is not None:
            cands = [_to_original(c, original, offsets) for c in cands]
        return self._events(article, language, cands)

    # -- stages ---------------------------------------------------------------------------------
    def candidates(self, article: ArticleInput, text: str, language: str, res: LanguageResources) -> list[Candidate]:
        folded = fold(text, language)
        day = article.published
        sentences = split_sentences(text, language, self.segment)
        framed = boundary_text(folded) if res.actors.framed else None
        mentions = build_mentions(text, res.actors.find(text, folded, framed), day, language)
        markers = [MarkerHit(h.start, h.end, h.payloads[0]) for h in res.marker_matcher.find(text, folded, framed)]
        mentions = _drop_private(text, mentions, markers, language)
        _mark_places(text, mentions, markers, language, res.and_words)
        _propagate_places(folded, mentions, res.and_words)
        mentions = _add_both_sides(text, mentions, markers)
        ranked = _ranked_actors(mentions, article.title, res, language, day)
        dyad = tuple(ranked[:2])
        home = [m.code for m in mentions if m.is_place and m.code and m.kind == "state" and m.start < 80
                and "\n" not in text[:m.start]][:1]
        if res.markers.home_country:
            home.append(res.markers.home_country)
        _resolve_titles(mentions, ranked, sentences, home)
        triggers = res.triggers.find(folded, framed)
        kinds = {m.code: m.kind for m in mentions if m.code}
        cands: list[Candidate] = []
        last_subject: ActorMention | None = None
        mi = ti = ki = 0
        recent: list[str] = []
        m_by = _bucket(sentences, mentions, lambda m: m.start)
        t_by = _bucket(sentences, triggers, lambda t: t[0])
        k_by = _bucket(sentences, markers, lambda k: k.start)
        for si, sent in enumerate(sentences):
            s_t = [t for t in t_by[si] if t[1] <= sent.end]
            if not s_t:
                subj = None
                if any(k.kind == "speech" for k in k_by[si]):
                    quiet = _Sentence(text, folded, sent, m_by[si], k_by[si], res, language, dyad, last_subject, day)
                    subj = quiet.speaker()
                subj = subj or next((m for m in m_by[si] if not m.is_place and m.code and not m.both_sides), None)
                if subj is not None:
                    last_subject = subj
                recent = _distinct_codes(m_by[si]) or recent
                continue
            s_m = [m for m in m_by[si] if m.end <= sent.end]
            s_k = [k for k in k_by[si] if k.end <= sent.end]
            if any(k.kind == "boilerplate" and k.start - sent.start <= 2 for k in s_k):
                continue  # "Read more:", "Foto:", "Baca juga:" lines
            ctx = _Sentence(text, folded, sent, s_m, s_k, res, language, dyad, last_subject, day)
            ctx.kinds.update(kinds)
            ctx.triggers = s_t
            ctx.recent = recent
            produced: list[Candidate] = []
            for t in s_t:
                produced.extend(ctx.code_trigger(t[0], t[1], t[2]))
            cands.extend(produced)
            subj = ctx.speaker() or next((m for m in s_m if not m.is_place and m.code and not m.both_sides), None)
            if ctx.anaphoric and produced:
                subj = produced[0].source  # "وطالب المجلس ...": the subject stays the previous actor
            if subj is not None:
                last_subject = subj
            recent = _distinct_codes(s_m) or recent
        del mi, ti, ki
        return cands

    def _events(self, article: ArticleInput, language: str, cands: list[Candidate]) -> list[EventV1]:
        codes = self.resources.codes
        # visits are 042/043 only: no extra consultations for the same pair
        visit_pairs = {frozenset((c.source.code, c.target.code)) for c in cands
                       if c.target is not None and c.cameo in ("042", "043")}
        specific04 = {frozenset((c.source.code, c.target.code)) for c in cands
                      if c.target is not None and c.cameo[:2] == "04" and c.cameo != "040"}
        grouped: dict[tuple[str, str, str], list[Candidate]] = {}
        for c in cands:
            if c.target is None or not c.source.code or not c.target.code or c.source.code == c.target.code:
                continue
            pair = frozenset((c.source.code, c.target.code))
            if c.cameo[:2] == "04" and c.cameo not in ("042", "043") and pair in visit_pairs:
                continue
            if c.cameo not in codes:
                continue
            if c.cameo == "040" and frozenset((c.source.code, c.target.code)) in specific04:
                continue
            grouped.setdefault((c.source.code, c.target.code, c.cameo), []).append(c)
        day = article.published or date(1970, 1, 1)
        out: list[EventV1] = []
        for (src, tgt, cameo), group in grouped.items():
            group.sort(key=lambda c: (-c.confidence, c.sentence.start))
            best = group[0]
            info = codes[cameo]
            conf = article_confidence([c.confidence for c in group])
            mentions = sorted(group, key=lambda c: c.sentence.start)
            out.append(EventV1(
                event_id=event_id_for(article.id, src, tgt, cameo),
                article_id=article.id,
                date=day,
                source=_actor(best.source),
                target=_actor(best.target) if best.target else None,
                cameo=cameo,
                cameo_root=cameo[:2],
                plover=info.plover,
                plover_mode=info.plover_mode,
                quad_class=info.quad_class,
                goldstein=info.goldstein,
                location=_location(group),
                evidence=EvidenceV1(sentence=best.sentence.text, start=best.sentence.start,
                                    end=best.sentence.end, trigger=best.trigger),
                language=language,
                modality=best.modality,  # type: ignore[arg-type]
                confidence=round(conf, 3),
                mentions=[MentionV1(sentence=c.sentence.text, start=c.sentence.start, end=c.sentence.end,
                                    trigger=c.trigger, confidence=round(c.confidence, 3)) for c in mentions],
                coder=self.version,
                source_name=article.source_name,
                article_url=article.url,
            ))
        out.sort(key=lambda e: (e.evidence.start, e.source.code, e.target.code if e.target else "", e.cameo))
        return out


def _distinct_codes(mentions: list[ActorMention]) -> list[str]:
    out: list[str] = []
    for m in mentions:
        if m.code and not m.is_place and not m.both_sides and m.code not in out:
            out.append(m.code)
    return out


def _location(group: list[Candidate]) -> LocationV1 | None:
    place = next((c.place for c in group if c.place), None)
    return LocationV1(name=place[0], country=place[1]) if place else None


def _bucket(sentences: list[Sentence], items: list[_T], start_of: Callable[[_T], int]) -> list[list[_T]]:
    """Items per sentence by start offset (both lists sorted by offset)."""
    out: list[list[_T]] = [[] for _ in sentences]
    if not sentences:
        return out
    ends = [s.end for s in sentences]
    last = len(sentences) - 1
    keyed = [(start_of(it), it) for it in items]
    keyed.sort(key=itemgetter(0))  # stable: the order of sorted(items, key=start_of)
    si = 0
    for pos, it in keyed:
        while si < last and pos >= ends[si]:
            si += 1
        if sentences[si].start <= pos < ends[si]:
            out[si].append(it)
    return out


def _to_original(c: Candidate, original: str, offsets: list[int]) -> Candidate:
    """Evidence offsets back into the article text when normalisation changed its length."""
    s, e = offsets[c.sentence.start], offsets[c.sentence.end]
    sent = Sentence(index=c.sentence.index, start=s, end=e, text=original[s:e])
    return replace(c, sentence=sent)


def _actor(m: ActorMention) -> ActorV1:
    return ActorV1(code=m.code or "", kind="igo" if m.kind == "igo" else "state", sector=m.sector, name=m.name,
                   text=m.text)


# -- article-level stages ---------------------------------------------------------------------------

def _words_between(text: str, a: int, b: int, language: str) -> int:
    """Words between two word boundaries ``a`` and ``b`` (roughly: spaces minus one)."""
    if b <= a:
        return 0
    if language in UNSPACED_LANGUAGES:
        return (b - a + 1) // 2
    return max(0, text.count(" ", a, b) + text.count("\n", a, b) - 1)


def _only_names_between(text: str, a: int, b: int, and_words: frozenset[str]) -> bool:
    """Only capitalised names, commas and "and" between ``a`` and ``b`` (a list of places)."""
    gap = text[a:b]
    if not gap.strip() or len(gap) > 80 or re.search(r"[.;:()\"]", gap):
        return False
    rest = _CAPWORD.sub(lambda w: "" if w.group()[0].isupper() else w.group(), gap)
    words = [w for w in re.split(r"[\s,]+", rest.lower()) if w]
    return (bool(words) and all(w in and_words for w in words)) or (not words and "," in gap)


# languages whose nationality adjective follows its noun ("entreprise chinoise", "perusahaan China")
_HEAD_FIRST = frozenset({"fr", "es", "pt", "id", "ms", "ar"})


def _drop_private(text: str, mentions: list[ActorMention], markers: list[MarkerHit],
                  language: str) -> list[ActorMention]:
    """A nationality or country name right next to a business/sports head ("Chinese automaker",
    "entreprise chinoise", "中国企业") names a company or team, not a state actor."""
    heads = [k for k in markers if k.kind == "private"]
    if not heads:
        return mentions
    unspaced = language in UNSPACED_LANGUAGES

    head_first = language in _HEAD_FIRST

    def next_to(m: ActorMention, k: MarkerHit) -> bool:
        if k.start >= m.end and not head_first:
            gap = text[m.end:k.start]
        elif k.end <= m.start and head_first:
            gap = text[k.end:m.start]
        else:
            return False
        return gap == "" if unspaced else (gap.strip(" -") == "" and len(gap) <= 2)

    return [m for m in mentions if m.types & {"title", "person"} or not any(next_to(m, k) for k in heads)]


def _mark_places(text: str, mentions: list[ActorMention], markers: list[MarkerHit], language: str,
                 and_words: frozenset[str] = frozenset()) -> None:
    """Mentions introduced by a locative marker ("in Tokyo", "di Jakarta") or in a dateline are places."""
    loc = [k for k in markers if k.kind == "locative"]
    loc_ends = [k.end for k in loc]
    by_end = all(a <= b for a, b in pairwise(loc_ends))  # marker hits do not overlap: always
    unspaced = language in UNSPACED_LANGUAGES
    for i, m in enumerate(mentions):
        if m.types & {"title", "person"}:
            continue
        prev_end = mentions[i - 1].end if i else 0
        # only markers ending in [max(prev_end, m.start - 40), m.start] can pass the first test below
        near = loc[bisect_left(loc_ends, max(prev_end, m.start - 40)):bisect_right(loc_ends, m.start)] \
            if by_end else loc
        for k in near:
            if k.end > m.start or k.end < prev_end or m.start - k.end > 40:
                continue
            if unspaced:
                if k.end <= m.start and m.start - k.end <= 4 and k.end >= prev_end \
                        and not re.search(r"[，。、,]", text[k.end:m.start]):
                    m.is_place = True
            elif k.end <= m.start and k.end >= prev_end and _words_between(text, k.end, m.start, language) <= 2 \
                    and not re.search(r"[,.;:()\"]", text[k.end:m.start]):
                m.is_place = True
            elif k.end <= m.start and k.end >= prev_end and _only_names_between(text, k.end, m.start, and_words):
                m.is_place = True  # "in Xinjiang, Tibet and Hong Kong"
        # dateline: "NUSA DUA, Indonesia - ..."
        line_start = text.rfind("\n", 0, m.start) + 1
        before = text[line_start:m.start]
        if m.start - line_start < 60 and before.strip() and not any(c.islower() for c in before) \
                and re.match(r"\s*(?:,|-|\(|$)", text[m.end:m.end + 3]):
            m.is_place = True
        elif m.start == line_start and "capital" in m.types and re.match(r"\s*(?:-|\()", text[m.end:m.end + 3]):
            m.is_place = True  # "القاهرة - ...", "Beijing (Xinhua) -": a dateline in an uncased script too
        if text[m.start:m.end].isupper() and len(m.text) > 4 and m.start - line_start < 40 \
                and not (m.types & {"acronym", "short"}):
            m.is_place = True


def _propagate_places(folded: str, mentions: list[ActorMention], and_words: frozenset[str]) -> None:
    """"in Xinjiang, Tibet and Hong Kong": names coordinated with a place are places too."""
    for prev, m in pairwise(mentions):
        if prev.is_place and not m.is_place and not (m.types & {"title", "person"}):
            gap = folded[prev.end:m.start].strip().lstrip(",").strip()
            if (gap == "" and folded[prev.end:m.start].strip() == ",") or gap in and_words:
                m.is_place = True


def _add_both_sides(text: str, mentions: list[ActorMention], markers: list[MarkerHit]) -> list[ActorMention]:
    extra = [ActorMention(start=k.start, end=k.end, text=text[k.start:k.end], code=None, kind="state", sector=None,
                          both_sides=True, explicit=False)
             for k in markers if k.kind == "both_sides"]
    if not extra:
        return mentions
    # "中俄两国海军": the phrase right after a run of abbreviations restates it; so does a bare title after it
    restating = [x for x in extra if any("abbrev" in m.types and not text[m.end:x.start].strip()
                                         and x.start - m.end <= 1 for m in mentions)]
    if restating:
        extra = [x for x in extra if x not in restating]
        mentions = [m for m in mentions if not (m.code is None and m.types == {"title"}
                                                and any(x.start <= m.start <= x.end + 1 for x in restating))]
    # "kedua pemimpin", "the two leaders": the phrase wins over a title inside it
    kept = [m for m in mentions if not any(m.start < x.end and x.start < m.end for x in extra)]
    return sorted(kept + extra, key=lambda m: m.start)


def _ranked_actors(mentions: list[ActorMention], title: str, res: LanguageResources, language: str,
                   day: date | None) -> list[str]:
    """Actor codes by salience (mentions, title counted double); the first two are the main dyad."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for m in mentions:
        if m.code and not m.both_sides:
            counts[m.code] += 1 if not m.is_place else 0.25  # type: ignore[assignment]
            first.setdefault(m.code, m.start)
    if title:
        t = normalise(title)
        for m in build_mentions(t, res.actors.find(t, fold(t, language)), day, language):
            if m.code:
                counts[m.code] += 2
                first.setdefault(m.code, -1)
    return sorted(counts, key=lambda c: (-counts[c], first.get(c, 0)))


def _resolve_titles(mentions: list[ActorMention], ranked: list[str], sentences: list[Sentence],
                    home: list[str] | None = None) -> None:
    """Title-only mentions ("the foreign minister", "Menlu") take the country of the last
    explicit holder of that role, else the dateline's or the language's home country, else
    the most salient country, skipping countries whose own officials are named in the same
    sentence."""
    by_role: dict[str, ActorMention] = {}
    kinds = {m.code: m.kind for m in mentions if m.code}
    for m in mentions:
        if m.both_sides:
            continue
        if m.code is None and m.role in ("ambassador", "diplomat"):
            # "its ambassador in Spain", "su embajador en España": the posting names the other side
            post = next((o for o in mentions if o.start >= m.end and o.start - m.end <= 12 and o.is_place
                         and o.code and o.kind == "state"), None)
            if post is not None:
                m.code, m.kind, m.explicit = post.code, "state", False
                continue
        if m.code is None:
            sent = next((s for s in sentences if s.start <= m.start < s.end), None)
            busy = {o.code for o in mentions if o is not m and o.code and sent is not None
                    and sent.start <= o.start < sent.end and o.types & {"title", "person"}}
            src = by_role.get(m.role or "") if m.role else None
            if src is not None and src.code not in busy:
                m.code, m.kind, m.explicit = src.code, src.kind, False
                continue
            code = next((c for c in (home or []) if c not in busy and c in ranked[:3]), None) or \
                next((c for c in ranked if c not in busy and kinds.get(c) == "state"), None) or \
                next((c for c in (home or []) if c in ranked[:3]), None)
            if code:
                m.code, m.explicit = code, False
                m.kind = next((o.kind for o in mentions if o.code == code), "state")
        elif m.role and m.explicit:
            by_role[m.role] = m


# -- sentence-level role assignment ---------------------------------------------------------------------

class _Sentence:
    def __init__(self, text: str, folded: str, sent: Sentence, mentions: list[ActorMention], markers: list[MarkerHit],
                 res: LanguageResources, language: str, dyad: tuple[str, ...], last_subject: ActorMention | None,
                 day: date | None) -> None:
        self.text, self.folded, self.sent = text, folded, sent
        self.mentions = [m for m in mentions if m.code or m.both_sides]
        self.markers = markers
        self.res = res
        self.language = language
        self.dyad = dyad
        self.last_subject = last_subject
        self.day = day
        self.order = res.markers.word_order
        self.kinds = {m.code: m.kind for m in mentions if m.code}
        self.triggers: list[tuple[int, int, TriggerPattern]] = []
        self.recent: list[str] = []  # distinct actor codes of the previous sentence, in order
        self.has_pronoun = any(k.kind in ("pronouns", "speech") for k in markers)
        self._by_kind: dict[str, list[MarkerHit]] = {}
        for k in markers:
            self._by_kind.setdefault(k.kind, []).append(k)
        self.years = [(m.start(), int(m.group(1))) for m in _YEAR.finditer(text, sent.start, sent.end)]
        self.anaphoric = False  # a source was taken from the previous sentence

    # helpers
    def words(self, a: int, b: int) -> int:
        return _words_between(self.text, a, b, self.language)

    def marker_between(self, kind: str, a: int, b: int) -> MarkerHit | None:
        return next((k for k in self._by_kind.get(kind, ()) if a <= k.start and k.end <= b), None)

    def clause_start(self, pos: int) -> int:
        start = self.sent.start
        for m in _CLAUSE_BREAK.finditer(self.text, self.sent.start, pos):
            start = m.end()
        for k in self.markers:
            if k.kind == "complementizer" and start <= k.start and k.end <= pos:
                start = k.end
        return start

    def coordinated(self, a: ActorMention, b: ActorMention) -> bool:
        gap = self.folded[a.end:b.start].strip()
        if not gap and "abbrev" in a.types and "abbrev" in b.types:
            return True  # 中俄, 日米: a dyad written as two abbreviations
        if len(gap) > 2 and self.language not in UNSPACED_LANGUAGES:
            # names the dictionaries do not know ("Президент России Владимир Путин, президент ...")
            raw = _CAPWORD.sub(lambda m: "" if m.group()[0].isupper() else m.group(), self.text[a.end:b.start])
            gap = " ".join(fold(raw, self.language).split())
        if gap in (",", "-", "/", "、", "，", "・"):
            return True
        if a.code and a.code == b.code and self.language not in UNSPACED_LANGUAGES \
                and self.words(a.end, b.start) <= 1 and not re.search(r"[,.;:()]", self.text[a.end:b.start]):
            return True  # "Rusya adına Savunma Bakanı Şoygu": one actor, named twice
        gap = gap.lstrip(",").strip()
        return gap in self.res.and_words

    def and_linked(self, a: ActorMention, b: ActorMention) -> bool:
        """Are ``a`` and ``b`` joined by an "and" word (not merely a comma)?"""
        gap = self.folded[a.end:b.start].strip().lstrip(",").strip()
        return gap in self.res.and_words

    def chain(self, seed: ActorMention, pool: list[ActorMention], leftwards: bool) -> list[ActorMention]:
        out = [seed]
        idx = pool.index(seed)
        step = -1 if leftwards else 1
        j = idx + step
        while 0 <= j < len(pool):
            a, b = (pool[j], out[-1]) if leftwards else (out[-1], pool[j])
            if not self.coordinated(a, b):
                break
            out.append(pool[j])
            j += step
        return out

    def preceded_by(self, kind: str, m: ActorMention, max_words: int = 1) -> bool:
        for k in self._by_kind.get(kind, ()):
            if k.end <= m.start and self.words(k.end, m.start) <= max_words \
                    and not re.search(r"[,.;:]", self.text[k.end:m.start]):
                return True
        return False

    def verb_coordinated(self, ts: int, last: ActorMention) -> bool:
        """Is the trigger a second verb joined by "and" after the last actor ("... and urged")?"""
        return any(k.kind == "and" and last.end <= k.start and k.end <= ts and self.words(k.end, ts) <= 1
                   for k in self.markers)

    def infinitive_before(self, ts: int) -> bool:
        # "to investigate", "untuk menyampaikan keberatan" (one light verb may intervene)
        k = next((k for k in self.markers if k.kind == "infinitive" and k.end <= ts and self.words(k.end, ts) <= 1
                  and not re.search(r"[,.;:]", self.text[k.end:ts])), None)
        return k is not None

    def content_of_other(self, ts: int, pat: TriggerPattern | None = None) -> bool:
        """Is this trigger what another actor urged, demanded or threatened ("urged Iran to release",
        "threatened to break off relations")? Then it is not an event of its own."""
        if self.order == "SOV" and self.res.markers.target_case:
            return self.object_of_later(ts, pat)
        for _s, e, p in self.triggers:
            if e > ts or re.search(r"[.;:]", self.text[e:ts]):
                continue
            if self.marker_between("and", e, ts):
                continue  # "condemned the attack and called on Russia": a second, coordinated action
            root = p.cameo[:2]
            if pat is not None and {"noun", "weak"} <= pat.flags and "weak" not in p.flags \
                    and self.words(e, ts) <= 10:
                return True  # "signed 10 cooperation agreements covering trade, investment": the object
            if pat is not None and "noun" in pat.flags and root == "03" and "intent" in p.flags \
                    and self.words(e, ts) <= 6:
                return True  # "will provide 25,000 tons of food aid": the intention is the event
            if pat is not None and "noun" in pat.flags and p.cameo == "057" and self.words(e, ts) <= 4:
                return True  # "подписали заявление о прекращении огня": what the document is about
            if root in ("02", "10", "13") and self.words(e, ts) <= 8:
                return True
            # "rejected a fresh offer for direct talks", "accused X of restoring the blackmail in talks",
            # "cancelled a planned visit", "suspended part of a military aid programme"
            reach = 9 if pat is not None and "noun" in pat.flags else 6  # a noun sits deeper in the object
            if root in ("11", "12") and "weak" not in p.flags and self.words(e, ts) <= reach:
                return True
            if root == "16" and "weak" not in p.flags and self.words(e, ts) <= 6 \
                    and not any(e <= m.start and m.end <= ts for m in self.mentions):
                return True
        return False

    def case_of(self, m: ActorMention) -> str | None:
        """Role shown by a particle or case suffix right after a mention (SOV languages):
        "source" (は, が), "target" (に, を, と; Turkish 'e 'i 'le), "place" (Turkish 'de), else None."""
        after = self.folded[m.end:m.end + 8]
        best: tuple[int, str] | None = None
        spaced = self.language not in UNSPACED_LANGUAGES
        # Japanese names often carry an honorific before the particle (河野氏は)
        offsets = (0,) if spaced else (0, 1)
        for off in offsets:
            for kind, forms in self.res.case_forms:
                for form in forms:
                    if after.startswith(form, off) and (best is None or len(form) > best[0]):
                        end = m.end + off + len(form)
                        if spaced and end < len(self.folded) and self.folded[end].isalnum():
                            continue
                        best = (len(form), kind)
            if best:
                break
        if best:
            return best[1]
        if after[:1] == "'" and after[1:2].isalpha():
            return "marked"  # an apostrophe case suffix the markers do not list (Türkiye'nin)
        return None

    def subject_taken_for_place(self, ms: list[ActorMention], cs: int, ts: int) -> list[ActorMention]:
        """"В совместном заявлении Москва и Пекин выступили против": names right before the verb
        that a locative two words earlier made places are the subject when nothing else is."""
        lead = [m for m in ms if m.is_place and m.code and m.start >= cs and m.end <= ts
                and not (m.types & {"title", "person"})]
        if not lead or self.words(lead[-1].end, ts) > 1 or re.search(r"[,.;:()]", self.text[lead[-1].end:ts]):
            return []
        grp = self.chain(lead[-1], lead, leftwards=True)
        first = grp[-1]
        if self.preceded_by("locative", first, 0) or first.start - self.sent.start <= 1:
            return []
        if not any(k.kind == "locative" and k.end <= first.start and self.words(k.end, first.start) <= 2
                   for k in self.markers):
            return []  # a dateline or a name coordinated with a place: leave it
        return [replace(m, is_place=False) for m in reversed(grp)]

    def between_group(self, pool: list[ActorMention]) -> list[ActorMention]:
        """The two parties after "between": "between Israel and the Palestinian factions",
        "بين إسرائيل والفصائل الفلسطينية" (an "and" word, or the Arabic proclitic و, then a few words)."""
        if not pool:
            return []
        grp = self.chain(pool[0], pool, leftwards=False)
        if len(grp) >= 2:
            return grp
        first = pool[0]
        for m in pool[1:]:
            gap = self.text[first.end:m.start]
            if m.code == first.code or re.search(r"[,.;:()]", gap) or self.words(first.end, m.start) > 4:
                continue
            toks = fold(gap, self.language).split()
            if any(t in self.res.and_words or (self.language == "ar" and t.startswith("و") and len(t) > 3)
                   for t in toks[:1]):
                return [first, m]
            break
        return []

    def dated_recent(self, ts: int, year_pos: int) -> bool:
        """Is a weekday/today/yesterday marker closer to the trigger than the year at ``year_pos``?"""
        far = abs(year_pos - ts)
        return any(k.kind == "recent" and abs(k.start - ts) < far and self.sent.start <= k.start
                   for k in self.markers)

    def negated_later(self, te: int) -> bool:
        """A negation between the trigger and the end of its clause (German V2: "lehnte ... nicht ab");
        "nicht nur" (not only) does not negate."""
        end = self.sent.end
        stop = re.search(r"[,.;:]", self.text[te:end])
        if stop:
            end = te + stop.start()
        ands = [k.start for k in self.markers if k.kind == "and" and te <= k.start < end]
        if ands:
            end = min(ands)
        return any(k.kind == "negation" and te <= k.start and k.end <= end
                   and not re.match(r"\s+nur\b", self.text[k.end:k.end + 6], re.I) for k in self.markers)

    def definite_noun_after(self, te: int) -> bool:
        """Arabic VSO: a definite noun (ال…) right after the verb is its subject ("دعا القرار", "طالب المجلس")."""
        if self.language != "ar":
            return False
        m = re.match(r"\s*[\"«]?(\w+)", self.text[te:])
        return m is not None and fold(m.group(1), "ar").startswith("ال")

    def object_of_later(self, ts: int, pat: TriggerPattern | None) -> bool:
        """Case-marked SOV (ja, tr): the object stands before its verb, so a trigger is the content of
        a later appeal, demand, criticism, rejection or threat ("米国の制裁を非難した",
        "ABD'nin yaptırımlarını kınadı") when that verb follows within a few words."""
        if pat is None or pat.cameo[:2] in ("02", "10", "11", "12", "13"):
            return False
        te = next((e for s, e, p in self.triggers if s == ts and p is pat), ts)
        for s, _e, p in self.triggers:
            if s < te or re.search(r"[.;:。、，,]", self.text[te:s]):
                continue
            if p.cameo[:2] in ("02", "10", "11", "12", "13") and "weak" not in p.flags and self.words(te, s) <= 3 \
                    and not any(te <= m.start and m.end <= s for m in self.mentions):
                return True
        return False

    def relative_subject(self, m: ActorMention, ts: int) -> bool:
        """"对中国提供的援助": the actor is the subject of a relative clause (words, then 的)
        modifying the trigger, not the object of the preposition ("对中国的制裁" is)."""
        return any(k.kind == "relative" and m.end < k.start and k.end <= ts and self.text[m.end:k.start].strip()
                   for k in self.markers)

    def actorless_report(self, ts: int) -> bool:
        """Does the sentence open with a speech marker ("In the statement, …") and name no actor before it?"""
        k = next((k for k in self.markers if k.kind == "speech" and k.end <= ts), None)
        return k is not None and k.start - self.sent.start <= 2 and \
            not any(m.start < k.start for m in self.mentions)

    def speaker(self) -> ActorMention | None:
        for k in self._by_kind.get("speech", ()):
            for m in sorted(self.mentions, key=lambda x: -x.start):
                if m.both_sides:
                    continue
                if m.start >= k.end and self.words(k.end, m.start) <= 1 and (
                        re.match(r"\s*(?:[,.;]|$)", self.text[m.end:self.sent.end])
                        or re.search(r"[\",]\s*$", self.text[self.sent.start:k.start])):
                    return m  # '"...," said Biden' / '"...," kata Jokowi dalam ...'

                if m.end <= k.start and self.words(m.end, k.start) <= 4 and "," not in self.text[m.end:k.start]:
                    return m
        return None

    def expand(self, group: list[ActorMention]) -> list[ActorMention]:
        out: list[ActorMention] = []
        for m in group:
            if m.both_sides:
                # "the two leaders": the two actors just mentioned, else the article's main dyad
                pair = self.recent[:2] if len(self.recent) >= 2 else list(self.dyad[:2])
                for code in pair:
                    out.append(replace(m, code=code, kind=self.kinds.get(code, "state"), both_sides=False))
            else:
                out.append(m)
        return out

    # the main step
    def code_trigger(self, ts: int, te: int, pat: TriggerPattern) -> list[Candidate]:
        flags = pat.flags
        if not self.mentions and (self.last_subject is None or not self.has_pronoun):
            return []  # nobody to act
        trig_text = self.text[ts:te]
        cs = self.clause_start(ts)
        # modality
        window_start = max(cs, ts - 60)
        if self.marker_between("negation", window_start, ts):
            return []
        if self.order == "SOV" and self.marker_between("negation", te, min(self.sent.end, te + 12)):
            return []  # 会談しなかった: the negation follows the verb
        if self.order == "SOV" and self.language in UNSPACED_LANGUAGES \
                and self.marker_between("conditional", te, min(self.sent.end, te + 16)) \
                and pat.cameo[:2] not in ("02", "10", "13"):
            return []  # 提訴も含めて対応を検討する: merely considered (threats and demands are conditional anyway)
        if self.order == "SOV" and self.language not in UNSPACED_LANGUAGES and self.negated_later(te):
            return []  # "lehnte den Vorschlag nicht ab", "unterstützt die Ukraine nicht"
        if self.marker_between("conditional", cs, ts):
            return []
        cond = self.marker_between("conditional", te, self.sent.end)
        if cond is not None and pat.cameo[:2] not in ("02", "10", "13") and \
                any(m.start >= cond.end and self.words(cond.end, m.start) <= 2 for m in self.mentions):
            return []  # "... if China attacked": a condition with its own actor (threats are conditional anyway)
        # background: a marker or an earlier year near the trigger, in its clause
        near_start = max(cs, ts - 70)
        near_end = min(self.sent.end, te + 70)
        if self.marker_between("background", near_start, near_end):
            return []
        day = self.day
        if day is not None and any(y < day.year and near_start <= pos < near_end and not self.dated_recent(ts, pos)
                                   for pos, y in self.years):
            return []
        if self.content_of_other(ts, pat):
            return []
        fut = self.marker_between("future", window_start, ts)
        fut_span = 10 if self.language in UNSPACED_LANGUAGES else 4
        intended = "intent" in flags or (fut is not None and self.words(fut.end, ts) <= fut_span)
        if not intended and self.order == "SOV" and self.language in UNSPACED_LANGUAGES:
            # 訪問する予定, 抗議する方針, 協力する意向: the modality follows the verb
            after = self.marker_between("future", te, min(self.sent.end, te + 8))
            intended = after is not None and not re.search(r"[、。，,]", self.text[te:after.start])
        modality = "intended" if intended else "asserted"

        visit = "visit" in flags
        sym = "sym" in flags
        weak = "weak" in flags
        ms = self.mentions
        left = [m for m in ms if m.end <= ts and m.start >= cs and not m.is_place]
        if not left and "noun" not in flags and self.order == "SVO":
            left = self.subject_taken_for_place(ms, cs, ts)
        allow_place = visit or "place" in flags
        right = [m for m in ms if m.start > ts and (allow_place or not m.is_place)
                 and self.words(te, m.start) <= MAX_WORDS
                 and (m.start >= te or m.explicit)]  # a bare title inside the trigger ("100 mil militares") is no actor
        if pat.cameo[:2] == "04" and "noun" in flags:
            # "Pertemuan Pemimpin ASEAN", "the G20 summit": an IGO named as the venue is no participant
            right = [m for m in right if not (m.kind == "igo" and self.words(te, m.start) <= 2)]
        places = [m for m in ms if m.start > te and m.is_place and m.code and self.words(te, m.start) <= MAX_WORDS]

        sources: list[ActorMention] = []
        targets: list[ActorMention] = []
        pair_mode = False
        # "talks between A and B"
        btw = self.marker_between("between", ts, te + 40) if right else None
        if btw is not None:
            after = [m for m in right if m.start >= btw.end]
            if after:
                grp = self.chain(after[0], right, leftwards=False)
                if len(grp) < 2:
                    grp = self.between_group(after) or grp
                near_left = [m for m in left if self.words(m.end, ts) <= MAX_WORDS]
                inner = [m for m in right if m.end <= btw.start and m not in grp]
                if not sym and inner:
                    # "mediation led by Kuwait between Riyadh and Doha"
                    sources, targets = [inner[-1]], grp
                elif not sym and near_left:
                    # "A offered to mediate between B and C"
                    sources, targets = [near_left[-1]], grp
                elif not sym:
                    targets = grp  # "(he) is ready to be a bridge between the two leaders"
                elif len(grp) >= 2 or (grp and grp[0].both_sides):
                    sources, pair_mode = grp, True
        if not sources and not targets and pat.cameo in ("045", "039"):
            # "a ceasefire between Israel and Hamas, mediated by Egypt" / "بوساطة مصرية": the parties
            # named after an earlier "between" are the targets, the mediator is the source
            btw_before = self.marker_between("between", cs, ts)
            if btw_before is not None:
                inner = [m for m in ms if btw_before.end <= m.start and m.end <= ts and not m.is_place]
                grp = self.between_group(inner)
                mediator = [m for m in right if not m.is_place][:1] or \
                    [m for m in left if grp and m.start >= grp[-1].end and self.words(m.end, ts) <= 1][-1:] or \
                    [m for m in left if m.end <= btw_before.start][-1:]
                if len(grp) >= 2 and mediator and all(m.code != mediator[0].code for m in grp):
                    sources, targets = mediator, grp
        # "A-B talks"
        if not sources and left and "noun" in flags:
            last = left[-1]
            if self.words(last.end, ts) <= 1:
                grp = self.chain(last, left, leftwards=True)
                if len(grp) >= 2 and "-" in self.text[grp[1].end:grp[0].start] + self.text[grp[0].end:last.start]:
                    sources, pair_mode = grp, True
        passive = "passive" in flags
        if not passive and right and "active" not in flags:
            aux = self.marker_between("passive_aux", max(cs, ts - 25), ts)
            by = right[0].start >= te and self.preceded_by("passive_by", right[0], 0)
            if aux is not None and by and self.words(aux.end, ts) <= 1:
                passive = True
        if not passive and not sources and not targets and self.order == "SOV" and "active" not in flags \
                and self.language not in UNSPACED_LANGUAGES:
            # "Polen wurde von Deutschland kritisiert": auxiliary, agent after a passive_by marker, final verb
            aux = self.marker_between("passive_aux", cs, ts)
            agents = [m for m in left if aux is not None and m.start >= aux.end
                      and self.preceded_by("passive_by", m, 1)]
            patients = [m for m in left if aux is not None and m.end <= aux.start]
            if agents and patients:
                passive = True
                sources = self.chain(agents[0], left, leftwards=False)
                targets = self.chain(patients[-1], left, leftwards=True)
        explicit_src = explicit_tgt = True
        anaphoric_subject = False
        if not sources and not targets:
            if self.order == "VSO" and not passive:
                if right and not left and (self.words(te, right[0].start) > 1 or (
                        self.words(te, right[0].start) == 1 and self.definite_noun_after(te))):
                    # the subject right after the verb is no known actor ("دعا القرار مجلس الأمن"):
                    # the first actor is the object; the subject comes from context below
                    targets = self.chain(right[0], right, leftwards=False)
                    anaphoric_subject = True
                elif right:
                    sources = self.chain(right[0], right, leftwards=False)
                    rest = [m for m in right if m.start >= sources[-1].end]
                    if rest:
                        targets = self.chain(rest[0], rest, leftwards=False)
                elif left:
                    sources = [left[-1]]
            elif self.order == "SOV" and not passive:
                near = list(left)  # the subject of an SOV clause may stand far from the verb
                cases = {id(m): self.case_of(m) for m in near}
                near = [m for m in near if cases[id(m)] != "place"]
                marked_src = [m for m in near if cases[id(m)] == "source"]
                marked_tgt = [m for m in near if cases[id(m)] == "target"]
                if marked_src:
                    sources = self.chain(marked_src[-1], near, leftwards=True)
                else:
                    unmarked = [m for m in near if cases[id(m)] is None]
                    if unmarked:
                        sources = [m for m in self.chain(unmarked[0], near, leftwards=False)
                                   if cases[id(m)] is None]
                        links = list(pairwise(sources))
                        if links and not any(self.and_linked(a, b) for a, b in links) \
                                and any(self.folded[a.end:b.start].strip() in (",", "，") for a, b in links):
                            # "ABD, Türkiye ..." : a comma after the subject closes it; a list needs "ve"
                            sources = sources[:1]
                    else:
                        # "Ankara'dan ABD'ye tepki": with no unmarked subject, the origin acts
                        origin = [m for m in near if cases[id(m)] == "from"]
                        if origin:
                            sources = [origin[0]]
                if marked_tgt:
                    cand = [m for m in marked_tgt if m not in sources]
                    if cand:
                        targets = self.chain(cand[-1], near, leftwards=True)
                        after_src = sources[-1].end if sources else cs
                        owner = [m for m in near if cases[id(m)] == "genitive" and after_src <= m.start
                                 and m.end <= targets[-1].start and m.code != targets[0].code]
                        if owner:
                            targets = [owner[0]]  # the dative sits inside the genitive's object phrase
                if sources and not targets:
                    rest = [m for m in near if m.start >= sources[-1].end and m not in sources]
                    # an origin ("Rusya'dan satın alma") is the target only when nothing else is left
                    rest = [m for m in rest if cases[id(m)] != "from"] or rest
                    if rest:
                        targets = [rest[-1]]
                    elif right:
                        targets = self.chain(right[0], right, leftwards=False)
            else:
                limit = 3 * MAX_WORDS if "noun" in flags else MAX_WORDS
                near = [m for m in left if self.words(m.end, ts) <= limit]
                if "modal" in flags:
                    # "(X said) Y must ...": Y is the target, the speaker the source
                    if near:
                        targets = self.chain(near[-1], near, leftwards=True)
                        matrix = [m for m in self.mentions if m.end <= cs and not m.is_place and m.code]
                        spk = self.speaker()
                        if spk is not None and spk not in targets:
                            sources = [spk]
                        elif matrix:
                            sources = [matrix[0]]
                elif passive:
                    if near and "noun" in flags:
                        # "A sent troops to B at the request of C": the clause subject is asked
                        targets = self.chain(near[0], near, leftwards=False)
                    elif near:
                        targets = self.chain(near[-1], near, leftwards=True)
                    agents = [m for m in right if self.preceded_by("passive_by", m, 1)] or right[:1]
                    if agents:
                        sources = self.chain(agents[0], right, leftwards=False)
                else:
                    if near:
                        if "noun" in flags and right and not right[0].is_place and (
                                self.words(te, right[0].start) == 0 or self.preceded_by("passive_by", right[0], 0)):
                            # "kunjungan pejabat AS ke Taiwan", "the visit by X to Y": the agent follows the noun
                            sources = [right[0]]
                            right = right[1:]
                        elif "noun" in flags:
                            # "on his visit to Japan", "kunjungan ke Moskow": the clause subject acts
                            sources = self.chain(near[0], near, leftwards=False)
                        elif len(near) > 1 and "," in self.text[near[-1].end:ts] and self.words(near[-1].end, ts) <= 8:
                            # "A launched X against B, accusing C"; "A, a key B ally, refused":
                            # the verb after the comma belongs to the clause subject
                            sources = self.chain(near[0], near, leftwards=False)
                        elif len(near) > 1 and self.verb_coordinated(ts, near[-1]):
                            # "Japan condemned North Korea's test and urged Pyongyang": same subject
                            sources = self.chain(near[0], near, leftwards=False)
                        elif len(near) > 1 and self.infinitive_before(ts):
                            # "A sent experts to B to investigate": the purpose belongs to the subject
                            sources = self.chain(near[0], near, leftwards=False)
                        else:
                            sources = self.chain(near[-1], near, leftwards=True)
                            if len(sources) == 1 and len(near) > 1 and self.preceded_by("target_prep", sources[0], 1) \
                                    and not self.relative_subject(sources[0], ts):
                                # "习近平…对哈萨克斯坦进行国事访问": a preposition marks the target before the verb
                                targets = sources
                                prev = near[near.index(sources[0]) - 1]
                                sources = self.chain(prev, near, leftwards=True)
                            elif sym and len(sources) == 1 and len(near) > 1 \
                                    and self.preceded_by("with", sources[0], 1):
                                # "A 同 B 举行会谈", "A bersama B menandatangani": B joins A
                                prev = near[near.index(sources[0]) - 1]
                                sources = [prev, sources[0]]
                    src_codes = {m.code for m in sources}
                    cand = [m for m in right if m.code not in src_codes]
                    if cand and not (sym and len(sources) >= 2 and not self.preceded_by("with", cand[0], 1)):
                        targets = self.chain(cand[0], cand, leftwards=False)
        if sources and not targets and pat.cameo[:2] in ("05", "11") and self.order == "SVO":
            # "Wisma Putra described North Korea's decision as unfriendly": an evaluation after a
            # reporting verb belongs to the speaker; the actor evaluated is the target
            spk = self.speaker()
            if spk is not None and spk.end <= ts and spk.code and all(spk.code != m.code for m in sources) \
                    and any(k.kind == "speech" and spk.end <= k.start and k.end <= sources[0].start
                            for k in self.markers):
                sources, targets = [spk], sources
        if not sources and pat.cameo[:2] == "14":
            # a crowd protesting: coded as the country where it happens
            tcodes = {t.code for t in targets}
            place = next((m for m in self.mentions if m.is_place and m.code and m.code not in tcodes), None)
            if place is not None:
                sources = [replace(place, is_place=False, explicit=False, sector="CVL")]
        if not sources:
            spk = self.speaker()
            if spk is not None and not (spk.start >= ts and targets and spk is targets[0]):
                sources = [spk]
                explicit_src = False
            elif self.last_subject is not None and not weak and self.marker_between("pronouns", max(cs, ts - 40), ts):
                sources = [self.last_subject]
                explicit_src = False
            elif self.last_subject is not None and not weak and targets and anaphoric_subject \
                    and all(t.code != self.last_subject.code for t in targets):
                # "وطالب المجلس ... بانسحاب القوات التركية": "the council" is the actor named before
                sources = [self.last_subject]
                explicit_src = False
                self.anaphoric = True
            elif self.last_subject is not None and not weak and targets and self.actorless_report(ts) \
                    and all(t.code != self.last_subject.code for t in targets):
                # "Açıklamada, ABD'ye ... çağrısında bulunuldu": an impersonal report whose
                # author is the actor of the previous sentence
                sources = [self.last_subject]
                explicit_src = False
        if not sources:
            return []
        sources = self.expand(sources)
        targets = [t for t in self.expand(targets) if all(t.code != s.code for s in sources)]
        if len(sources) >= 2 and not targets and pat.cameo[:2] in ("03", "04", "05", "06"):
            sym = True  # "Indonesia and Australia agreed to strengthen cooperation": a mutual act
        if pair_mode or (sym and len(sources) >= 2 and not targets):
            pairs = [(a, b) for i, a in enumerate(sources) for b in sources[i + 1:] if a.code != b.code]
            sym = True
        else:
            if not targets and places and not sym and not visit:
                # "demanded that political prisoners in Myanmar be freed": a nearby place names the target
                targets = [p for p in places if all(p.code != s.code for s in sources)
                           and self.words(te, p.start) <= 4][:1]
            if not targets:
                if weak or sym or visit or (passive and "noun" in flags):
                    return []  # ("at the request of X" needs the actor asked)
                partner = self._partner(sources, pat.cameo[:2])
                if partner is None:
                    return []
                targets = [partner]
                explicit_tgt = False
            pairs = [(a, b) for a in sources for b in targets if a.code != b.code]
        if weak and not (explicit_src and explicit_tgt) and not any(m.both_sides for m in sources):
            return []
        cameo = pat.cameo
        if modality == "intended" and cameo in _INTENT_SPECIFIC:
            cameo = _INTENT_SPECIFIC[cameo]
        elif modality == "intended" and cameo[:2] in _INTENT_MAP and not visit:
            cameo = _INTENT_MAP[cameo[:2]]
        elif modality == "intended" and visit:
            cameo = "036"
            visit = False
            sym = True
        dist = 0
        if sources and sources[0].explicit:
            dist = self.words(min(sources[0].end, ts), max(sources[0].start, ts))
        cues = {
            "weak": weak,
            "implicit_source": not explicit_src,
            "implicit_target": not explicit_tgt,
            "resolved_reference": any(not m.explicit for m in sources + targets),
            "far": dist > 6,
            "noun": "noun" in flags and not pair_mode,
            "intended": modality == "intended",
            "pair": pair_mode,
            "passive": passive,
            "metonym": any("capital" in m.types or "seat" in m.types for m in sources + targets),
            "adjective_only": any(m.types <= {"adjective", "demonym"} for m in sources + targets if m.types),
            "multi_word_trigger": " " in trig_text.strip(),
        }
        conf = cue_confidence(cues)
        where = next((m for m in self.mentions if m.is_place and m.code and m.kind == "state"
                      and m.start > self.sent.start + 2), None)
        where_at = (where.text, where.code) if where and where.code else None
        third = cameo == "040" and (self.marker_between("third_place", self.sent.start, self.sent.end) is not None)
        place_codes = {m.code for m in self.mentions if m.is_place and m.code and m.kind == "state"}
        out: list[Candidate] = []
        for a, b in pairs:
            if cameo == "040" and not third:
                if place_codes and place_codes - {a.code, b.code}:
                    third = True
                elif b.code in place_codes and a.code not in place_codes:
                    # a meeting held in one side's country is a visit by the other side
                    out.append(Candidate(a, b, "042", modality, self.sent, trig_text, conf, cues, where_at))
                    out.append(Candidate(b, a, "043", modality, self.sent, trig_text, conf, cues, where_at))
                    continue
                elif a.code in place_codes and b.code not in place_codes:
                    out.append(Candidate(b, a, "042", modality, self.sent, trig_text, conf, cues, where_at))
                    out.append(Candidate(a, b, "043", modality, self.sent, trig_text, conf, cues, where_at))
                    continue
            if third:
                cameo = "044"
            if visit:
                out.append(Candidate(a, b, cameo, modality, self.sent, trig_text, conf, cues, where_at))
                back = _VISIT_REVERSE.get(cameo, cameo)
                out.append(Candidate(b, a, back, modality, self.sent, trig_text, conf, cues, where_at))
            else:
                out.append(Candidate(a, b, cameo, modality, self.sent, trig_text, conf, cues, where_at))
                if sym:
                    out.append(Candidate(b, a, cameo, modality, self.sent, trig_text, conf, cues, where_at))
        return out

    def _partner(self, sources: list[ActorMention], root: str = "") -> ActorMention | None:
        if len(self.dyad) < 2 or len(sources) != 1:
            return None
        src = sources[0]
        if src.code not in self.dyad:
            if root not in ("10", "11", "12") or src.kind != "state" or self.kinds.get(self.dyad[0]) == "igo":
                return None
            # a third state reacting with no object named ("the White House criticised the trip",
            # "Australia said it would drop the contract"): the article's main actor is the other side
            other = self.dyad[0]
        else:
            other = self.dyad[1] if src.code == self.dyad[0] else self.dyad[0]
        return ActorMention(start=src.start, end=src.end, text="", code=other, kind=self.kinds.get(other, "state"),
                            sector=None, explicit=False)
