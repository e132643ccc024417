"""The profile report in a real headless Chromium: it renders, asks for nothing, and shows every figure.

Chromium is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``: JSON
messages ending in NUL on file descriptors 3 and 4), so the test sees every network request,
console message and exception of the page, then takes a screenshot. With CI=true a missing
chromium fails (Debian's package, installed by .ci/run).

``BRIDGE_REPORT_SCREENSHOT=docs/img/profile-report.png`` keeps the screenshot (the one in the docs).
"""
from __future__ import annotations

import base64
import json
import os
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from tests.conftest import IN_CI


def _chromium() -> str:
    import shutil

    found = shutil.which("chromium")
    if found:
        return found
    message = "chromium is not installed (apt-get install -y chromium)"
    if IN_CI:
        pytest.fail(message + " and CI=true: the browser test must run in CI")
    pytest.skip(message)


class DevTools:
    """A minimal DevTools-protocol client over Chromium's debugging pipe."""

    def __init__(self, binary: str, profile_dir: Path) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # the child reads commands on fd 3 and writes answers on fd 4; the pipe ends are first
        # moved above 10 so that placing one cannot overwrite the other
        def remap() -> None:
            import fcntl

            high_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            high_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)
        self.proc = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
             f"--user-data-dir={profile_dir}", "--remote-debugging-pipe", "--window-size=1280,1600"],
            close_fds=False, preexec_fn=remap,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._next += 1
        msg = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_browser, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise AssertionError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def wait_for(self, method: str) -> dict:
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            event = self._read()
            self.events.append(event)
            if event.get("method") == method:
                return event

    def _read(self) -> dict:
        while b"\0" not in self._buffer:
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise AssertionError("chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except Exception:  # noqa: BLE001 - the browser may already be gone
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)


def _non_white_share(png: bytes) -> float:
    """Share of decoded image bytes (filter bytes included) that are not 0xFF: 0 for a blank page."""
    pos, idat = 8, b""
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        if kind == b"IDAT":
            idat += png[pos + 8:pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    return 1 - raw.count(0xFF) / len(raw)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from bridge.cli.main import main
    from bridge.copybook import load_copybook
    from tests.profile.conftest import COPYBOOK, build_accounts

    where = tmp_path_factory.mktemp("report")
    (where / "account.cpy").write_text(COPYBOOK)
    account_layout = load_copybook(str(where / "account.cpy"))
    old = build_accounts(account_layout, where / "accounts-old.dat")
    new = build_accounts(account_layout, where / "accounts.dat", shift=4)
    rc = main(["profile", str(new), "-c", str(where / "account.cpy"), "--baseline", str(old), "--label", "FLAG",
               "--key", "ACCT-ID", "--type-field", "DETAIL-TYPE", "-o", str(where / "report.html"),
               "--json", str(where / "report.json")])
    assert rc == 0
    return where / "report.html", json.loads((where / "report.json").read_text())


@pytest.fixture(scope="module")
def page(report, tmp_path_factory):
    html, promised = report
    return _open(html, promised, tmp_path_factory, os.environ.get("BRIDGE_REPORT_SCREENSHOT"))


def _open(html: Path, promised: dict, tmp_path_factory, keep: str | None) -> dict:
    browser = DevTools(_chromium(), tmp_path_factory.mktemp("chromium-profile"))
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Network", "Runtime", "Log"):
            browser.send(f"{domain}.enable", session=session)
        url = html.as_uri()
        browser.send("Page.navigate", {"url": url}, session=session)
        browser.wait_for("Page.loadEventFired")
        figures = browser.send("Runtime.evaluate", {
            "expression": "JSON.stringify([...document.querySelectorAll('figure[data-figure]')]"
                          ".map(f => [f.id, f.querySelectorAll('svg').length]))",
            "returnByValue": True}, session=session)["result"]["value"]
        shot = browser.send("Page.captureScreenshot", {"format": "png"}, session=session)["data"]
        events = list(browser.events)
    finally:
        browser.close()
    png = base64.b64decode(shot)
    if keep:
        Path(keep).write_bytes(png)
    return {"url": url, "events": events, "figures": dict(json.loads(figures)), "png": png, "promised": promised}


def test_the_screenshot_of_the_report_is_not_blank(page):
    assert page["png"][:8] == b"\x89PNG\r\n\x1a\n"
    assert _non_white_share(page["png"]) > 0.02


def test_the_report_requests_nothing_but_itself(page):
    requests = [e["params"]["request"]["url"] for e in page["events"] if e.get("method") == "Network.requestWillBeSent"]
    assert requests == [page["url"]]


def test_the_console_shows_no_error(page):
    errors = [e for e in page["events"]
              if e.get("method") == "Runtime.exceptionThrown"
              or (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "assert"))
              or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")]
    assert errors == []


def test_every_figure_the_json_promises_is_drawn_on_the_page(page):
    promised = [f["id"] for f in page["promised"]["figures"]]
    assert {"fig-validity", "fig-drift", "fig-rates-account-rec", "fig-hist-account-rec-amount"} <= set(promised)
    assert {fid: page["figures"].get(fid) for fid in promised} == {fid: 1 for fid in promised}


@pytest.fixture(scope="module")
def score_page(tmp_path_factory):
    """The HTML form of `mfbridge score --report` (same machinery), on a run with a shadow model."""
    from bridge.cli.main import main
    from tests.conftest import COPYBOOKS, FIXTURES, ROOT

    where = tmp_path_factory.mktemp("score-report")
    model = str(ROOT / "models" / "customer-risk")
    rc = main(["score", str(FIXTURES / "customer.cp037.dat"), "-c", str(COPYBOOKS / "customer.cpy"), "--model", model,
               "--shadow", model, "-o", str(where / "SCORED.dat"), "--report", str(where / "run.json"), "-q"])
    assert rc == 0
    report = json.loads((where / "run.json").read_text())
    # what the JSON holds decides which figures the page must draw
    promised = ["fig-score"] + (["fig-bands"] if report["score"]["bands"] else []) \
        + (["fig-reasons"] if report["reasons"] else []) + (["fig-drift"] if report["drift"]["features"] else []) \
        + (["fig-shadow-bands"] if report["shadow"]["bands"] else [])
    return _open(where / "run.html", {"figures": [{"id": f} for f in promised]}, tmp_path_factory, None)


def test_the_score_report_page_renders_requests_nothing_and_logs_no_error(score_page):
    assert _non_white_share(score_page["png"]) > 0.02
    requests = [e["params"]["request"]["url"] for e in score_page["events"]
                if e.get("method") == "Network.requestWillBeSent"]
    assert requests == [score_page["url"]]
    assert not [e for e in score_page["events"] if e.get("method") == "Runtime.exceptionThrown"
                or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")]


def test_the_score_report_page_draws_scores_bands_reasons_drift_and_the_shadow(score_page):
    promised = [f["id"] for f in score_page["promised"]["figures"]]
    assert {"fig-score", "fig-bands", "fig-reasons", "fig-drift", "fig-shadow-bands"} <= set(promised)
    assert {fid: score_page["figures"].get(fid) for fid in promised} == {fid: 1 for fid in promised}
