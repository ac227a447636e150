"""Bulk import of EventV1 JSON Lines and GDELT 2.0 event files, idempotently."""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from pydantic import ValidationError
from sqlalchemy import Table
from sqlalchemy.orm import Session, sessionmaker

from communique.contracts import EventV1
from communique.store.gdelt import GdeltRowError, from_gdelt_row
from communique.store.schema import EventRow
from communique.store.storage.db import save_batch

ImportFormat = Literal["jsonl", "gdelt"]


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    lines: int
    events: int
    skipped: int


def _open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="replace")
    if path.suffix.lower() == ".zip":  # GDELT ships one CSV per zip
        archive = zipfile.ZipFile(path)
        return io.TextIOWrapper(archive.open(archive.namelist()[0]), encoding="utf-8", errors="replace")
    return path.open(encoding="utf-8", errors="replace")


def parse_line(line: str, fmt: ImportFormat) -> EventV1:
    """One event from one line; raises ``ValueError`` when the line is not an event."""
    if fmt == "jsonl":
        return EventV1.model_validate_json(line)
    return from_gdelt_row(line.rstrip("\r\n").split("\t"))


def read_events(path: Path, fmt: ImportFormat, on_skip: Callable[[int, str], None] | None = None,
                ) -> Iterator[tuple[int, EventV1 | None]]:
    """(bytes read so far, event or None for a skipped line) for every non-blank line."""
    with _open_text(path) as fh:
        consumed = 0
        for number, line in enumerate(fh, 1):
            consumed += len(line)
            if not line.strip():
                continue
            try:
                yield consumed, parse_line(line, fmt)
            except (ValidationError, GdeltRowError, ValueError) as exc:
                if on_skip:
                    on_skip(number, str(exc).splitlines()[0][:200])
                yield consumed, None


def import_file(sessions: sessionmaker[Session], path: Path, fmt: ImportFormat, *, batch_size: int = 5000,
                window_days: int = 1, progress: Callable[[int, int], None] | None = None,
                on_skip: Callable[[int, str], None] | None = None) -> ImportResult:
    """Load ``path`` in batches of ``batch_size``, one transaction per batch.

    Importing the same file again changes nothing (events are upserted by id).
    ``progress(chars_read, events_stored)`` is called after each batch.
    """
    with bulk_mode(sessions):
        return _import(sessions, path, fmt, batch_size, window_days, progress, on_skip)


# Maintained incrementally, each secondary index and the full-text trigger cost more than
# the row itself on SQLite; a bulk load drops them and rebuilds them once at the end.
_SQLITE_FTS_TRIGGER = """CREATE TRIGGER IF NOT EXISTS events_fts_ai AFTER INSERT ON events BEGIN
  INSERT INTO events_fts(rowid, sentence) VALUES (new.rowid, new.sentence); END"""
# A bigger page cache for the indexes being filled, and fewer WAL checkpoints (each one
# copies the log back into the database file); the log is checkpointed once at the end.
_SQLITE_BULK_PRAGMAS = ("PRAGMA cache_size=-262144", "PRAGMA wal_autocheckpoint=25000")
_KEEP_INDEXES = {"ix_events_cluster_outlet", "ix_events_article_id"}  # clustering probes them while loading


@contextmanager
def bulk_mode(sessions: sessionmaker[Session]) -> Iterator[None]:
    """On SQLite, load without secondary event indexes and full-text trigger, then rebuild both."""
    engine = sessions.kw["bind"]
    if engine.dialect.name != "sqlite":
        yield
        return
    table = EventRow.__table__
    assert isinstance(table, Table)
    indexes = [ix for ix in table.indexes if ix.name not in _KEEP_INDEXES]
    with engine.begin() as conn:
        for ix in indexes:
            ix.drop(conn, checkfirst=True)
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS events_fts_ai")
    try:
        yield
    finally:
        with engine.begin() as conn:
            for ix in indexes:
                ix.create(conn, checkfirst=True)
            conn.exec_driver_sql(_SQLITE_FTS_TRIGGER)
            conn.exec_driver_sql("INSERT INTO events_fts(events_fts) VALUES ('rebuild')")
            conn.exec_driver_sql("PRAGMA wal_autocheckpoint=1000")
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _import(sessions: sessionmaker[Session], path: Path, fmt: ImportFormat, batch_size: int, window_days: int,
            progress: Callable[[int, int], None] | None, on_skip: Callable[[int, str], None] | None,
            ) -> ImportResult:
    lines = stored = skipped = 0
    batch: list[EventV1] = []
    consumed = 0

    def flush() -> None:
        nonlocal stored
        if batch:
            with sessions.begin() as session:
                if session.get_bind().dialect.name == "sqlite":
                    for pragma in _SQLITE_BULK_PRAGMAS:
                        session.connection().exec_driver_sql(pragma)
                save_batch(session, [], batch, window_days)
            stored += len(batch)
            batch.clear()
        if progress:
            progress(consumed, stored)

    for chars, ev in read_events(path, fmt, on_skip):
        consumed = chars
        lines += 1
        if ev is None:
            skipped += 1
            continue
        batch.append(ev)
        if len(batch) >= batch_size:
            flush()
    flush()
    return ImportResult(lines=lines, events=stored, skipped=skipped)
