"""Fixtures of the integration tests: real sshd servers on loopback (see sshd_server.py)."""
from tests.integration.sshd_server import fresh_sshd, sshd  # noqa: F401
