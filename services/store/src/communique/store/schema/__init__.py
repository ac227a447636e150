"""Database schema: SQLAlchemy 2 typed models. Unique keys make every write an idempotent upsert."""

from communique.store.schema.models import ActorRow, ArticleRow, Base, ClusterRow, EventRow, MentionRow

__all__ = ["ActorRow", "ArticleRow", "Base", "ClusterRow", "EventRow", "MentionRow"]
