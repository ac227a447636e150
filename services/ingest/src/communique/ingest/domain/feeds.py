"""The FEEDS.yaml format: a top-level ``feeds:`` list whose items need only ``url``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml


class FeedConfigError(ValueError):
    """FEEDS.yaml is not in the expected format."""


@dataclass(frozen=True)
class FeedSpec:
    """One feed to poll."""

    url: str
    name: str | None = None
    language: str | None = None
    country: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    interval: float | None = None


def parse_feeds(text: str) -> list[FeedSpec]:
    """Feed specs from YAML text; raises ``FeedConfigError`` with the item at fault."""
    try:
        doc: Any = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise FeedConfigError(f"not valid YAML: {exc}") from exc
    items = doc.get("feeds") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise FeedConfigError("expected a top-level `feeds:` list")
    specs = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            item = {"url": item}
        if not isinstance(item, dict) or not isinstance(item.get("url"), str):
            raise FeedConfigError(f"feeds[{i}]: needs a `url`")
        if not item["url"].startswith(("http://", "https://")):
            raise FeedConfigError(f"feeds[{i}]: only http and https URLs are allowed")
        tags = item.get("tags") or ()
        specs.append(FeedSpec(
            url=item["url"], name=item.get("name"), language=item.get("language"),
            country=item.get("country"), tags=tuple(str(t) for t in tags),
            interval=float(item["interval"]) if item.get("interval") else None,
        ))
    return specs
