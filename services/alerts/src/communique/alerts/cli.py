"""`communique alerts` (the service) and `communique watch` (a live terminal view)."""

from __future__ import annotations

import asyncio

import click


@click.group(invoke_without_command=True)
@click.pass_context
def alerts(ctx: click.Context) -> None:
    """Evaluate alert rules over the events stream (settings ALERTS_*)."""
    if ctx.invoked_subcommand is None:
        from communique.alerts.service import main

        main()


@alerts.command("check")
@click.argument("rules_file", type=click.Path(exists=True, dir_okay=False))
def check(rules_file: str) -> None:
    """Validate a rules file and list its rules."""
    from communique.alerts.domain.rules import RuleError, parse_rules

    try:
        specs = parse_rules(open(rules_file, encoding="utf-8").read())
    except RuleError as exc:
        raise click.ClickException(str(exc)) from exc
    for s in specs:
        click.echo(f"{s.name}: {s.description or ''}")


@click.command()
@click.option("--actor", "actors", multiple=True, help="actor code on either side (repeatable)")
@click.option("--cameo", "cameo", multiple=True, help="CAMEO code or prefix (repeatable)")
@click.option("--rule", default=None, help="show alerts of this rule instead of events")
@click.option("--from-beginning", is_flag=True, help="start at the oldest message instead of now")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--limit", type=int, default=None, help="stop after this many messages")
@click.option("--idle-timeout", type=float, default=None, help="stop after this many seconds without messages")
def watch(actors: tuple[str, ...], cameo: tuple[str, ...], rule: str | None, from_beginning: bool, fmt: str,
          limit: int | None, idle_timeout: float | None) -> None:
    """Print matching events (or a rule's alerts) live, as they stream in."""
    from communique.alerts.watch import WatchFilter
    from communique.alerts.watch import watch as run_watch
    from communique.runtime.settings import KafkaSettings, load_settings

    settings = load_settings(KafkaSettings)
    flt = WatchFilter(actors=tuple(a.upper() for a in actors), cameo=cameo, rule=rule)
    try:
        asyncio.run(run_watch(settings, flt, fmt=fmt, from_beginning=from_beginning, limit=limit,
                              emit=lambda line: click.echo(line), idle_timeout=idle_timeout))
    except KeyboardInterrupt:
        pass
