"""The coder interface every event coder implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from communique.contracts import EventV1


@dataclass(frozen=True)
class ArticleInput:
    """What a coder needs of an article."""

    id: str
    text: str
    title: str = ""
    language: str | None = None  # the feed's or caller's hint; a prior, not the truth
    published: date | None = None  # the article's date (publication, else fetch)
    source_name: str | None = None
    url: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


class EventCoder(Protocol):
    """Turns one article into its diplomatic events.

    Implementations must be deterministic (same input, same output, same
    event ids) and safe to call from a worker process.
    """

    name: str

    def code(self, article: ArticleInput) -> list[EventV1]:
        """All events of ``article``, de-duplicated within the article."""
        ...
