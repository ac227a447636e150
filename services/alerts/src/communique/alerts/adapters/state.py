"""Durable alert state: rules, threshold observations and the alert outbox."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from communique.alerts.domain.rules import Rule, RuleSpec
from communique.alerts.domain.windows import Observation


class AlertsBase(DeclarativeBase):
    """Tables of the alerts service."""


class RuleRow(AlertsBase):
    """A rule, from the rules file or the admin API."""

    __tablename__ = "alert_rules"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    origin: Mapped[str] = mapped_column(String(8))  # file | api
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ObservationRow(AlertsBase):
    """A matching report counted by a threshold rule."""

    __tablename__ = "alert_observations"

    rule: Mapped[str] = mapped_column(String(80), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    group_key: Mapped[str] = mapped_column(String(64))
    outlet: Mapped[str] = mapped_column(String(200))
    observed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_alert_obs_group", "rule", "group_key", "observed_at"),)


class AlertRow(AlertsBase):
    """The outbox: an alert is written here first, then published, then delivered."""

    __tablename__ = "alerts"

    alert_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    rule: Mapped[str] = mapped_column(String(80))
    group_key: Mapped[str] = mapped_column(String(64))
    fired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    payload: Mapped[str] = mapped_column(Text)
    published: Mapped[int] = mapped_column(Integer, default=0)
    webhook: Mapped[str | None] = mapped_column(Text)
    webhook_status: Mapped[str | None] = mapped_column(String(16))  # pending | delivered | failed
    webhook_attempts: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_alerts_rule_group", "rule", "group_key", "fired_at"),)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class AlertStore:
    """Reads and writes alert state."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def rules(self) -> list[Rule]:
        """Every stored rule, compiled (disabled ones left out)."""
        with self.sessions() as s:
            specs = [RuleSpec.model_validate(r.spec) for r in s.scalars(select(RuleRow).order_by(RuleRow.name))]
        return [Rule.from_spec(spec) for spec in specs if spec.enabled]

    def rule_specs(self) -> list[tuple[RuleSpec, str]]:
        """Every stored rule with its origin."""
        with self.sessions() as s:
            rows = s.scalars(select(RuleRow).order_by(RuleRow.name))
            return [(RuleSpec.model_validate(r.spec), r.origin) for r in rows]

    def put_rule(self, spec: RuleSpec, origin: str) -> None:
        """Create or replace a rule."""
        with self.sessions.begin() as s:
            s.merge(RuleRow(name=spec.name, spec=spec.model_dump(mode="json"), origin=origin,
                            updated_at=datetime.now(UTC)))

    def delete_rule(self, name: str) -> bool:
        """Delete a rule; False if it did not exist."""
        with self.sessions.begin() as s:
            row = s.get(RuleRow, name)
            if row is None:
                return False
            s.delete(row)
            return True

    def sync_file_rules(self, specs: list[RuleSpec]) -> None:
        """Make the file's rules current: add or replace them, drop file rules no longer in the file."""
        names = {spec.name for spec in specs}
        with self.sessions.begin() as s:
            for row in s.scalars(select(RuleRow).where(RuleRow.origin == "file")):
                if row.name not in names:
                    s.delete(row)
            for spec in specs:
                s.merge(RuleRow(name=spec.name, spec=spec.model_dump(mode="json"), origin="file",
                                updated_at=datetime.now(UTC)))

    # The following run inside the caller's transaction.

    @staticmethod
    def observations(s: Session, rule: str, group: str, since: datetime) -> list[Observation]:
        """Observations of one rule and group since ``since``."""
        rows = s.scalars(select(ObservationRow).where(
            ObservationRow.rule == rule, ObservationRow.group_key == group, ObservationRow.observed_at >= since))
        return [Observation(r.event_id, r.outlet, _aware(r.observed_at)) for r in rows]

    @staticmethod
    def observe(s: Session, rule: str, group: str, obs: Observation) -> None:
        """Record an observation (idempotent)."""
        s.merge(ObservationRow(rule=rule, event_id=obs.event_id, group_key=group, outlet=obs.outlet,
                               observed_at=obs.at))

    @staticmethod
    def last_fired(s: Session, rule: str, group: str, before: datetime) -> datetime | None:
        """When the rule last fired for the group, at or before ``before``."""
        row = s.scalars(select(AlertRow.fired_at).where(
            AlertRow.rule == rule, AlertRow.group_key == group, AlertRow.fired_at <= before,
        ).order_by(AlertRow.fired_at.desc()).limit(1)).first()
        return _aware(row) if row else None

    @staticmethod
    def add_alert(s: Session, alert_id: str, rule: str, group: str, fired_at: datetime, payload: str,
                  webhook: str | None) -> None:
        """Put an alert in the outbox unless it is already there."""
        if s.get(AlertRow, alert_id) is None:
            s.add(AlertRow(alert_id=alert_id, rule=rule, group_key=group, fired_at=fired_at, payload=payload,
                           published=0, webhook=webhook, webhook_status="pending" if webhook else None,
                           webhook_attempts=0))

    def unpublished(self) -> list[AlertRow]:
        """Alerts in the outbox not yet acknowledged by Kafka."""
        with self.sessions() as s:
            return list(s.scalars(select(AlertRow).where(AlertRow.published == 0).order_by(AlertRow.fired_at)))

    def mark_published(self, ids: list[str]) -> None:
        """Record that Kafka acknowledged these alerts."""
        with self.sessions.begin() as s:
            for row in s.scalars(select(AlertRow).where(AlertRow.alert_id.in_(ids))):
                row.published = 1

    def pending_webhooks(self, max_attempts: int) -> list[AlertRow]:
        """Published alerts whose webhook has not been delivered yet."""
        with self.sessions() as s:
            return list(s.scalars(select(AlertRow).where(
                AlertRow.published == 1, AlertRow.webhook_status == "pending",
                AlertRow.webhook_attempts < max_attempts).order_by(AlertRow.fired_at)))

    def webhook_result(self, alert_id: str, delivered: bool, max_attempts: int) -> None:
        """Record one delivery attempt."""
        with self.sessions.begin() as s:
            row = s.get(AlertRow, alert_id)
            if row is None:
                return
            row.webhook_attempts += 1
            if delivered:
                row.webhook_status = "delivered"
            elif row.webhook_attempts >= max_attempts:
                row.webhook_status = "failed"
