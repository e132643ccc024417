"""The `bridge` command: a click group whose subcommands load on demand.

Subcommands live one per module under `bridge.cli` and expose a click command named
`command`; they are imported only when invoked, so `bridge --help` does not pay for
pandas or LightGBM. Only this layer turns a `BridgeError` into a message on standard
error and a JCL-style return code. The file system's errors (a missing folder, no permission,
a full disk) and corrupt or truncated ``.gz``/``.bz2`` inputs are the user's environment, not
bugs: they get a one-line message too (12 and 8). Anything else is a bug and keeps its traceback.
"""
from __future__ import annotations

import gzip
import importlib
import sys

import click

from bridge.errors import BridgeError

#: subcommand name -> (module, one-line help); order is the order of `bridge --help`.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("bridge.cli.demo", "Run the main job end to end on bundled sample data."),
    "run": ("bridge.cli.run", "Process the file drops of a job (SFTP or local folders)."),
    "status": ("bridge.cli.run", "Show what a job's journal knows."),
    "schema": ("bridge.cli.schema", "Turn a copybook into a layout listing or a schema."),
    "decode": ("bridge.cli.decode", "Decode a mainframe file into JSONL, CSV or Parquet."),
    "encode": ("bridge.cli.encode", "Encode JSONL, CSV or Parquet into a mainframe file."),
    "roundtrip": ("bridge.cli.roundtrip", "Check that decode then encode gives identical bytes."),
    "inspect": ("bridge.cli.inspect", "Hex dump records with each field laid over the bytes."),
    "fake": ("bridge.cli.fake", "Write valid synthetic records for a copybook."),
    "train": ("bridge.cli.score", "Train a LightGBM model and its model card."),
    "score": ("bridge.cli.score", "Score a mainframe file and patch the prediction fields."),
    "profile": ("bridge.cli.profile", "Profile a file: validity, 'no value' fills, values, ML readiness."),
}


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


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mainframe-bridge", prog_name="bridge")
def cli() -> None:
    """Decode, score and re-encode z/OS batch extracts laid out by COBOL copybooks."""


def main(argv: list[str] | None = None) -> int:
    """Console entry point: run the CLI, mapping `BridgeError` to stderr and a return code."""
    try:
        rc = cli.main(args=argv, standalone_mode=False)
    except BridgeError as exc:
        click.echo(f"bridge: {exc}" if not _has_location(exc) else str(exc), err=True)
        return exc.return_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort as exc:
        # click turns every EOFError into Abort; a truncated .gz/.bz2 input is one of them
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, EOFError):
            click.echo(f"bridge: {TRUNCATED_COMPRESSED}", err=True)
            return BridgeError.return_code
        click.echo("Aborted.", err=True)
        return 1
    except BrokenPipeError:
        return 0
    except EOFError:
        click.echo(f"bridge: {TRUNCATED_COMPRESSED}", err=True)
        return BridgeError.return_code
    except OSError as exc:
        message, rc = _os_error_message(exc)
        click.echo(f"bridge: {message}", err=True)
        return rc
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return rc if isinstance(rc, int) else 0


TRUNCATED_COMPRESSED = ("a compressed input (.gz/.bz2) ends before its end-of-stream marker: the file is "
                        "truncated (an interrupted transfer?); send it again")
#: JCL "severe": the run could not work with its files at all.
RC_ENVIRONMENT = 12


def _os_error_message(exc: OSError) -> tuple[str, int]:
    """The message and return code for a file system error or a corrupt compressed input."""
    if isinstance(exc, gzip.BadGzipFile) or (exc.errno is None and "data stream" in str(exc)):
        return (f"an input named .gz/.bz2 is not valid compressed data ({exc}); a file that is not "
                "compressed must not end in .gz or .bz2", BridgeError.return_code)
    where = f"{exc.filename}: " if exc.filename else ""
    return f"{where}{exc.strerror or exc}", RC_ENVIRONMENT


def _has_location(exc: BridgeError) -> bool:
    return exc.__class__.__name__ == "CopybookError"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


def run_main() -> None:
    """`bridge` console script."""
    sys.exit(main())
