"""ArticleV1: one news article, as published by the ingest service."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


def canonical_url_key(canonical_url: str) -> str:
    """The stable form of a canonical URL that article ids are hashed from."""
    return canonical_url.strip()


def article_id_for(canonical_url: str) -> str:
    """Deterministic article id: the first 32 hex digits of SHA-256 of the canonical URL."""
    return hashlib.sha256(canonical_url_key(canonical_url).encode("utf-8")).hexdigest()[:32]


class ArticleV1(BaseModel):
    """A news article with its full text, keyed by the hash of its canonical URL."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str = Field(description="SHA-256 (first 32 hex digits) of the canonical URL", min_length=1)
    url: str = Field(description="URL as found in the feed")
    canonical_url: str = Field(description="URL after canonicalisation; the id is its hash")
    feed: str | None = Field(default=None, description="URL of the feed the article was first seen in")
    feed_ids: list[str] = Field(default_factory=list, description="ids of every feed that listed it")
    source_name: str | None = Field(default=None, description="outlet name, e.g. 'Antara'")
    title: str = ""
    summary: str = ""
    text: str = Field(default="", description="full text (page extraction or feed content)")
    text_origin: Literal["page", "feed_content", "feed_summary", "provided"] | None = Field(
        default=None, description="where `text` came from"
    )
    language: str | None = Field(default=None, description="ISO 639-1 code chosen for the article")
    language_metadata: str | None = Field(default=None, description="language declared by page or feed")
    language_detected: str | None = Field(default=None, description="language found by the detector")
    country: str | None = Field(default=None, description="ISO alpha-3 of the outlet's country")
    published: AwareDatetime | None = Field(default=None, description="publication time (UTC offset kept)")
    fetched: AwareDatetime = Field(description="when Communique fetched it")
    authors: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)

    def published_or_fetched(self) -> datetime:
        """The article's date for coding: its publication time, else fetch time."""
        return self.published or self.fetched
