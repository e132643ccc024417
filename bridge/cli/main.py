"""The `mfbridge` command: a click group whose subcommands load on demand.

Subcommands live one per module under `bridge.cli` and expose a click command named
`command`; they are imported only when invoked, so `mfbridge --help` does not pay for
pandas or LightGBM.

This is the one place that turns an exception into a message and a return code, and no
traceback ever reaches the user:

* a `BridgeError` prints its message, with its return code (8 for bad data, copybooks, cards);
* the file system's errors (a missing folder, no permission, a full disk) are the user's
  environment: one line and 12; corrupt or truncated ``.gz``/``.bz2`` inputs: one line and 8;
* a usage error is one line naming the command and its ``--help``: 2;
* Ctrl-C: 130, as shells report SIGINT (1 is reserved for a round-trip difference);
* a closed output pipe (``| head``): the command ends quietly with 0;
* anything else is a bug: one ``internal error`` line and 12, the traceback only with the
  global ``--debug`` (or ``MFBRIDGE_DEBUG=1``), for a bug report.
"""
from __future__ import annotations

import errno
import gzip
import importlib
import os
import sys
import traceback
from typing import Any

import click

from bridge.cli import PROG
from bridge.errors import BridgeError

#: subcommand name -> (module, one-line help); order is the order of `mfbridge --help`.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("bridge.cli.demo", "Run the main job end to end on bundled sample data."),
    "run": ("bridge.cli.run", "Process the file drops of a job (SFTP or local folders)."),
    "status": ("bridge.cli.run", "Show what a job's journal knows."),
    "job": ("bridge.cli.job", "Check a job file: servers, folders, model; what a run would do."),
    "schema": ("bridge.cli.schema", "Turn a copybook into a layout listing or a schema."),
    "decode": ("bridge.cli.decode", "Decode a mainframe file into JSONL, CSV or Parquet."),
    "encode": ("bridge.cli.encode", "Encode JSONL, CSV or Parquet into a mainframe file."),
    "roundtrip": ("bridge.cli.roundtrip", "Check that decode then encode gives identical bytes."),
    "inspect": ("bridge.cli.inspect", "Hex dump records with each field laid over the bytes."),
    "fake": ("bridge.cli.fake", "Write valid synthetic records for a copybook."),
    "train": ("bridge.cli.score", "Train a LightGBM model and its model card."),
    "score": ("bridge.cli.score", "Score a mainframe file and patch the prediction fields."),
    "profile": ("bridge.cli.profile", "Profile a file: validity, 'no value' fills, values, ML readiness."),
    "rollout": ("bridge.cli.rollout", "Move a job's challenger along its ramp: promote, hold, rollback, status."),
    "evaluate": ("bridge.cli.evaluate", "Judge stored scores on outcomes: AUC, KS, precision, value; thresholds."),
    "report": ("bridge.cli.report", "Write the monitoring page of a job's history: runs, drift, KPIs, events."),
}

#: JCL "severe": the run could not work with its files at all, or an internal error.
RC_ENVIRONMENT = 12
#: Ctrl-C, as a shell reports a command ended by SIGINT (128 + 2).
RC_INTERRUPTED = 130
#: A wrong or missing option (click's own code).
RC_USAGE = 2

TRUNCATED_COMPRESSED = ("a compressed input (.gz/.bz2) ends before its end-of-stream marker: the file is "
                        "truncated (an interrupted transfer?); send it again")


class _State:
    """What the global options asked for; read after click has returned or raised."""

    debug: bool = False


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that subcommand runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        entry = COMMANDS.get(name)
        if entry is None:
            return None
        module = importlib.import_module(entry[0])
        cmd = getattr(module, f"{name}_command", None) or getattr(module, "command")
        return cmd

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, helptext) for name, (_, helptext) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    # eager, so that even an error while the subcommand's options are parsed knows about it
    if value:
        _State.debug = True
    return value


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mainframe-bridge", prog_name=PROG)
@click.option("--debug", is_flag=True, is_eager=True, expose_value=False, callback=_set_debug,
              help="On an internal error (a bug), print the Python traceback for the bug report.")
def cli() -> None:
    """Decode, score and re-encode z/OS batch extracts laid out by COBOL copybooks."""


class _SkipNumbaBlasProbe:
    """Import hook: numba's BLAS probe gets ImportError instead of importing all of scipy.linalg.

    When numba sets up its compiler (on the first call of any kernel, every process),
    `numba.np.arraymath` probes for a BLAS by importing ``scipy.linalg.cython_blas``, which
    imports the whole of ``scipy.linalg``: a quarter of a ten-record decode. The probe only
    chooses how numba compiles ``np.correlate``/``np.convolve``, which no kernel here uses, so
    in the CLI the probe is answered "no BLAS" while that module initialises; any other import
    of scipy.linalg, before or after, is untouched.
    """

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "scipy.linalg" or name.startswith("scipy.linalg."):
            probing = sys.modules.get("numba.np.arraymath")
            if probing is not None and not hasattr(probing, "_HAVE_BLAS"):
                raise ImportError("skipped: numba's BLAS probe (mfbridge start-up)")
        return None


def _install_start_up_hooks() -> None:
    if "numba.np.arraymath" not in sys.modules and not any(isinstance(f, _SkipNumbaBlasProbe)
                                                          for f in sys.meta_path):
        sys.meta_path.insert(0, _SkipNumbaBlasProbe())


def main(argv: list[str] | None = None) -> int:
    """Console entry point: run the CLI; every exception becomes one line on stderr and a return code."""
    _State.debug = os.environ.get("MFBRIDGE_DEBUG", "") not in ("", "0")
    _install_start_up_hooks()
    try:
        rc = cli.main(args=argv, prog_name=PROG, standalone_mode=False)
    except BridgeError as exc:
        _say(str(exc) if _has_location(exc) else f"{PROG}: {exc}")
        return exc.return_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.UsageError as exc:
        return _usage(exc)
    except click.ClickException as exc:
        _say(f"{PROG}: {exc.format_message()}")
        return exc.exit_code
    except click.exceptions.Abort as exc:
        # click turns KeyboardInterrupt and every EOFError into Abort
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, EOFError):
            _say(f"{PROG}: {TRUNCATED_COMPRESSED}")
            return BridgeError.return_code
        _say(f"{PROG}: interrupted")
        return RC_INTERRUPTED
    except KeyboardInterrupt:
        _say(f"{PROG}: interrupted")
        return RC_INTERRUPTED
    except BrokenPipeError:
        return _pipe_closed()
    except EOFError:
        _say(f"{PROG}: {TRUNCATED_COMPRESSED}")
        return BridgeError.return_code
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            return _pipe_closed()
        message, code = _os_error_message(exc)
        _say(f"{PROG}: {message}")
        return code
    except SystemExit as exc:
        if _click_saw_a_closed_pipe():
            return _pipe_closed()  # click ends a closed pipe with exit(1); it is not a failure
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except Exception as exc:  # noqa: BLE001 - the last resort: a bug, told in one line
        return _internal_error(exc)
    return rc if isinstance(rc, int) else 0


def _say(line: str) -> None:
    """One line on standard error; a closed standard error is no reason to fail."""
    try:
        click.echo(line, err=True)
    except (OSError, ValueError):
        pass


def _usage(exc: click.UsageError) -> int:
    if isinstance(exc, getattr(click.exceptions, "NoArgsIsHelpError", ())):
        _say(exc.format_message())  # the command alone: its help, as click prints it
        return RC_USAGE
    ctx = exc.ctx
    where = ctx.command_path if ctx is not None else PROG
    message = exc.format_message()
    if not message.endswith((".", "?", "!", ")")):
        message += "."
    _say(f"{where}: {message} Try '{where} --help'.")
    return RC_USAGE


def _internal_error(exc: BaseException) -> int:
    if _State.debug:
        traceback.print_exception(exc, file=sys.stderr)
    text = " ".join(str(exc).split()) or "(no message)"
    if len(text) > 300:
        text = text[:297] + "..."
    hint = "" if _State.debug else "; run with --debug for the traceback"
    _say(f"{PROG}: internal error: {type(exc).__name__}: {text}{hint}")
    return RC_ENVIRONMENT


def _click_saw_a_closed_pipe() -> bool:
    """True when click met EPIPE: it then wraps standard output to silence the final flush."""
    wrapper = getattr(click.core, "_PacifyFlushWrapper", None)
    return wrapper is not None and isinstance(sys.stdout, wrapper)


def _pipe_closed() -> int:
    """The reader of standard output went away (``| head``): stop quietly, as `cat` does."""
    try:
        # Python flushes stdout again at exit; point it at /dev/null so that flush cannot fail loudly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    return 0


def _os_error_message(exc: OSError) -> tuple[str, int]:
    """The message and return code for a file system error or a corrupt compressed input."""
    if isinstance(exc, gzip.BadGzipFile) or (exc.errno is None and "data stream" in str(exc)):
        return (f"an input named .gz/.bz2 is not valid compressed data ({exc}); a file that is not "
                "compressed must not end in .gz or .bz2", BridgeError.return_code)
    where = f"{exc.filename}: " if exc.filename else ""
    return f"{where}{exc.strerror or exc}", RC_ENVIRONMENT


def _has_location(exc: BridgeError) -> bool:
    return exc.__class__.__name__ == "CopybookError"


def run_main() -> None:
    """The `mfbridge` (and `bridge`) console script."""
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    run_main()
