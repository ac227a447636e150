"""Builders of wire records for store tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from communique.contracts import ActorV1, ArticleV1, EventV1, EvidenceV1, event_id_for


def article(i: int = 1, **kw: object) -> ArticleV1:
    base: dict[str, object] = dict(
        id=f"art{i}", url=f"https://news.example/{i}", canonical_url=f"https://news.example/{i}",
        source_name="Example News", title=f"Title {i}", text=f"Text {i}", language="en",
        published=datetime(2025, 6, 16, 9, tzinfo=UTC), fetched=datetime(2025, 6, 16, 10, tzinfo=UTC),
    )
    base.update(kw)
    return ArticleV1.model_validate(base)


def event(article_id: str = "art1", src: str = "CHN", tgt: str = "KAZ", cameo: str = "042",
          day: date = date(2025, 6, 16), **kw: object) -> EventV1:
    base: dict[str, object] = dict(
        event_id=event_id_for(article_id, src, tgt, cameo), article_id=article_id, date=day,
        source=ActorV1(code=src, kind="state", sector="GOV"), target=ActorV1(code=tgt, kind="state", sector="GOV"),
        cameo=cameo, cameo_root=cameo[:2], plover="CONSULT", plover_mode="visit", quad_class=1, goldstein=1.9,
        evidence=EvidenceV1(sentence="Xi visited Astana.", start=0, end=18, trigger="visited"),
        language="en", modality="asserted", confidence=0.8,
    )
    base.update(kw)
    return EventV1.model_validate(base)
