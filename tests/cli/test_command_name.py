"""The command has a name of its own, `mfbridge`, since `bridge` is iproute2's on Debian/Ubuntu (issue 9)."""
from __future__ import annotations

import subprocess
import sys
import tomllib

from bridge.cli.main import main
from tests.cli.conftest import run_command
from tests.conftest import ROOT


def test_the_distribution_installs_mfbridge_and_keeps_bridge_as_an_alias_issue_9():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"mfbridge": "bridge.cli.main:run_main", "bridge": "bridge.cli.main:run_main"}


def test_python_dash_m_bridge_runs_the_command_issue_9():
    done = subprocess.run([sys.executable, "-m", "bridge", "--version"], capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT)}, timeout=60)
    assert done.returncode == 0
    assert done.stdout.startswith("mfbridge, version ")


def test_help_names_the_command_mfbridge_whatever_name_started_it_issue_9(capsys):
    assert main(["--help"]) == 0
    assert capsys.readouterr().out.startswith("Usage: mfbridge [OPTIONS] COMMAND [ARGS]...")


def test_a_subcommand_usage_error_names_mfbridge_and_its_help_issue_9(capsys):
    assert main(["decode", str(ROOT / "fixtures" / "customer.cp037.dat")]) == 2
    err = capsys.readouterr().err
    assert err == "mfbridge decode: Missing option '-c' / '--copybook'. Try 'mfbridge decode --help'.\n"


def test_the_installed_mfbridge_script_runs_issue_9(require_mfbridge_script):
    done = subprocess.run([*require_mfbridge_script, "--version"], capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT)}, timeout=60)
    assert done.stdout.startswith("mfbridge, version ")


def test_messages_start_with_mfbridge(tmp_path):
    done = run_command("decode", tmp_path / "none.dat", "-c", ROOT / "copybooks" / "customer.cpy")
    assert done.returncode == 2
    assert done.stderr.decode().startswith("mfbridge decode: Invalid value for 'DATA'")


def test_the_bare_command_prints_its_help_and_exits_2(capsys):
    assert main([]) == 2
    assert capsys.readouterr().err.startswith("Usage: mfbridge [OPTIONS] COMMAND [ARGS]...\n")


def test_an_unknown_command_is_one_line(capsys):
    assert main(["nosuch"]) == 2
    assert capsys.readouterr().err == "mfbridge: No such command 'nosuch'. Try 'mfbridge --help'.\n"
