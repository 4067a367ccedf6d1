"""Open the HTML report in real headless Chromium and check what a person would see.

Chromium is driven over the DevTools protocol directly (``websocket-client`` is the only Python
dependency; no chromedriver, no Selenium, no Playwright browser download). The test collects
console messages, uncaught exceptions, browser log errors (CSP violations, failed loads) and
JavaScript dialogs, and asserts:

- the page loads, its own script runs (so the CSP hash is right), and nothing is logged as an
  error;
- the garbled span is inside a ``<mark>`` with exactly the expected text, and a real mouse
  click on it opens the detail panel;
- the hostile text shows as text: no injected ``<img>``/``<script>``/``<b>`` and no dialog;
- a PNG screenshot is produced.

Needs Debian's ``chromium`` (``/usr/bin/chromium``); skipped with a reason when it is absent.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from report_factory import GARBLED_SPAN, HOSTILE, HOSTILE_MESSAGE, make_report

from mtaudit.formats import render_html
from mtaudit.gate import evaluate
from mtaudit.policy import Policy

CHROMIUM = Path(os.environ.get("MTAUDIT_CHROMIUM", "/usr/bin/chromium"))
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
    "--remote-debugging-port=0",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)",
)


class DevTools:
    """A minimal synchronous DevTools-protocol client for one page."""

    def __init__(self, ws_url: str, timeout: float = 15.0) -> None:
        websocket = pytest.importorskip(
            "websocket", reason="websocket-client is needed to drive Chromium"
        )
        self.ws = websocket.create_connection(ws_url, timeout=timeout, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def _handle_event(self, msg: dict[str, Any]) -> None:
        self.events.append(msg)
        if msg.get("method") == "Page.javascriptDialogOpening":
            # Dismiss it (else the page hangs); the test fails on the recorded event.
            self.send_nowait("Page.handleJavaScriptDialog", {"accept": False})

    def send_nowait(self, method: str, params: dict[str, Any] | None = None) -> int:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params or {}}))
        return self.next_id

    def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        msg_id = self.send_nowait(method, params)
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self._handle_event(msg)

    def wait_for(self, method: str, timeout: float = 15.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        for ev in self.events:
            if ev.get("method") == method:
                return ev
        while time.monotonic() < deadline:
            msg = json.loads(self.ws.recv())
            if "method" in msg:
                self._handle_event(msg)
                if msg["method"] == method:
                    return msg
        raise TimeoutError(method)

    def evaluate(self, expression: str) -> Any:
        res = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in res:
            raise RuntimeError(f"{expression}: {res['exceptionDetails']}")
        return res["result"].get("value")

    def drain(self, seconds: float = 0.3) -> None:
        """Read pending events for a moment."""
        self.ws.settimeout(0.05)
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline:
                try:
                    msg = json.loads(self.ws.recv())
                except Exception:  # websocket timeout: nothing pending
                    continue
                if "method" in msg:
                    self._handle_event(msg)
        finally:
            self.ws.settimeout(15.0)

    def problems(self) -> list[str]:
        """Console errors/assertions, uncaught exceptions, error log entries and dialogs."""
        out = []
        for ev in self.events:
            m, p = ev.get("method"), ev.get("params", {})
            if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
                args = " ".join(str(a.get("value", a.get("description", ""))) for a in p["args"])
                out.append(f"console.{p['type']}: {args}")
            elif m == "Runtime.exceptionThrown":
                out.append(f"exception: {p['exceptionDetails'].get('text')}")
            elif m == "Log.entryAdded" and p["entry"].get("level") in ("error", "warning"):
                out.append(f"log {p['entry']['level']}: {p['entry'].get('text')}")
            elif m == "Page.javascriptDialogOpening":
                out.append(f"dialog: {p.get('message')}")
        return out

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ws.close()


@pytest.fixture()
def chromium(tmp_path: Path):
    """A fresh headless Chromium; yields the DevTools client of its first page."""
    profile = tmp_path / "profile"
    profile.mkdir()
    log = (tmp_path / "chromium.log").open("wb")
    proc = subprocess.Popen(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    client = None
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 20
        while not (port_file.exists() and port_file.read_text().strip()):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chromium did not start; see {tmp_path / 'chromium.log'}")
            time.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        targets: list[dict[str, Any]] = []
        while time.monotonic() < deadline and not targets:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as r:
                targets = [t for t in json.load(r) if t.get("type") == "page"]
            if not targets:
                time.sleep(0.05)
        assert targets, "chromium has no page target"
        client = DevTools(targets[0]["webSocketDebuggerUrl"])
        yield client
    finally:
        if client is not None:
            client.close()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def _open(cdp: DevTools, page: Path) -> DevTools:
    """Load ``page`` with the Page, Runtime and Log domains on; drop the events so far."""
    for domain in ("Page", "Runtime", "Log"):
        cdp.call(f"{domain}.enable")
    cdp.call("Page.navigate", {"url": page.as_uri()})
    cdp.wait_for("Page.loadEventFired")
    cdp.drain()
    return cdp


def test_html_report_in_chromium(chromium: DevTools, tmp_path: Path) -> None:
    report = make_report()
    gate = evaluate(report, Policy(min_quality=60, max_flagged_share=0.5, fail_on="critical"))
    page = tmp_path / "report.html"
    page.write_text(render_html(report, gate), encoding="utf-8")

    cdp = _open(chromium, page)

    # The page's own script ran (CSP allowed it by hash) and nothing was reported as an error.
    assert cdp.evaluate("document.documentElement.getAttribute('data-ready')") == "1"
    assert cdp.problems() == []

    # The garbled span is one <mark> with exactly the span's text, in the target column.
    garbled = cdp.evaluate(
        "Array.from(document.querySelectorAll('mark.code-garbled')).map(m => ({"
        "tag: m.tagName, text: m.textContent, cls: m.className,"
        "cell: m.closest('td').className}))"
    )
    assert garbled == [
        {"tag": "MARK", "text": GARBLED_SPAN, "cls": "sev-major code-garbled", "cell": "tgt"}
    ]

    # Hostile text is text: nothing injected, shown verbatim in its mark and in the panel data.
    injected = cdp.evaluate(
        "({img: document.querySelectorAll('img').length,"
        " scripts: document.scripts.length,"
        " bold: document.querySelectorAll('#alignment b, #findings b').length,"
        " onerror: document.querySelectorAll('[onerror]').length,"
        " hostile: Array.from(document.querySelectorAll('mark.code-name_mismatch'))"
        "   .map(m => m.textContent),"
        " title: document.querySelector('mark.code-name_mismatch').title})"
    )
    assert injected["img"] == 0
    assert injected["scripts"] == 2  # the JSON data block and the page script
    assert injected["bold"] == 0
    assert injected["onerror"] == 0
    assert injected["hostile"] == [HOSTILE]
    assert "<b>markup</b>" in injected["title"]

    # A real mouse click on the garbled mark opens the panel with the finding's details.
    rect = cdp.evaluate(
        "(() => { const m = document.querySelector('mark.code-garbled');"
        " m.scrollIntoView({block: 'center'}); const r = m.getClientRects()[0];"
        " const x = r.left + r.width / 2, y = r.top + r.height / 2;"
        " return {x: x, y: y, hit: document.elementFromPoint(x, y) === m}; })()"
    )
    assert rect["hit"], "the garbled mark is not the element under its own centre"
    for kind in ("mousePressed", "mouseReleased"):
        cdp.call(
            "Input.dispatchMouseEvent",
            {"type": kind, "x": rect["x"], "y": rect["y"], "button": "left", "clickCount": 1},
        )
    panel = cdp.evaluate(
        "({hidden: document.getElementById('panel').hidden,"
        " text: document.getElementById('panel-list').textContent})"
    )
    assert panel["hidden"] is False
    assert "garbled" in panel["text"] and "p_garbled" in panel["text"]

    # The name finding's hostile message and evidence land in the panel as text only.
    cdp.evaluate("document.querySelector('mark.code-name_mismatch').click()")
    panel = cdp.evaluate(
        "({text: document.getElementById('panel-list').textContent,"
        " elements: document.querySelectorAll('#panel-list script, #panel-list b').length})"
    )
    assert HOSTILE_MESSAGE.split("\n")[0] in panel["text"]
    assert "</script><script>alert(3)</script>" in panel["text"]
    assert panel["elements"] == 0

    png = base64.b64decode(cdp.call("Page.captureScreenshot", {"format": "png"})["data"])
    shot = tmp_path / "report.png"
    shot.write_bytes(png)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000

    cdp.drain()
    assert cdp.problems() == []
    # The harness does see console errors (so the empty list above means something).
    cdp.evaluate("console.error('probe from the test')")
    cdp.drain(0.2)
    assert cdp.problems() == ["console.error: probe from the test"]


def test_seed_report_garbled_spans_are_highlighted(
    chromium: DevTools, tmp_path: Path, seed_report_with_lm: Any
) -> None:
    """The real seed report (real fluency LM): every `garbled` finding's span is one highlighted
    mark with exactly the span's text, in its side's column, and the page logs no error."""
    report = seed_report_with_lm
    found = [f for f in report.findings if f.code.startswith("garbled")]
    assert found
    page = tmp_path / "seed.html"
    page.write_text(render_html(report, evaluate(report, Policy(fail_on="major"))), "utf-8")
    cdp = _open(chromium, page)
    assert cdp.evaluate("document.documentElement.getAttribute('data-ready')") == "1"
    assert cdp.problems() == []
    marks = cdp.evaluate(
        "Array.from(document.querySelectorAll('mark.code-garbled')).map(m => ({"
        "text: m.textContent, cell: m.closest('td').className}))"
    )
    cell = {"source": "src", "target": "tgt"}
    expected = sorted(
        (report.side(f.side).text[f.span[0] : f.span[1]], cell[f.side]) for f in found
    )
    assert sorted((m["text"], m["cell"]) for m in marks) == expected
    shot = cdp.call("Page.captureScreenshot", {"format": "png"})
    assert base64.b64decode(shot["data"])[:8] == b"\x89PNG\r\n\x1a\n"
