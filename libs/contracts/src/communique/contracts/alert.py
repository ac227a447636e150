"""AlertV1: one match of an alert rule, published on the alerts topic."""

from __future__ import annotations

import hashlib

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from communique.contracts.event import EventV1


def alert_id_for(rule: str, group: str, event_id: str) -> str:
    """Deterministic alert id: the same rule fired by the same event gives the same id."""
    return hashlib.sha256(f"{rule}|{group}|{event_id}".encode()).hexdigest()[:32]


class AlertV1(BaseModel):
    """A rule matched: the event that triggered it and, for threshold rules, the window."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    alert_id: str = Field(description="deterministic: rule + group + triggering event")
    rule: str = Field(description="name of the rule")
    rule_description: str | None = None
    group: str = Field(description="what the rule counts over: the dyad, or '*' for the whole rule")
    fired_at: AwareDatetime = Field(description="time of the triggering report (message timestamp)")
    event: EventV1 = Field(description="the event that made the rule fire")
    distinct_sources: int = Field(ge=1, description="distinct outlets that reported matching events in the window")
    window_seconds: int | None = Field(default=None, description="the rule's window, for threshold rules")
    event_ids: list[str] = Field(default_factory=list, description="matching events counted in the window")
    outlets: list[str] = Field(default_factory=list, description="outlets counted in the window")
