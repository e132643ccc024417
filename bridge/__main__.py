"""``python -m bridge``: the `mfbridge` command, for when the console script is not on PATH."""
from bridge.cli.main import run_main

if __name__ == "__main__":
    run_main()
