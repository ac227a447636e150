"""A seeded database per test module and backend, so read-only API tests share one set-up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import _pg_available, drop_pg_database, make_pg_database
from tests.integration.store.seed import seed


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def seeded_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database holding ``seed.seed``; do not write to it beyond idempotent re-seeding."""
    if request.param == "sqlite":
        url = f"sqlite:///{Path(tmp_path_factory.mktemp('store')) / 'seeded.db'}"
        seed(url)
        yield url
        return
    from tests.conftest import PG_ADMIN_URL

    if not _pg_available():
        import os

        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI but not reachable at {PG_ADMIN_URL}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}")
    url, name = make_pg_database(PG_ADMIN_URL)
    try:
        seed(url)
        yield url
    finally:
        drop_pg_database(PG_ADMIN_URL, name)
