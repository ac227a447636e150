"""Shared fixtures for the extractor tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from communique.extract.domain.loader import PACKAGED_DATA

HERE = Path(__file__).resolve().parent
FIXTURE_DATA = HERE / "fixtures" / "data"
REPO_ROOT = HERE.parents[2]
SHARED = REPO_ROOT.parent / "shared"


def packaged_actors_ready(languages: tuple[str, ...] = ("en", "id", "ms")) -> bool:
    return all((PACKAGED_DATA / "actors" / "countries" / f"{lang}.tsv").is_file() for lang in languages) and \
        (PACKAGED_DATA / "actors" / "persons.tsv").is_file()


@pytest.fixture(scope="session")
def coder():  # type: ignore[no-untyped-def]
    """The packaged rule coder; the small test fixture dictionaries stand in while
    the packaged actor dictionaries for en/id/ms are still missing."""
    from communique.extract.factory import build_coder

    return build_coder("rules", overlay_dir=None if packaged_actors_ready() else FIXTURE_DATA)
