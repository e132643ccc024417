"""`mfbridge rollout JOB promote|hold|rollback|status`: move a challenger along the ramp, or show the state."""
from __future__ import annotations

import click

__all__ = ["command"]

ACTIONS = ("promote", "hold", "rollback", "status")


@click.command("rollout")
@click.argument("job_file", type=click.Path(dir_okay=False))
@click.argument("action", type=click.Choice(ACTIONS))
@click.option("--who", metavar="NAME", help="Who decides (recorded with the change); default: the OS user.")
def command(job_file: str, action: str, who: str | None) -> None:
    """Move the challenger of JOB_FILE's [rollout] along its ramp, or show the state.

    \b
    promote   the next share of the ramp (e.g. 10 -> 25); at 100 the challenger becomes the champion
    hold      keep the share, record the decision
    rollback  share 0: the champion writes every record, the challenger back in shadow
    status    the models, mode, share and the last changes and guardrail events

    The next run uses the new share; the job file is not rewritten (the state is in the job's history).
    """
    from bridge.pipeline.job import load_job
    from bridge.rollout.history import History
    from bridge.rollout.ramp import hold, plan_for, promote, rollback, state_applies

    job = load_job(job_file)
    config = job.rollout
    where = str(job.path)
    if config is None:
        from bridge.errors import JobError

        raise JobError("has no [rollout] section (nor [job] shadow =): there is no challenger to roll out", job=where)
    if action == "status" and not job.history.path.exists():  # showing creates nothing
        _status(config, None, plan_for(config, None), None)
        return
    with History.open(job.history.path, job.history.folder, retention_days=job.history.retention_days) as history:
        state = history.rollout_state()
        if action == "status":
            _status(config, state if state_applies(config, state) else None, plan_for(config, state), history)
            return
        who = who or _os_user()
        change = {"promote": promote, "hold": hold, "rollback": rollback}[action]
        new, message = change(config, state, who, where=where)
        history.set_rollout_state(new, event=(action, message))
    click.echo(f"{action}: {message} (by {who}); the next run uses it")


def _status(config, state, plan, history) -> None:
    click.echo(f"champion:   {config.champion_text}")
    click.echo(f"challenger: {config.challenger_text or '-'}")
    if plan.promoted:
        click.echo(f"promoted:   {config.challenger_text} is the model of record (scores every record)")
    click.echo(f"mode:       {plan.mode}, share {plan.share}% (ramp {', '.join(str(s) for s in config.ramp)})")
    if state is not None:
        click.echo(f"changed:    {state.updated} by {state.who}")
    else:
        click.echo("changed:    never (the job file's settings)")
    if history is None:
        click.echo("history:    none yet (no run and no ramp change so far)")
        return
    events = history.events()
    if len(events):
        click.echo("last events:")
        for row in events.tail(8).itertuples():
            who = f" ({row.who})" if row.who else ""
            click.echo(f"  {row.at} {row.kind}{who}: {row.message}")


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in this environment (a container without passwd entry)
        return "unknown"
