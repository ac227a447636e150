"""The umbrella CLI lists every role and each role answers --help."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from communique.runtime.cli import cli

ROLES = ["run", "ingest", "extract", "store", "code", "eval"]
SUBCOMMANDS = [["ingest", "once"], ["store", "migrate"], ["store", "api"], ["store", "consume"]]


def test_help_lists_the_roles() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for role in ROLES:
        assert f"  {role} " in result.output


@pytest.mark.parametrize("args", [[r] for r in ROLES] + SUBCOMMANDS, ids=" ".join)
def test_each_role_has_help(args: list[str]) -> None:
    result = CliRunner().invoke(cli, [*args, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_installed_command_and_bad_settings_exit_cleanly() -> None:
    exe = [sys.executable, "-m", "communique.runtime.cli"]
    ok = subprocess.run([*exe, "--help"], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "store" in ok.stdout
    bad = subprocess.run([*exe, "store", "migrate"], capture_output=True, text=True, timeout=60,
                         env={"PATH": "/usr/bin:/bin", "STORE_DATABASE_URL": "mysql://nope"})
    assert bad.returncode == 2
    assert "configuration error" in bad.stderr and "database_url" in bad.stderr
    assert "Traceback" not in bad.stderr
