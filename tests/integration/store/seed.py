"""A small, varied database shared by the store API tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from communique.contracts import ActorV1, EvidenceV1, LocationV1, MentionV1
from communique.runtime.db import make_engine
from communique.store.storage.db import save_batch, session_factory
from communique.store.storage.migrate import upgrade
from tests.store_helpers import article, event


def meeting_reports() -> tuple[list, list]:  # type: ignore[type-arg]
    """Three outlets reporting one China–Kazakhstan meeting, a day apart at most."""
    outlets = ["Antara", "Xinhua", "Kazinform"]
    arts = [article(10 + i, source_name=o, text=f"Xi met Tokayev in Astana. Report {i}.",
                    title=f"Xi and Tokayev meet ({o})") for i, o in enumerate(outlets)]
    evs = [
        event(f"art{10 + i}", "CHN", "KAZ", "042", date(2025, 6, 16) if i < 2 else date(2025, 6, 17),
              source_name=o, location=LocationV1(name="Astana", country="KAZ"), goldstein=1.9,
              evidence=EvidenceV1(sentence="Xi met Tokayev in Astana.", start=0, end=25, trigger="met"),
              mentions=[MentionV1(sentence="Xi met Tokayev in Astana.", start=0, end=25, trigger="met",
                                  confidence=0.8)])
        for i, o in enumerate(outlets)
    ]
    return arts, evs


def seed(database_url: str) -> None:
    """Migrate and fill the database with a few reports of several kinds."""
    upgrade(database_url)
    arts, evs = meeting_reports()
    evs += [
        event("art1", "KAZ", "CHN", "043", date(2025, 6, 16), source_name="Example News"),
        event("art2", "USA", "RUS", "163", date(2025, 5, 1), plover="COERCE", quad_class=4, goldstein=-8.0,
              language="ru", source_name="Example News",
              evidence=EvidenceV1(sentence="Washington imposed sanctions on Moscow.", start=0, end=39,
                                  trigger="imposed sanctions"),
              location=LocationV1(name="Moscow", country="RUS")),
        event("art3", "IDN", "MYS", "057", date(2024, 1, 2), plover="SUPPORT", confidence=0.4,
              source=ActorV1(code="IDN", kind="state", name="Prabowo Subianto", sector="GOV")),
    ]
    engine = make_engine(database_url)
    with session_factory(engine).begin() as s:
        save_batch(s, [*arts, article(1), article(2, language="ru", text="Sanctions were imposed."), article(3)], evs)
    engine.dispose()


FETCHED = datetime(2025, 6, 16, 10, tzinfo=UTC)
