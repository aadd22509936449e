"""Headless Chromium, driven over the DevTools protocol through a pipe.

Chromium started with ``--remote-debugging-pipe`` reads protocol messages
(JSON, each ended by a NUL byte) on its file descriptor 3 and writes its
own on 4: no port, no WebSocket library, nothing but the browser.  The
flags are the ones known to work here as root, with a new empty profile.

    with Chromium.start(tmp_path) as browser:
        page = browser.open(Path("page.html").as_uri())
        page.evaluate("document.title")
        png = page.screenshot()
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-pipe",
)


_LAUNCHER = """
import fcntl, os, sys
r, w = int(sys.argv[1]), int(sys.argv[2])
# Copies above 3 and 4 first, so that neither end is overwritten.
r2, w2 = fcntl.fcntl(r, fcntl.F_DUPFD, 10), fcntl.fcntl(w, fcntl.F_DUPFD, 10)
os.dup2(r2, 3)
os.dup2(w2, 4)
for fd in {r, w, r2, w2} - {3, 4}:
    os.close(fd)
os.set_inheritable(3, True)
os.set_inheritable(4, True)
os.execv(sys.argv[3], sys.argv[3:])
"""


def find_chromium() -> str | None:
    """Debian's chromium (or another Chromium on PATH)."""
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


class BrowserError(RuntimeError):
    pass


class Chromium:
    """One browser process and its protocol pipe."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        to_browser: int,
        from_browser: int,
        log: Path,
    ):
        self.process = process
        self.log = log
        self._out = to_browser
        self._in = from_browser
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    @classmethod
    @contextmanager
    def start(cls, profile: Path, executable: str | None = None) -> Iterator[Chromium]:
        exe = executable or find_chromium()
        if exe is None:
            raise BrowserError("no chromium found")
        profile.mkdir(parents=True, exist_ok=True)
        log = (profile / "chromium.log").open("wb")
        to_read, to_browser = os.pipe()  # the browser reads its fd 3
        from_browser, to_write = os.pipe()  # and writes its fd 4
        # A small launcher puts the pipe ends on fds 3 and 4, then becomes
        # the browser.
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _LAUNCHER,
                str(to_read),
                str(to_write),
                exe,
                *FLAGS,
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            pass_fds=(to_read, to_write),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        log.close()
        os.close(to_read)
        os.close(to_write)
        browser = cls(process, to_browser, from_browser, profile / "chromium.log")
        try:
            yield browser
        finally:
            browser.close()

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    # -- the protocol ---------------------------------------------------

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("timed out waiting for the browser")
            ready, _, _ = select.select([self._in], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise BrowserError(
                    f"the browser closed its pipe (exit status {self.process.poll()}); "
                    f"its log ends: {self.log_tail()}"
                )
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session: str | None = None,
        timeout: float = 30.0,
    ) -> dict[str, Any]:
        """Send a command and wait for its result (events that arrive in
        the meantime are kept in ``events``)."""
        self._next_id += 1
        message: dict[str, Any] = {
            "id": self._next_id,
            "method": method,
            "params": params or {},
        }
        if session is not None:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode("utf-8") + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            if "method" in reply:
                self.events.append(reply)

    def wait_for(
        self, method: str, session: str | None = None, timeout: float = 30.0
    ) -> dict[str, Any]:
        """Wait for an event (one already received counts)."""
        deadline = time.monotonic() + timeout
        while True:
            for i, event in enumerate(self.events):
                if event.get("method") == method and (
                    session is None or event.get("sessionId") == session
                ):
                    del self.events[i]
                    return event
            self.events.append(self._read_message(deadline))

    def open(self, url: str, width: int = 1400, height: int = 1000) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send(
            "Target.attachToTarget", {"targetId": target, "flatten": True}
        )["sessionId"]
        page = Page(self, session)
        page.send("Page.enable")
        page.send("Runtime.enable")
        page.send("Network.enable")
        page.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        page.send("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired", session)
        return page

    def close(self) -> None:
        if self.process.poll() is None:
            with suppress(BrowserError, OSError):
                self.send("Browser.close", timeout=5)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for fd in (self._out, self._in):
            with suppress(OSError):
                os.close(fd)


class Page:
    """One tab."""

    def __init__(self, browser: Chromium, session: str) -> None:
        self.browser = browser
        self.session = session

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.browser.send(method, params, self.session)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (an exception fails)."""
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, full_page: bool = False) -> bytes:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
            size = self.send("Page.getLayoutMetrics")["cssContentSize"]
            params["clip"] = {
                "x": 0,
                "y": 0,
                "width": size["width"],
                "height": size["height"],
                "scale": 1,
            }
        data = self.send("Page.captureScreenshot", params)["data"]
        return base64.b64decode(data)

    def requested_urls(self) -> list[str]:
        """The URLs the page asked the network for, so far."""
        return [
            e["params"]["request"]["url"]
            for e in self.browser.events
            if e.get("method") == "Network.requestWillBeSent"
            and e.get("sessionId") == self.session
        ]

    def console_errors(self) -> list[str]:
        out = []
        for e in self.browser.events:
            if e.get("sessionId") != self.session:
                continue
            if e.get("method") == "Runtime.exceptionThrown":
                out.append(json.dumps(e["params"]["exceptionDetails"])[:500])
            if (
                e.get("method") == "Runtime.consoleAPICalled"
                and e["params"].get("type") == "error"
            ):
                out.append(json.dumps(e["params"]["args"])[:500])
        return out
