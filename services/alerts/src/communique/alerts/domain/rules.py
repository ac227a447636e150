"""Alert rules: a YAML file format and the match of one event against one rule."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from communique.contracts import EventV1

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class RuleError(ValueError):
    """A rule or rules file is invalid; the message names the rule and field."""


def parse_duration(value: str | int) -> int:
    """Seconds in ``"90s"``, ``"15m"``, ``"6h"``, ``"2d"`` or a plain number of seconds."""
    if isinstance(value, int):
        return value
    m = _DURATION.match(value)
    if not m:
        raise ValueError(f"not a duration: {value!r} (use e.g. 30m, 6h, 2d)")
    return int(m.group(1)) * _UNITS[m.group(2)]


class RuleSpec(BaseModel):
    """A rule as written in the rules file or sent to the admin API."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,80}$")
    description: str | None = None
    enabled: bool = True
    actors: list[str] = Field(default_factory=list, description="actor codes on either side")
    sources: list[str] = Field(default_factory=list, description="source actor codes")
    targets: list[str] = Field(default_factory=list, description="target actor codes")
    dyads: list[str] = Field(default_factory=list, description="'CHN-KAZ': either direction")
    cameo: list[str] = Field(default_factory=list, description="CAMEO code prefixes, e.g. 16, 163, 0311")
    plover: list[str] = Field(default_factory=list)
    quad_class: list[int] = Field(default_factory=list)
    goldstein_min: float | None = Field(default=None, ge=-10, le=10)
    goldstein_max: float | None = Field(default=None, ge=-10, le=10)
    keywords: list[str] = Field(default_factory=list, description="any of these in the evidence (case-insensitive)")
    min_confidence: float = Field(default=0.0, ge=0, le=1)
    min_sources: int = Field(default=1, ge=1, le=1000, description="distinct outlets within the window")
    window: str | int = Field(default="6h", description="window for min_sources, e.g. 6h")
    group_by: str = Field(default="dyad", pattern=r"^(dyad|rule)$")
    webhook: str | None = Field(default=None, pattern=r"^https?://")

    @field_validator("actors", "sources", "targets")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        for code in value:
            if not re.fullmatch(r"[A-Z]{2,12}", code):
                raise ValueError(f"actor codes are upper-case letters: {code!r}")
        return value

    @field_validator("dyads")
    @classmethod
    def _dyads(cls, value: list[str]) -> list[str]:
        for d in value:
            if not re.fullmatch(r"[A-Z]{2,12}-[A-Z]{2,12}", d):
                raise ValueError(f"dyads are written SRC-TGT: {d!r}")
        return value

    @field_validator("cameo")
    @classmethod
    def _cameo(cls, value: list[str]) -> list[str]:
        for c in value:
            if not re.fullmatch(r"\d{2,4}", c):
                raise ValueError(f"CAMEO prefixes are 2-4 digits: {c!r}")
        return value

    @field_validator("window")
    @classmethod
    def _window(cls, value: str | int) -> str | int:
        if parse_duration(value) <= 0:
            raise ValueError("window must be positive")
        return value


@dataclass(frozen=True)
class Rule:
    """A compiled rule."""

    name: str
    description: str | None
    actors: frozenset[str]
    sources: frozenset[str]
    targets: frozenset[str]
    dyads: frozenset[frozenset[str]]
    cameo: tuple[str, ...]
    plover: frozenset[str]
    quad_class: frozenset[int]
    goldstein_min: float | None
    goldstein_max: float | None
    keywords: tuple[str, ...]
    min_confidence: float
    min_sources: int
    window_seconds: int
    group_by: str
    webhook: str | None
    spec: dict[str, Any] = field(compare=False, hash=False)

    @classmethod
    def from_spec(cls, spec: RuleSpec) -> Rule:
        """Compile a validated spec."""
        return cls(
            name=spec.name, description=spec.description, actors=frozenset(spec.actors),
            sources=frozenset(spec.sources), targets=frozenset(spec.targets),
            dyads=frozenset(frozenset(d.split("-")) for d in spec.dyads), cameo=tuple(spec.cameo),
            plover=frozenset(p.upper() for p in spec.plover), quad_class=frozenset(spec.quad_class),
            goldstein_min=spec.goldstein_min, goldstein_max=spec.goldstein_max,
            keywords=tuple(k.casefold() for k in spec.keywords), min_confidence=spec.min_confidence,
            min_sources=spec.min_sources, window_seconds=parse_duration(spec.window), group_by=spec.group_by,
            webhook=spec.webhook, spec=spec.model_dump(mode="json"),
        )

    def group_of(self, event: EventV1) -> str:
        """What threshold counting groups by: the dyad, or the whole rule."""
        if self.group_by == "rule":
            return "*"
        return f"{event.source.code}-{event.target.code if event.target else ''}"


def matches(rule: Rule, event: EventV1) -> bool:
    """Whether ``event`` satisfies every condition of ``rule``."""
    src = event.source.code
    tgt = event.target.code if event.target else None
    if rule.actors and not ({src, tgt} & rule.actors):
        return False
    if rule.sources and src not in rule.sources:
        return False
    if rule.targets and tgt not in rule.targets:
        return False
    if rule.dyads and frozenset({src, tgt}) not in rule.dyads:
        return False
    if rule.cameo and not event.cameo.startswith(rule.cameo):
        return False
    if rule.plover and (event.plover or "") not in rule.plover:
        return False
    if rule.quad_class and event.quad_class not in rule.quad_class:
        return False
    if rule.goldstein_min is not None and event.goldstein < rule.goldstein_min:
        return False
    if rule.goldstein_max is not None and event.goldstein > rule.goldstein_max:
        return False
    if event.confidence < rule.min_confidence:
        return False
    if rule.keywords:
        text = f"{event.evidence.sentence} {event.evidence.trigger}".casefold()
        if not any(k in text for k in rule.keywords):
            return False
    return True


def parse_rules(text: str) -> list[RuleSpec]:
    """Rule specs from a YAML rules file (a top-level ``rules:`` list)."""
    try:
        doc = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise RuleError(f"rules file is not valid YAML: {exc}") from exc
    items = doc.get("rules") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise RuleError("rules file needs a top-level `rules:` list")
    specs: list[RuleSpec] = []
    for i, item in enumerate(items):
        try:
            specs.append(RuleSpec.model_validate(item))
        except ValidationError as exc:
            name = item.get("name", f"#{i}") if isinstance(item, dict) else f"#{i}"
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise RuleError(f"rule {name}: {problems}") from exc
    names = [s.name for s in specs]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise RuleError(f"duplicate rule names: {sorted(dupes)}")
    return specs
