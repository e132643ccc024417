"""``--engine local|dask`` for `mfbridge decode` and `mfbridge score`: where the work runs.

``local`` (the default) is the single process. ``dask`` hands the file to `bridge.dask`, on an
existing cluster (``--scheduler ADDRESS``) or on a local cluster of ``--workers N`` processes
started for the command and closed at its end; the files are cut into ``--blocksize`` byte
ranges, one task each. Only ``--engine dask`` imports Dask, so the single-process commands
start as fast as before. With Dask, DATA may be an fsspec URL (``sftp://``, ``file://``,
``s3://`` with its backend installed); options for that storage come from
``--storage-option KEY=VALUE``, but never a secret: credentials stay in the storage's own
configuration (known_hosts and key files, the ssh-agent, the cloud's environment).
"""
from __future__ import annotations

import contextlib
import json
from typing import Any, Callable, Iterator

import click

__all__ = ["check_engine_use", "check_output_or_folder", "check_output_or_url", "dask_client", "data_argument", "engine_options",
           "score_on_dask", "storage_options"]

#: words that mark a storage option as a secret, refused on the command line
SECRET_WORDS = ("password", "passphrase", "secret", "token", "credential")


def engine_options(func: Callable) -> Callable:
    """The options that choose the engine and say how to reach or start a Dask cluster."""
    options = [
        click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
                     help="local: this process; dask: a Dask cluster (needs mainframe-bridge[dask]), "
                          "one task per --blocksize of the file."),
        click.option("--scheduler", default=None, metavar="ADDRESS",
                     help="With --engine dask: the address of a running Dask scheduler, e.g. tcp://host:8786."),
        click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N",
                     help="With --engine dask: start a local cluster of N worker processes for this command."),
        click.option("--blocksize", default=None, metavar="SIZE",
                     help="With --engine dask: bytes per task, e.g. '256 MiB' (the default)."),
        click.option("--storage-option", "storage_option", multiple=True, metavar="KEY=VALUE",
                     help="With --engine dask: an option of DATA's fsspec storage, e.g. known_hosts=PATH or "
                          "key_filename=PATH for sftp:// (repeatable; never a password)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _is_url(value: str) -> bool:
    return "://" in value


def check_data(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """DATA: an existing file, or (checked against ``--engine`` in the command) an fsspec URL."""
    if _is_url(value):
        return value
    return click.Path(exists=True, dir_okay=False).convert(value, param, ctx)


def data_argument(func: Callable) -> Callable:
    """The DATA argument: a file, or with ``--engine dask`` an fsspec URL."""
    return click.argument("data", callback=check_data)(func)


def check_output_or_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """-o: a file that can be written (checked now, before any work), or an fsspec URL for Dask."""
    from bridge.cli.common import check_output

    if value is not None and _is_url(value):
        return value
    return check_output(ctx, param, value)


def check_output_or_folder(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """decode's -o: as `check_output`, except that an existing folder is left for the command to judge
    (with --engine dask the output is a folder, which must be new; without, a folder is refused)."""
    import os

    from bridge.cli.common import check_output

    if value is not None and os.path.isdir(value):
        return value
    return check_output(ctx, param, value)


def check_engine_use(data: str, params: dict[str, Any], *, output: str | None = None,
                     unsupported: dict[str, bool] | None = None) -> bool:
    """Usage errors for options that do not fit the engine; returns whether the engine is Dask."""
    dask = params.get("engine") == "dask"
    if output is not None and _is_url(output):
        if not dask:
            raise click.UsageError(f"-o {output} is a URL: URLs are written with --engine dask; without it give a "
                                   "local file")
        if output.rstrip("/") == data.rstrip("/"):
            raise click.UsageError(f"-o {output} is the input {data}: writing it would destroy the input; "
                                   "give another output")
    if not dask:
        given = [name for name, key in (("--scheduler", "scheduler"), ("--workers", "workers"),
                                        ("--blocksize", "blocksize"), ("--storage-option", "storage_option"))
                 if params.get(key)]
        if given:
            raise click.UsageError(f"{', '.join(given)} {'goes' if len(given) == 1 else 'go'} with --engine dask")
        if _is_url(data):
            raise click.UsageError(f"DATA {data} is a URL: URLs are read with --engine dask; without it give a "
                                   "local file")
        return False
    if (params.get("scheduler") is None) == (params.get("workers") is None):
        raise click.UsageError("--engine dask needs either --scheduler ADDRESS (a running cluster) or --workers N "
                               "(a local cluster started for this command)")
    for option, given in (unsupported or {}).items():
        if given:
            raise click.UsageError(f"{option} is not available with --engine dask")
    return True


def storage_options(items: tuple[str, ...]) -> dict[str, Any]:
    """``KEY=VALUE`` items as a dict (numbers and true/false read as such); secrets are refused."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--storage-option")
        if any(word in key.lower() for word in SECRET_WORDS) or key.lower() == "key":
            raise click.BadParameter(f"{key} is a secret: secrets never go on the command line (where every user "
                                     "of the machine can read them); use the storage's own configuration (a key "
                                     "file, the ssh-agent, the cloud's environment)", param_hint="--storage-option")
        try:
            value = json.loads(text)
            if not isinstance(value, (int, float, bool)):
                value = text
        except ValueError:
            value = text
        out[key] = value
    return out


@contextlib.contextmanager
def dask_client(scheduler: str | None, workers: int | None) -> Iterator[Any]:
    """A Dask client for the command; says on standard error which cluster and where its dashboard is."""
    from bridge.dask import connect

    with connect(scheduler=scheduler, workers=workers) as client:
        link = client.dashboard_link
        if workers is not None:
            where = f"started a local Dask cluster of {workers} worker process{'es' if workers > 1 else ''}"
        else:
            count = len(client.scheduler_info().get("workers", {}))
            where = f"connected to the Dask scheduler at {scheduler} ({count} worker{'s' if count != 1 else ''})"
        click.echo(f"mfbridge: {where}; dashboard: {link or 'none'}", err=True)
        yield client


def block_option(blocksize: str | None) -> dict[str, Any]:
    """``blocksize=`` for bridge.dask when given (its default otherwise)."""
    return {} if blocksize is None else {"blocksize": blocksize}


def score_on_dask(data: str, layout: Any, model_dir: str, output: str, *, shadow_dir: str | None,
                  report_path: str | None, quiet: bool, params: dict[str, Any], reader: dict[str, Any]) -> Any:
    """``mfbridge score --engine dask``: `bridge.dask.score_file` on the command's cluster, with a progress line."""
    import os

    from bridge.cli.progress import progress_for
    from bridge.dask import score_file

    stores = storage_options(params["storage_option"])
    size = None if _is_url(data) else os.path.getsize(data)
    with dask_client(params["scheduler"], params["workers"]) as client, \
            progress_for("scoring", quiet=quiet, total_bytes=size) as progress:
        return score_file(data, layout, model_dir, output, shadow_dir=shadow_dir, report_path=report_path,
                          client=client, storage_options=stores,
                          progress=lambda n, b: progress.update(records=n, nbytes=b),
                          **block_option(params["blocksize"]), **reader)
