"""EventV1: one coded diplomatic event (see docs/event-coding.md §3)."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


def event_id_for(article_id: str, source: str, target: str | None, cameo: str) -> str:
    """Deterministic event id: same article + same action gives the same id."""
    key = "|".join((article_id, source, target or "", cameo))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ActorV1(_Wire):
    """A state or intergovernmental organisation as it acts in one event."""

    code: str = Field(description="ISO 3166-1 alpha-3 for states, short id (UN, EU, ASEAN…) for IGOs")
    kind: Literal["state", "igo", "other"] = "state"
    sector: str | None = Field(default=None, description="GOV MIL DIP LEG JUD POL BUS MED CVL REB or null")
    name: str | None = Field(default=None, description="canonical name of the person or body, if known")
    text: str | None = Field(default=None, description="the mention as written in the article")
    cameo_code: str | None = Field(default=None, description="CAMEO-style actor code, e.g. CHNGOV, IGOUNO")


class LocationV1(_Wire):
    """Where the action took place, if the text names it."""

    name: str
    country: str | None = None
    lat: float | None = None
    lon: float | None = None


class EvidenceV1(_Wire):
    """The sentence that reports the event, with offsets into the article text."""

    sentence: str
    start: int = Field(ge=0, description="character offset of the sentence in the article text")
    end: int = Field(ge=0, description="end offset (exclusive)")
    trigger: str = Field(description="the words that signalled the action")


class MentionV1(EvidenceV1):
    """One more sentence of the same article reporting the same event."""

    confidence: float = Field(ge=0.0, le=1.0)


class EventV1(_Wire):
    """Who did what to whom, when and where, with evidence."""

    event_id: str = Field(description="deterministic: same article and action give the same id")
    article_id: str
    date: date
    source: ActorV1
    target: ActorV1 | None = None
    cameo: str = Field(pattern=r"^\d{2,4}$")
    cameo_root: str = Field(pattern=r"^\d{2}$")
    plover: str | None = None
    plover_mode: str | None = None
    quad_class: int = Field(ge=1, le=4)
    goldstein: float = Field(ge=-10.0, le=10.0)
    location: LocationV1 | None = None
    evidence: EvidenceV1
    language: str
    modality: Literal["asserted", "intended", "conditional"] = "asserted"
    confidence: float = Field(ge=0.0, le=1.0)
    # Additive fields beyond event-coding.md §3.
    mentions: list[MentionV1] = Field(default_factory=list, description="every mention, evidence first")
    coder: str | None = Field(default=None, description="coder name and version")
    source_name: str | None = Field(default=None, description="outlet of the article")
    article_url: str | None = None

    def dyad_key(self) -> str:
        """Kafka key: one dyad's events stay ordered on one partition."""
        return f"{self.source.code}:{self.target.code if self.target else ''}"
