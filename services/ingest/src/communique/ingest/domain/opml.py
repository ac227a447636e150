"""OPML import: outlines with an ``xmlUrl`` become feed specs. Parsed with defusedxml."""

from __future__ import annotations

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from communique.ingest.domain.feeds import FeedConfigError, FeedSpec


def parse_opml(data: bytes | str) -> list[FeedSpec]:
    """Feed specs from an OPML document; categories of enclosing outlines become tags."""
    try:
        root = ElementTree.fromstring(data)
    except (DefusedXmlException, ElementTree.ParseError) as exc:
        raise FeedConfigError(f"not a usable OPML document: {exc}") from exc
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise FeedConfigError("not an OPML document (expected <opml><body>)")
    specs: list[FeedSpec] = []
    seen: set[str] = set()

    def walk(node: ElementTree.Element, tags: tuple[str, ...]) -> None:
        for outline in node.findall("outline"):
            url = (outline.get("xmlUrl") or "").strip()
            label = outline.get("title") or outline.get("text")
            if url:
                if url.startswith(("http://", "https://")) and url not in seen:
                    seen.add(url)
                    extra = tuple(c.strip() for c in (outline.get("category") or "").split(",") if c.strip())
                    specs.append(FeedSpec(url=url, name=label, language=outline.get("language") or None,
                                          tags=tags + extra))
            else:
                walk(outline, tags + ((label,) if label else ()))

    walk(body, ())
    return specs
