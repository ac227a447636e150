"""GDELT 2.0 event table: column order, export rows and import of GDELT files. Pure, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from communique.contracts import ActorV1, EventV1, EvidenceV1, LocationV1, article_id_for

_ACTOR = ["Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code", "Religion2Code",
          "Type1Code", "Type2Code", "Type3Code"]
_GEO = ["Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID"]

#: The 61 columns of a GDELT 2.0 event record, in file order.
COLUMNS: tuple[str, ...] = (
    "GlobalEventID", "Day", "MonthYear", "Year", "FractionDate",
    *(f"Actor1{c}" for c in _ACTOR), *(f"Actor2{c}" for c in _ACTOR),
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    *(f"Actor1Geo_{c}" for c in _GEO), *(f"Actor2Geo_{c}" for c in _GEO), *(f"ActionGeo_{c}" for c in _GEO),
    "DATEADDED", "SOURCEURL",
)
INDEX = {name: i for i, name in enumerate(COLUMNS)}


class GdeltRowError(ValueError):
    """A GDELT line that cannot become an event."""


@dataclass(frozen=True)
class ExportFields:
    """What the store knows about one event, for a GDELT-ordered row."""

    record: dict[str, Any]
    num_mentions: int
    num_sources: int
    num_articles: int
    stored_at: datetime | None
    article_url: str | None


def to_gdelt_row(x: ExportFields) -> list[str]:
    """One export row in GDELT 2.0 column order; what Communique does not code is left blank."""
    r = x.record
    d = date.fromisoformat(r["date"])
    row = [""] * len(COLUMNS)

    def put(name: str, value: object) -> None:
        row[INDEX[name]] = "" if value is None else str(value)

    put("GlobalEventID", r["event_id"])
    put("Day", d.strftime("%Y%m%d"))
    put("MonthYear", d.strftime("%Y%m"))
    put("Year", d.year)
    put("FractionDate", f"{d.year + (d.timetuple().tm_yday - 1) / 365:.4f}")
    for n, actor in (("1", r.get("source")), ("2", r.get("target"))):
        if actor:
            put(f"Actor{n}Code", actor.get("cameo_code") or actor["code"])
            put(f"Actor{n}Name", actor.get("name") or actor.get("text"))
            put(f"Actor{n}CountryCode", actor["code"] if actor.get("kind") == "state" else None)
            put(f"Actor{n}KnownGroupCode", actor["code"] if actor.get("kind") == "igo" else None)
            put(f"Actor{n}Type1Code", actor.get("sector"))
    put("IsRootEvent", 1)
    put("EventCode", r["cameo"])
    put("EventBaseCode", r["cameo"][:3])
    put("EventRootCode", r["cameo_root"])
    put("QuadClass", r["quad_class"])
    put("GoldsteinScale", r["goldstein"])
    put("NumMentions", x.num_mentions)
    put("NumSources", x.num_sources)
    put("NumArticles", x.num_articles)
    loc = r.get("location")
    if loc:
        put("ActionGeo_FullName", loc.get("name"))
        put("ActionGeo_CountryCode", loc.get("country"))
        put("ActionGeo_Lat", loc.get("lat"))
        put("ActionGeo_Long", loc.get("lon"))
    if x.stored_at:
        put("DATEADDED", x.stored_at.strftime("%Y%m%d%H%M%S"))
    put("SOURCEURL", x.article_url or r.get("article_url"))
    return row


def _actor(cells: Sequence[str], n: str) -> ActorV1 | None:
    code = cells[INDEX[f"Actor{n}Code"]].strip()
    country = cells[INDEX[f"Actor{n}CountryCode"]].strip()
    group = cells[INDEX[f"Actor{n}KnownGroupCode"]].strip()
    if not (code or country or group):
        return None
    short = country or group or code[:3]
    name = cells[INDEX[f"Actor{n}Name"]].strip() or None
    return ActorV1(code=short, kind="state" if country else "igo" if group else "other",
                   sector=cells[INDEX[f"Actor{n}Type1Code"]].strip() or None, name=name, cameo_code=code or None)


def _float(cell: str) -> float | None:
    try:
        return float(cell)
    except ValueError:
        return None


def from_gdelt_row(cells: Sequence[str]) -> EventV1:
    """An EventV1 from one GDELT 2.0 event line (split on tabs); raises ``GdeltRowError``."""
    if len(cells) < len(COLUMNS):
        raise GdeltRowError(f"expected {len(COLUMNS)} columns, got {len(cells)}")
    try:
        source = _actor(cells, "1")
        if source is None:
            raise GdeltRowError("no Actor1")
        url = cells[INDEX["SOURCEURL"]].strip()
        cameo = cells[INDEX["EventCode"]].strip()
        root = cells[INDEX["EventRootCode"]].strip().zfill(2)
        geo_name = cells[INDEX["ActionGeo_FullName"]].strip()
        location = None
        if geo_name:
            location = LocationV1(name=geo_name, country=cells[INDEX["ActionGeo_CountryCode"]].strip() or None,
                                  lat=_float(cells[INDEX["ActionGeo_Lat"]]), lon=_float(cells[INDEX["ActionGeo_Long"]]))
        return EventV1(
            event_id=f"gdelt-{cells[INDEX['GlobalEventID']].strip()}",
            article_id=article_id_for(url) if url else f"gdelt-{cells[INDEX['GlobalEventID']].strip()}",
            date=datetime.strptime(cells[INDEX["Day"]].strip(), "%Y%m%d").date(),
            source=source, target=_actor(cells, "2"), cameo=cameo, cameo_root=root,
            quad_class=int(cells[INDEX["QuadClass"]]), goldstein=float(cells[INDEX["GoldsteinScale"]]),
            location=location,
            evidence=EvidenceV1(sentence="", start=0, end=0, trigger=""),
            language="und", confidence=1.0, coder="gdelt-2.0",
            source_name=urlsplit(url).hostname if url else None, article_url=url or None,
        )
    except GdeltRowError:
        raise
    except (ValueError, IndexError) as exc:
        raise GdeltRowError(str(exc)[:300]) from exc
