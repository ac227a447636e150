"""The umbrella command `communique`: one CLI, a subcommand per role.

Roles register themselves through the ``communique.commands`` entry-point group,
so services never import each other.
"""

from __future__ import annotations

import sys
from importlib.metadata import entry_points

import click

from communique.runtime.settings import SettingsError


class RoleGroup(click.Group):
    """A click group that also lists the commands installed by service packages."""

    def _plugins(self) -> dict[str, click.Command]:
        found = {}
        for ep in entry_points(group="communique.commands"):
            found[ep.name] = ep
        return found  # type: ignore[return-value]

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self._plugins()))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        cmd = super().get_command(ctx, cmd_name)
        if cmd is not None:
            return cmd
        ep = self._plugins().get(cmd_name)
        return ep.load() if ep is not None else None  # type: ignore[attr-defined,no-any-return]


@click.group(cls=RoleGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="communique-runtime", prog_name="communique")
def cli() -> None:
    """Communique: real-time, multilingual monitoring of diplomatic events in the news."""


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="API bind address")
@click.option("--port", default=8000, show_default=True, type=int, help="API port")
@click.option("--data-dir", default="data", show_default=True, type=click.Path(file_okay=False),
              help="where the SQLite databases and logs go")
@click.option("--feeds", "feeds_file", default=None, type=click.Path(dir_okay=False, exists=True),
              help="FEEDS.yaml to poll instead of the bundled sample feed")
@click.option("--poll-interval", default=30.0, show_default=True, type=float, help="seconds between polls")
@click.option("--alerts", "alerts_file", default=None, type=click.Path(dir_okay=False, exists=True),
              help="alert rules YAML (see deploy/alerts.yaml)")
def run(host: str, port: int, data_dir: str, feeds_file: str | None, poll_interval: float,
        alerts_file: str | None) -> None:
    """Run the whole pipeline locally: broker, sample feed, ingest, extract, store and API."""
    from communique.runtime.stack import Stack, StackConfig

    config = StackConfig(api_host=host, api_port=port, data_dir=data_dir, feeds_file=feeds_file,
                         poll_interval=poll_interval, alerts_file=alerts_file)
    Stack(config).run_forever()


def main() -> None:
    """Entry point: invalid configuration is reported without a traceback."""
    try:
        cli()
    except SettingsError as exc:
        click.echo(f"configuration error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
