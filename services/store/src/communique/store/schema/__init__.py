"""Database schema: SQLAlchemy 2 typed models. Unique keys make every write an idempotent upsert."""

from communique.store.schema.models import ArticleRow, Base, EventRow

__all__ = ["ArticleRow", "Base", "EventRow"]
