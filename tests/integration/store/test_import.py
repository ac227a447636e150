"""`communique store import`: EventV1 JSON Lines and GDELT 2.0 files, idempotently."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from communique.runtime.db import make_engine
from communique.store.cli import store
from communique.store.gdelt import COLUMNS, INDEX
from communique.store.schema import ClusterRow, EventRow
from communique.store.storage.db import session_factory
from tests.store_helpers import event

pytestmark = pytest.mark.integration


def gdelt_line(event_id: int, day: str, a1: str, a2: str, code: str, url: str) -> str:
    cells = [""] * len(COLUMNS)
    values = {"GlobalEventID": str(event_id), "Day": day, "Actor1Code": f"{a1}GOV", "Actor1CountryCode": a1,
              "Actor1Name": a1, "Actor2Code": a2, "Actor2CountryCode": a2, "EventCode": code,
              "EventRootCode": code[:2], "QuadClass": "1", "GoldsteinScale": "3.0", "NumMentions": "4",
              "ActionGeo_FullName": "Paris, France", "ActionGeo_CountryCode": "FR", "ActionGeo_Lat": "48.85",
              "ActionGeo_Long": "2.35", "SOURCEURL": url}
    for name, value in values.items():
        cells[INDEX[name]] = value
    return "\t".join(cells)


def counts(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    with session_factory(engine)() as s:
        out = (int(s.scalar(select(func.count()).select_from(EventRow)) or 0),
               int(s.scalar(select(func.count()).select_from(ClusterRow)) or 0))
    engine.dispose()
    return out


def test_jsonl_import_is_idempotent_and_skips_bad_lines(database_url: str, tmp_path: Path) -> None:
    evs = [event(f"art{i}", "CHN", "KAZ", "042", date(2025, 6, 16)) for i in range(5)]
    evs += [event("art9", "USA", "RUS", "163", date(2025, 5, 1))]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(e.model_dump_json() for e in evs) + "\n{not json}\n\n")
    runner = CliRunner()
    for _ in range(2):
        r = runner.invoke(store, ["import", str(path), "--format", "jsonl", "--database-url", database_url])
        assert r.exit_code == 0, r.output
        assert "6 events stored, 1 lines skipped" in r.output
        assert counts(database_url) == (6, 2)
    r = runner.invoke(store, ["api", "--help"])
    assert "--port" in r.output and "--database-url" in r.output


def test_gdelt_import_keeps_history_beside_live_data(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "20250616.export.CSV"
    lines = [gdelt_line(1000 + i, "20250616", "FRA", "DEU", "036", f"https://paris.example/{i}") for i in range(3)]
    lines += [gdelt_line(2000, "20250101", "USA", "CHN", "112", "https://dc.example/x"), "too\tfew\tcolumns"]
    path.write_text("\n".join(lines) + "\n")
    r = CliRunner().invoke(store, ["import", str(path), "--format", "gdelt", "--database-url", database_url])
    assert r.exit_code == 0, r.output
    assert "4 events stored, 1 lines skipped" in r.output
    assert counts(database_url) == (4, 2)
    engine = make_engine(database_url)
    with session_factory(engine)() as s:
        row = s.get(EventRow, "gdelt-1000")
        assert row is not None
        assert (row.source_code, row.target_code, row.cameo, row.outlet) == ("FRA", "DEU", "036", "paris.example")
        cluster = s.get(ClusterRow, row.cluster_id)
        assert cluster is not None and cluster.num_sources == 1 and cluster.num_articles == 3
    engine.dispose()
