"""Engine creation and idempotent bulk upserts for SQLite and PostgreSQL.

``save_batch`` is the one write path (consumer, importer, tests): articles,
events, their mentions and actors are upserted, then the counts of every
cluster the batch touched are recomputed from the events themselves. Every step
is a function of the rows in the database, so replaying a batch changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Date, Engine, String, Table, column, delete, func, select, text, update
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session, sessionmaker

from communique.contracts import ArticleV1, EventV1
from communique.runtime.db import make_engine as _make_engine
from communique.store.clustering import DyadRoot, cluster_id_for, merge_runs, runs_of
from communique.store.schema import ActorRow, ArticleRow, Base, ClusterRow, EventRow, MentionRow

DEFAULT_WINDOW_DAYS = 1
IN_CHUNK = 900
UPSERT_CHUNK = 5000


# Read-side SQLite settings per connection: the default 2 MB page cache makes every query at a
# million events a disk read; memory-mapped reads skip a copy per page.
SQLITE_READ_PRAGMAS = ("PRAGMA cache_size=-65536", "PRAGMA mmap_size=1073741824", "PRAGMA temp_store=MEMORY")


def make_engine(url: str) -> Engine:
    """The runtime's engine (WAL, busy timeout), plus a bigger page cache and memory-mapped reads on SQLite."""
    engine = _make_engine(url)
    if engine.dialect.name == "sqlite":

        @sa_event.listens_for(engine, "connect")
        def _read_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            for pragma in SQLITE_READ_PRAGMAS:
                cur.execute(pragma)
            cur.close()

    return engine


class SerializedJSON(str):
    """JSON text for a JSON column, already serialised (the upsert stores it as it is)."""


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def article_row(article: ArticleV1, now: datetime) -> dict[str, Any]:
    """Column values of an article."""
    return {
        "id": article.id, "url": article.url, "canonical_url": article.canonical_url,
        "feed": article.feed, "source_name": article.source_name, "title": article.title,
        "summary": article.summary, "text": article.text, "text_origin": article.text_origin,
        "language": article.language, "country": article.country,
        "published": _utc(article.published), "fetched": _utc(article.fetched),
        "authors": list(article.authors), "tags": list(article.tags), "stored_at": now,
    }


def event_row(ev: EventV1, now: datetime, cluster_id: str = "") -> dict[str, Any]:
    """Column values of an event; the full record is kept as JSON too."""
    src, tgt = ev.source, ev.target
    return {
        "event_id": ev.event_id, "article_id": ev.article_id, "date": ev.date,
        "source_code": src.code, "source_kind": src.kind, "source_sector": src.sector,
        "source_actor_name": src.name,
        "target_code": tgt.code if tgt else None, "target_kind": tgt.kind if tgt else None,
        "target_sector": tgt.sector if tgt else None, "target_actor_name": tgt.name if tgt else None,
        "cameo": ev.cameo, "cameo_root": ev.cameo_root, "plover": ev.plover, "plover_mode": ev.plover_mode,
        "quad_class": ev.quad_class, "goldstein": ev.goldstein,
        "location_name": ev.location.name if ev.location else None,
        "location_country": ev.location.country if ev.location else None,
        "language": ev.language, "modality": ev.modality, "confidence": ev.confidence,
        "trigger": ev.evidence.trigger, "sentence": ev.evidence.sentence, "outlet": ev.source_name,
        "record": SerializedJSON(ev.model_dump_json()), "stored_at": now,
        "cluster_id": cluster_id, "mention_count": max(1, len(ev.mentions)),
    }


def dyad_root(ev: EventV1) -> DyadRoot:
    """The clustering key of a report."""
    return DyadRoot(ev.source.code, ev.target.code if ev.target else None, ev.cameo_root)


def mention_rows(ev: EventV1) -> list[dict[str, Any]]:
    """Every sentence reporting the event (the evidence when the coder listed no mentions)."""
    mentions: Sequence[Any] = ev.mentions or [ev.evidence]
    return [
        {"event_id": ev.event_id, "ordinal": i, "article_id": ev.article_id,
         "sentence": m.sentence, "start": m.start, "end": m.end, "trigger": m.trigger,
         "confidence": getattr(m, "confidence", ev.confidence)}
        for i, m in enumerate(mentions)
    ]


@lru_cache(maxsize=64)
def _upsert_plan(table: Table, dialect: Dialect, keys: tuple[str, ...], keep: tuple[str, ...],
                 ) -> tuple[str, list[str], list[Any]]:
    """SQL text, column order and bind processors of an upsert, built once per table and dialect."""
    if dialect.name not in ("sqlite", "postgresql"):  # pragma: no cover - guarded by settings
        raise ValueError(f"unsupported database {dialect.name}")
    names = [c.name for c in table.columns]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    cols = ", ".join(f'"{n}"' for n in names)
    updates = ", ".join(f'"{n}" = excluded."{n}"' for n in names if n not in (*keys, *keep))
    conflict = ", ".join(f'"{k}"' for k in keys)
    sql = (f'INSERT INTO "{table.name}" ({cols}) VALUES ({", ".join([mark] * len(names))}) '
           f"ON CONFLICT ({conflict}) DO " + (f"UPDATE SET {updates}" if updates else "NOTHING"))
    return sql, names, [c.type.dialect_impl(dialect).bind_processor(dialect) for c in table.columns]


@lru_cache(maxsize=64)
def _pg_stage_upsert(table: Table, dialect: Dialect, keys: tuple[str, ...], keep: tuple[str, ...]) -> str:
    sql, names, _ = _upsert_plan(table, dialect, keys, keep)
    head, tail = sql.split(" ON CONFLICT ", 1)
    prefix = head.split(" VALUES ", 1)[0]
    cols = ", ".join(f'"{n}"' for n in names)
    return f"{prefix} SELECT {cols} FROM cq_stage_{table.name} ON CONFLICT {tail}"


def upsert(session: Session, model: type[Base], rows: Sequence[dict[str, Any]], key: str | Sequence[str],
           keep: Sequence[str] = ("stored_at",), fresh: bool = False) -> None:
    """Insert ``rows``, replacing existing rows with the same ``key`` (idempotent).

    Columns in ``keep`` keep their first stored value. ``fresh`` says that no row with
    these keys is stored (checked in this transaction): PostgreSQL then copies them straight
    into the table. Should another writer store one meanwhile, the copy fails on the key
    and the caller's retry takes the upsert path. Rows go to the driver's
    ``executemany`` directly: the statement is the same for every row, so SQLAlchemy's
    per-row compilation work is skipped (it dominated bulk loads).
    """
    if not rows:
        return
    keys = (key,) if isinstance(key, str) else tuple(key)
    # Last write wins within one batch, so a batch never conflicts with itself; sorted so
    # that concurrent writers lock rows in the same order (no deadlocks on PostgreSQL).
    # Key columns are never null (primary keys), so the keys sort as they are.
    by_key = {row[keys[0]]: row for row in rows} if len(keys) == 1 else {itemgetter(*keys)(row): row for row in rows}
    table = model.__table__
    assert isinstance(table, Table)
    conn = session.connection()
    sql, names, processors = _upsert_plan(table, conn.dialect, keys, tuple(keep))
    converted = [(i, proc) for i, proc in enumerate(processors) if proc is not None]
    values_of = itemgetter(*names)
    params = []
    for k in sorted(by_key):
        values = list(values_of(by_key[k]))
        for i, proc in converted:
            value = values[i]
            # JSON already serialised by pydantic (in Rust) is passed through as text.
            values[i] = value if isinstance(value, SerializedJSON) else proc(value)
        params.append(tuple(values))
    if conn.dialect.name == "postgresql":
        # COPY into a scratch table, then one INSERT … SELECT … ON CONFLICT: psycopg's
        # executemany costs a round of protocol messages per row, which dominated ingest.
        stage = f"cq_stage_{table.name}"
        cols = ", ".join(f'"{n}"' for n in names)
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        if fresh:
            with cursor.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as copy:
                for values_row in params:
                    copy.write_row(values_row)
            cursor.close()
            return
        cursor.execute(f'CREATE TEMPORARY TABLE IF NOT EXISTS {stage} (LIKE "{table.name}")')
        with cursor.copy(f"COPY {stage} ({cols}) FROM STDIN") as copy:
            for values_row in params:
                copy.write_row(values_row)
        cursor.execute(_pg_stage_upsert(table, conn.dialect, keys, tuple(keep)))
        cursor.execute(f"TRUNCATE {stage}")
        cursor.close()
        return
    for i in range(0, len(params), UPSERT_CHUNK):
        conn.exec_driver_sql(sql, params[i : i + UPSERT_CHUNK])  # type: ignore[arg-type]


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    items = sorted(set(values))
    for i in range(0, len(items), IN_CHUNK):
        yield items[i : i + IN_CHUNK]


_WANTED_DDL = ("CREATE TEMPORARY TABLE IF NOT EXISTS cq_wanted_runs "
               "(s VARCHAR(16) NOT NULL, t VARCHAR(16) NOT NULL, r VARCHAR(2) NOT NULL, lo DATE NOT NULL, "
               "hi DATE NOT NULL)")
_WANTED_JOIN = text(
    "SELECT c.cluster_id, c.source_code, c.target_code, c.cameo_root, c.first_date, c.last_date, c.num_events, "
    "c.num_mentions, c.num_articles, c.num_sources, c.sum_goldstein, c.max_confidence "
    "FROM cq_wanted_runs w JOIN event_clusters c ON c.source_code = w.s AND c.target_code = w.t "
    "AND c.cameo_root = w.r AND c.first_date <= w.hi AND c.last_date >= w.lo"
).columns(column("cluster_id", String), column("source_code", String), column("target_code", String),
          column("cameo_root", String), column("first_date", Date), column("last_date", Date))


@dataclass
class _Counts:
    """A stored cluster's counts, as read before the batch."""

    num_events: int
    num_mentions: int
    num_articles: int
    num_sources: int
    sum_goldstein: float
    max_confidence: float


_NO_COUNTS = _Counts(0, 0, 0, 0, 0.0, 0.0)


def _existing_runs(session: Session, dates_by_key: dict[DyadRoot, set[date]], window_days: int,
                   ) -> tuple[dict[DyadRoot, list[tuple[str, date, date]]], dict[str, _Counts]]:
    """Stored clusters of each key that the new dates may touch, and their counts: one join with a scratch table."""
    gap = timedelta(days=window_days)
    found: dict[DyadRoot, list[tuple[str, date, date]]] = {k: [] for k in dates_by_key}
    counts: dict[str, _Counts] = {}
    if not dates_by_key:
        return found, counts
    session.execute(text(_WANTED_DDL))
    session.execute(text("DELETE FROM cq_wanted_runs"))
    wanted = [(k.source, k.target or "", k.cameo_root, min(d) - gap, max(d) + gap) for k, d in dates_by_key.items()]
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy("COPY cq_wanted_runs (s, t, r, lo, hi) FROM STDIN") as copy:
            for row in wanted:
                copy.write_row(row)
        cursor.close()
    else:
        conn.exec_driver_sql("INSERT INTO cq_wanted_runs (s, t, r, lo, hi) VALUES (?, ?, ?, ?, ?)",
                             [(s, t, r, lo.isoformat(), hi.isoformat()) for s, t, r, lo, hi in wanted])
    for cid, src, tgt, root, first, last, n, n_m, n_a, n_s, g_sum, max_c in session.execute(_WANTED_JOIN):
        found[DyadRoot(src, tgt or None, root)].append((cid, first, last))
        counts[cid] = _Counts(int(n), int(n_m), int(n_a), int(n_s), float(g_sum), float(max_c))
    return found, counts


def _any(conn: Any, name: str) -> str:
    """``name`` is one of a list passed as one parameter (see ``_list``): no chunking, one statement."""
    if conn.dialect.name == "postgresql":
        return f"{name} = ANY(%s)"
    return f"{name} IN (SELECT value FROM json_each(?))"


def _list(conn: Any, values: Iterable[Any]) -> Any:
    items = sorted(set(values))
    return items if conn.dialect.name == "postgresql" else json.dumps(items)


def _pairs(conn: Any, pairs: Iterable[tuple[str, str]]) -> tuple[str, tuple[Any, ...]]:
    """A relation ``p(a, b)`` of string pairs passed as parameters."""
    items = sorted(set(pairs))
    if conn.dialect.name == "postgresql":
        return "unnest(%s::text[], %s::text[]) AS p(a, b)", ([a for a, _ in items], [b for _, b in items])
    return ("(SELECT json_extract(value, '$[0]') AS a, json_extract(value, '$[1]') AS b FROM json_each(?)) AS p",
            (json.dumps(items),))


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _source_of(ev: EventV1) -> str:
    """What ``num_sources`` counts distinct: the outlet, or the article when the outlet is unknown."""
    return ev.source_name if ev.source_name is not None else ev.article_id


def _present(conn: Any, articles: set[tuple[str, str]], sources: set[tuple[str, str]],
             ) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """Which (cluster, article) and (cluster, source) pairs already have a stored report.

    A report's source is its outlet, or its article when the outlet is unknown (as ``num_sources``
    counts them). Index probes only — never a scan of a cluster's reports.
    """
    have_a: set[tuple[str, str]] = set()
    have_s: set[tuple[str, str]] = set()
    if articles:
        rel, params = _pairs(conn, articles)
        for a, b in conn.exec_driver_sql(
                f"SELECT p.a, p.b FROM {rel} WHERE EXISTS "
                "(SELECT 1 FROM events e WHERE e.article_id = p.b AND e.cluster_id = p.a)", params):
            have_a.add((a, b))
    if sources:
        rel, params = _pairs(conn, sources)
        for a, b in conn.exec_driver_sql(
                f"SELECT p.a, p.b FROM {rel} WHERE EXISTS "
                "(SELECT 1 FROM events e WHERE e.cluster_id = p.a AND e.outlet = p.b) OR EXISTS "
                "(SELECT 1 FROM events e WHERE e.article_id = p.b AND e.outlet IS NULL AND e.cluster_id = p.a)",
                params):
            have_s.add((a, b))
    return have_a, have_s


def _split(session: Session, cluster_id: str, window_days: int) -> set[str]:
    """Re-derive the runs of a cluster that lost reports; returns the cluster ids now holding them."""
    rows = list(session.execute(select(EventRow.source_code, EventRow.target_code, EventRow.cameo_root,
                                       EventRow.date).where(EventRow.cluster_id == cluster_id).distinct()))
    if not rows:
        return set()
    key = DyadRoot(rows[0][0], rows[0][1], rows[0][2])
    out = set()
    for run in runs_of([r[3] for r in rows], window_days):
        cid = cluster_id_for(key, run.first)
        out.add(cid)
        if cid != cluster_id:
            session.execute(update(EventRow).where(EventRow.cluster_id == cluster_id, EventRow.date >= run.first,
                                                   EventRow.date <= run.last).values(cluster_id=cid))
    return out


def save_batch(session: Session, articles: Sequence[ArticleV1], events: Sequence[EventV1],
               window_days: int = DEFAULT_WINDOW_DAYS) -> None:
    """Upsert a batch of articles and events in the caller's transaction and refresh their clusters.

    Reports already stored unchanged keep their cluster; new or changed reports join
    (and possibly bridge) the runs of their key, see ``clustering``. A stored cluster that
    only gains new reports has its counts advanced exactly from the batch (distinct articles
    and outlets are checked with index probes); every other touched cluster — new, merged,
    renamed, split, or gaining a re-coded report — is recounted from its reports.
    """
    now = datetime.now(UTC)
    upsert(session, ArticleRow, [article_row(a, now) for a in articles], "id")
    if not events:
        return
    conn = session.connection()
    latest = {e.event_id: e for e in events}
    previous: dict[str, tuple[str, DyadRoot, date]] = {}
    for eid, cid, src, tgt, root, day in conn.exec_driver_sql(
            "SELECT event_id, cluster_id, source_code, target_code, cameo_root, date FROM events WHERE "
            + _any(conn, "event_id"), (_list(conn, latest),)):
        previous[eid] = (cid, DyadRoot(src, tgt, root), _as_date(day))

    placed: dict[str, str] = {}
    unchanged: set[str] = set()
    to_place: dict[DyadRoot, set[date]] = {}
    shrunk: set[str] = set()
    for eid, ev in latest.items():
        key, prev = dyad_root(ev), previous.get(eid)
        if prev and prev[0] and prev[1] == key and prev[2] == ev.date:
            placed[eid] = prev[0]  # redelivery: nothing moves
            unchanged.add(eid)
            continue
        to_place.setdefault(key, set()).add(ev.date)
        if prev and prev[0]:
            shrunk.add(prev[0])

    recount: set[str] = set(shrunk)  # clusters recounted from their reports
    # Stored clusters that only gain new reports, and new clusters made of new reports only: their date span.
    grown: dict[str, tuple[date, date]] = {}
    renamed: dict[str, str] = {}
    assignment: dict[tuple[DyadRoot, date], str] = {}
    existing, stored = _existing_runs(session, to_place, window_days)
    for key, dates in to_place.items():
        for run in merge_runs(existing[key], dates, window_days):
            cid = cluster_id_for(key, run.first)
            for d in dates:
                if run.first <= d <= run.last:
                    assignment[(key, d)] = cid
            if run.merged == (cid,) or not run.merged:  # a stored cluster that grows, or a new one
                grown[cid] = (run.first, run.last)
            else:
                recount.add(cid)
            for old in run.merged:
                if old != cid:
                    renamed[old] = cid
                    recount.add(old)
    for eid, ev in latest.items():
        placed.setdefault(eid, assignment.get((dyad_root(ev), ev.date), ""))
    for eid in previous.keys() - unchanged:  # a re-coded report's new cluster is recounted, never advanced
        if placed[eid] in grown:
            recount.add(placed[eid])
            del grown[placed[eid]]

    for cid in recount:
        grown.pop(cid, None)
    additions: dict[str, list[EventV1]] = {}
    for eid, ev in latest.items():
        if placed[eid] in grown and eid not in previous:
            additions.setdefault(placed[eid], []).append(ev)
    have_a, have_s = _present(
        conn, {(cid, e.article_id) for cid, evs in additions.items() if cid in stored for e in evs},
        {(cid, _source_of(e)) for cid, evs in additions.items() if cid in stored for e in evs})

    upsert(session, EventRow, [event_row(e, now, placed[eid]) for eid, e in latest.items()], "event_id",
           fresh=not previous)
    for old, new in sorted(renamed.items()):  # a bridging report merges runs under the earliest start
        session.execute(update(EventRow).where(EventRow.cluster_id == old).values(cluster_id=new))
    for cid in sorted(shrunk):  # a re-coded report may leave a gap inside its old run
        recount |= _split(session, renamed.get(cid, cid), window_days)

    if previous:  # a redelivered or re-coded event replaces its mentions
        conn.exec_driver_sql("DELETE FROM mentions WHERE " + _any(conn, "event_id"), (_list(conn, previous),))
    upsert(session, MentionRow, [m for e in latest.values() for m in mention_rows(e)], ("event_id", "ordinal"),
           keep=(), fresh=not previous)
    actors: dict[str, dict[str, Any]] = {}
    for e in latest.values():
        for a in (e.source, e.target):
            if a is not None:
                actors[a.code] = {"code": a.code, "kind": a.kind, "name": a.name, "cameo_code": a.cameo_code,
                                  "updated_at": now}
    upsert(session, ActorRow, list(actors.values()), "code", keep=())

    advanced: list[dict[str, Any]] = []
    for cid, evs in additions.items():
        old_counts, (first, last) = stored.get(cid, _NO_COUNTS), grown[cid]
        n = old_counts.num_events + len(evs)
        g_sum = old_counts.sum_goldstein + sum(e.goldstein for e in evs)
        key = dyad_root(evs[0])
        advanced.append({
            "cluster_id": cid, "source_code": key.source, "target_code": key.target or "",
            "cameo_root": key.cameo_root, "first_date": first, "last_date": last, "num_events": n,
            "num_mentions": old_counts.num_mentions + sum(max(1, len(e.mentions)) for e in evs),
            "num_articles": old_counts.num_articles + len({e.article_id for e in evs} - {
                a for c, a in have_a if c == cid}),
            "num_sources": old_counts.num_sources + len({_source_of(e) for e in evs} - {
                s for c, s in have_s if c == cid}),
            "sum_goldstein": g_sum, "mean_goldstein": round(g_sum / n, 4),
            "max_confidence": max(old_counts.max_confidence, *(e.confidence for e in evs)), "updated_at": now,
        })
    upsert(session, ClusterRow, advanced, "cluster_id", keep=())
    refresh_clusters(session, recount, now)


def refresh_clusters(session: Session, cluster_ids: Iterable[str], now: datetime) -> None:
    """Recompute the live counts of ``cluster_ids`` from their events; drop clusters left empty."""
    wanted = {c for c in cluster_ids if c}
    found: list[dict[str, Any]] = []
    for ids in _chunks(wanted):
        q = (
            select(
                EventRow.cluster_id, func.min(EventRow.source_code), func.min(EventRow.target_code),
                func.min(EventRow.cameo_root), func.min(EventRow.date), func.max(EventRow.date), func.count(),
                func.sum(EventRow.mention_count), func.count(EventRow.article_id.distinct()),
                func.count(func.coalesce(EventRow.outlet, EventRow.article_id).distinct()),
                func.sum(EventRow.goldstein), func.max(EventRow.confidence),
            )
            .where(EventRow.cluster_id.in_(ids))
            .group_by(EventRow.cluster_id)
        )
        for cid, src, tgt, root, first, last, n, n_m, n_a, n_s, g_sum, max_c in session.execute(q):
            found.append({
                "cluster_id": cid, "source_code": src, "target_code": tgt or "", "cameo_root": root,
                "first_date": first, "last_date": last,
                "num_events": int(n), "num_mentions": int(n_m or 0), "num_articles": int(n_a),
                "num_sources": int(n_s), "sum_goldstein": float(g_sum),
                "mean_goldstein": round(float(g_sum) / int(n), 4), "max_confidence": float(max_c),
                "updated_at": now,
            })
    upsert(session, ClusterRow, found, "cluster_id", keep=())
    gone = wanted - {f["cluster_id"] for f in found}
    for ids in _chunks(gone):
        session.execute(delete(ClusterRow).where(ClusterRow.cluster_id.in_(ids)))


def recluster(session: Session, window_days: int) -> int:
    """Reassign every event to its cluster under ``window_days`` and rebuild the clusters; returns events seen.

    Needed after changing ``cluster_window_days`` or upgrading a database from revision 0001.
    """
    now = datetime.now(UTC)
    session.execute(delete(ClusterRow))
    q = (select(EventRow.source_code, EventRow.target_code, EventRow.cameo_root, EventRow.date, func.count())
         .group_by(EventRow.source_code, EventRow.target_code, EventRow.cameo_root, EventRow.date)
         .order_by(EventRow.source_code, EventRow.target_code, EventRow.cameo_root, EventRow.date))
    by_key: dict[DyadRoot, list[date]] = {}
    seen = 0
    for src, tgt, root, day, n in session.execute(q):
        by_key.setdefault(DyadRoot(src, tgt, root), []).append(day)
        seen += int(n)
    ids: set[str] = set()
    for key, dates in by_key.items():
        target = EventRow.target_code.is_(None) if key.target is None else EventRow.target_code == key.target
        for run in runs_of(dates, window_days):
            cid = cluster_id_for(key, run.first)
            ids.add(cid)
            session.execute(update(EventRow).where(
                EventRow.source_code == key.source, target, EventRow.cameo_root == key.cameo_root,
                EventRow.date >= run.first, EventRow.date <= run.last).values(cluster_id=cid))
    refresh_clusters(session, ids, now)
    return seen


def create_all(engine: Engine) -> None:
    """Create tables directly (tests only; production uses migrations)."""
    Base.metadata.create_all(engine)


__all__ = [
    "article_row", "create_all", "event_row", "make_engine", "mention_rows", "recluster", "refresh_clusters",
    "save_batch", "session_factory", "upsert",
]
