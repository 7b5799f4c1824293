"""Headless Chromium for the tests, driven over the DevTools protocol on a pipe (no port, no
driver to download): Debian's `chromium`, a fresh profile, and every request that is not to the
server under test blocked and recorded.

Outside traffic is stopped three ways, so a page that tries any shows up rather than hangs:
host names do not resolve, anything not on loopback goes to a proxy that is not there, and
every request the page makes is held until `Browser` lets it through (only to `allowed`). The
page's requests, its WebSocket frames and its console are recorded for the test to read.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

FLAGS = (
    "--headless",
    "--no-sandbox",  # the tests run as root in CI
    "--disable-gpu",
    "--disable-dev-shm-usage",  # a container's /dev/shm is often too small for it
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--metrics-recording-only",
    "--mute-audio",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",  # nothing listens there: outside requests fail fast
    "--remote-debugging-pipe",
)
MESSAGE_LIMIT = 256 * 1024 * 1024
"""Bytes in one DevTools message (a screenshot is a few MB of base64)."""


def chromium() -> str | None:
    """Debian's Chromium, if installed."""
    known = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
    return shutil.which("chromium") or next((path for path in known if Path(path).exists()), None)


class DevToolsError(RuntimeError):
    pass


class Browser:
    """`async with Browser(profile, allowed="http://127.0.0.1:8000") as browser: ...`

    `requests`: every URL the page asked for (WebSocket ones included); `blocked`: those not
    to `allowed`, which failed; `received`: the bytes of every binary WebSocket frame the page
    got; `sent`: the text frames it sent; `console`: its console and log lines.
    """

    def __init__(self, profile: Path, allowed: str, size: tuple[int, int] = (1200, 800)) -> None:
        self.profile, self.allowed, self.size = profile, allowed.rstrip("/"), size
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.received = bytearray()
        self.sent: list[str] = []
        self.closes: list[dict[str, Any]] = []
        self.console: list[str] = []
        self._process: asyncio.subprocess.Process | None = None
        self._commands: int = -1
        self._reader: asyncio.StreamReader | None = None
        self._to_browser: int = -1
        self._replies: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._listeners: list[tuple[str, Callable[[dict[str, Any]], None]]] = []
        self._held: list[tuple[str, asyncio.Event, asyncio.Event]] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._reading: asyncio.Task[None] | None = None
        self._next_id = 0
        self.session = ""

    async def __aenter__(self) -> Browser:
        binary = chromium()
        if binary is None:
            raise RuntimeError("chromium is not installed")
        self.profile.mkdir(parents=True, exist_ok=True)
        theirs_in, ours_out = os.pipe()
        ours_in, theirs_out = os.pipe()

        def pipes_on_3_and_4() -> None:  # the DevTools pipe's fixed descriptors
            os.dup2(theirs_in, 3)
            os.dup2(theirs_out, 4)

        width, height = self.size
        with (self.profile / "chromium.log").open("wb") as log:
            self._process = await asyncio.create_subprocess_exec(
                binary, *FLAGS, f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}", "about:blank",
                stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log,
                pass_fds=(3, 4), preexec_fn=pipes_on_3_and_4, start_new_session=True,
            )  # fmt: skip
        os.close(theirs_in)
        os.close(theirs_out)
        self._to_browser = ours_out
        loop = asyncio.get_running_loop()
        self._reader = asyncio.StreamReader(limit=MESSAGE_LIMIT)
        await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(self._reader), os.fdopen(ours_in, "rb", 0)
        )
        self._reading = asyncio.create_task(self._read())
        await self._attach()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        for task in self._tasks:
            task.cancel()
        if self._process is not None and self._process.returncode is None:
            with contextlib.suppress(DevToolsError, TimeoutError, OSError):
                await self.send("Browser.close", timeout=5)
            try:
                await asyncio.wait_for(self._process.wait(), 10)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self._process.pid, 9)
                await self._process.wait()
        if self._reading is not None:
            self._reading.cancel()
        with contextlib.suppress(OSError):
            os.close(self._to_browser)

    async def _read(self) -> None:
        assert self._reader is not None
        while True:
            try:
                raw = await self._reader.readuntil(b"\0")
            except asyncio.IncompleteReadError:
                break
            message = json.loads(raw[:-1])
            if "id" in message:
                reply = self._replies.pop(message["id"], None)
                if reply is not None and not reply.done():
                    reply.set_result(message)
                continue
            for method, listener in self._listeners:
                if method == message.get("method"):
                    listener(message.get("params", {}))
        for reply in self._replies.values():
            if not reply.done():
                reply.set_exception(DevToolsError("the browser closed its pipe"))

    async def send(
        self, method: str, params: dict[str, Any] | None = None, *, page: bool = False,
        timeout: float = 30.0,
    ) -> dict[str, Any]:  # fmt: skip
        """One DevTools command (to the page's session with `page`); its result."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if page:
            message["sessionId"] = self.session
        reply = asyncio.get_running_loop().create_future()
        self._replies[self._next_id] = reply
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        answer = await asyncio.wait_for(reply, timeout)
        if "error" in answer:
            raise DevToolsError(f"{method}: {answer['error']}")
        result: dict[str, Any] = answer.get("result", {})
        return result

    def on(self, method: str, listener: Callable[[dict[str, Any]], None]) -> None:
        self._listeners.append((method, listener))

    def _later(self, command: Any) -> None:
        """Send a command from an event listener (which runs on the reading task)."""
        task = asyncio.ensure_future(command)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _attach(self) -> None:
        targets = (await self.send("Target.getTargets"))["targetInfos"]
        page = next((t["targetId"] for t in targets if t["type"] == "page"), None)
        if page is None:
            page = (await self.send("Target.createTarget", {"url": "about:blank"}))["targetId"]
        attached = await self.send("Target.attachToTarget", {"targetId": page, "flatten": True})
        self.session = attached["sessionId"]
        self.on("Fetch.requestPaused", self._paused)
        self.on("Network.requestWillBeSent", lambda p: self.requests.append(p["request"]["url"]))
        self.on("Network.webSocketCreated", lambda p: self.requests.append(p["url"]))
        self.on("Network.webSocketFrameReceived", self._frame_received)
        self.on("Network.webSocketFrameSent", self._frame_sent)
        self.on("Network.webSocketClosed", lambda p: self.closes.append(p))
        self.on("Runtime.consoleAPICalled", self._console)
        self.on("Runtime.exceptionThrown", self._exception)
        self.on("Log.entryAdded", lambda p: self.console.append(p["entry"]["text"]))
        for domain in ("Network", "Page", "Runtime", "Log"):
            await self.send(f"{domain}.enable", page=True)
        await self.send("Fetch.enable", {"patterns": [{"urlPattern": "*"}]}, page=True)
        width, height = self.size
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
        await self.send("Emulation.setDeviceMetricsOverride", metrics, page=True)

    def hold(self, part: str) -> tuple[asyncio.Event, asyncio.Event]:
        """Hold the page's requests whose URL contains `part`: the first event is set when one
        is held, and they go on when the second is set."""
        reached, release = asyncio.Event(), asyncio.Event()
        self._held.append((part, reached, release))
        return reached, release

    def _paused(self, params: dict[str, Any]) -> None:
        url, request = params["request"]["url"], params["requestId"]
        if url == self.allowed or url.startswith(f"{self.allowed}/"):
            self._later(self._let_through(url, request))
            return
        self.blocked.append(url)
        failed = {"requestId": request, "errorReason": "BlockedByClient"}
        self._later(self.send("Fetch.failRequest", failed, page=True))

    async def _let_through(self, url: str, request: str) -> None:
        for part, reached, release in self._held:
            if part in url:
                reached.set()
                await release.wait()
        await self.send("Fetch.continueRequest", {"requestId": request}, page=True)

    def _frame_received(self, params: dict[str, Any]) -> None:
        frame = params["response"]
        if frame.get("opcode") == 2:
            self.received += base64.b64decode(frame["payloadData"])

    def _frame_sent(self, params: dict[str, Any]) -> None:
        self.sent.append(params["response"]["payloadData"])

    def _exception(self, params: dict[str, Any]) -> None:
        self.console.append(f"Uncaught {params['exceptionDetails']}")

    def _console(self, params: dict[str, Any]) -> None:
        values = [str(arg.get("value", arg.get("description", ""))) for arg in params["args"]]
        self.console.append(" ".join(values))

    async def open(self, url: str, timeout: float = 30.0) -> None:
        """Go to `url` and wait for its load event."""
        loaded = asyncio.Event()
        self.on("Page.loadEventFired", lambda _: loaded.set())
        await self.send("Page.navigate", {"url": url}, page=True)
        await asyncio.wait_for(loaded.wait(), timeout)

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (a promise is awaited)."""
        found = await self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            page=True,
        )
        if "exceptionDetails" in found:
            raise DevToolsError(f"{expression}: {found['exceptionDetails']}")
        return found["result"].get("value")

    async def wait_for(self, expression: str, timeout: float = 30.0) -> Any:
        """Poll a JavaScript expression until it is truthy; its value."""
        deadline = time.monotonic() + timeout
        while not (value := await self.evaluate(expression)):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{expression} stayed false for {timeout}s")
            await asyncio.sleep(0.1)
        return value

    async def insert_text(self, text: str) -> None:
        await self.send("Input.insertText", {"text": text}, page=True)

    async def press(self, key: str) -> None:
        """A key typed on the keyboard, into whatever has the focus: a printable character,
        or Enter."""
        if key == "Enter":
            down = {"key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "text": "\r"}
        else:
            down = {"key": key, "text": key, "unmodifiedText": key}
        await self.send("Input.dispatchKeyEvent", {"type": "keyDown", **down}, page=True)
        up = {k: v for k, v in down.items() if k not in ("text", "unmodifiedText")}
        await self.send("Input.dispatchKeyEvent", {"type": "keyUp", **up}, page=True)

    async def screenshot(self, path: Path) -> bytes:
        shot = await self.send("Page.captureScreenshot", {"format": "png"}, page=True)
        data = base64.b64decode(shot["data"])
        path.write_bytes(data)
        return data
