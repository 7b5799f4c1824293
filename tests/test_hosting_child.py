"""A game's process on its pseudo-terminal, with small stand-in programs instead of the game:
the pty is its controlling terminal, sizes and keys reach it, and stopping ends its whole group."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

from seat_programs import command

from pizzashop.hosting.child import GameProcess

ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "TERM": "xterm-256color",
    "PYTHONPATH": str(Path(__file__).parent),
}
WAIT = 30.0
"""Seconds to wait for a program's output: a Python starting on a loaded machine takes many."""


class Recorder:
    def __init__(self) -> None:
        self.output = bytearray()
        self.closed = asyncio.Event()

    async def wait_for(self, text: bytes, timeout: float = WAIT) -> None:
        async def poll() -> None:
            while text not in self.output:
                await asyncio.sleep(0.02)

        try:
            await asyncio.wait_for(poll(), timeout)
        except TimeoutError:
            raise AssertionError(f"no {text!r} in {bytes(self.output)[-300:]!r}") from None

    def start(self, *command: str, size: tuple[int, int] = (80, 24)) -> GameProcess:
        return GameProcess(
            ENV, size, on_output=self.output.extend, on_closed=self.closed.set,
            on_drained=lambda: None, command=command,
        )  # fmt: skip


def test_the_size_at_start_and_each_resize_reach_the_program() -> None:
    async def scenario() -> bytes:
        recorder = Recorder()
        game = recorder.start(*command("sizes"), size=(132, 43))
        await recorder.wait_for(b"size 132x43")
        game.resize(70, 20)
        await recorder.wait_for(b"size 70x20")
        game.resize(0, 0)  # a client that sends no size gets 80×24
        await recorder.wait_for(b"size 80x24")
        await game.stop()
        return bytes(recorder.output)

    assert b"size 70x20" in asyncio.run(scenario())


def test_keys_reach_the_program_and_its_exit_closes_the_terminal() -> None:
    async def scenario() -> int:
        recorder = Recorder()
        game = recorder.start("/bin/sh", "-c", "read line; echo got:$line; exit 3")
        game.write(b"pepperoni\n")
        await recorder.wait_for(b"got:pepperoni")
        await asyncio.wait_for(recorder.closed.wait(), WAIT)
        return await game.stop()

    assert asyncio.run(scenario()) == 3


BYTE_REPORTER = """
import os, sys, tty
tty.setraw(0)
os.write(1, b"raw\\r\\n")
got = b""
while not got.endswith(b"."):
    got += os.read(0, 1024)
os.write(1, b"got:" + got.hex().encode() + b"\\r\\n")
"""


def test_keys_reach_the_program_as_utf8_whatever_the_client_sends() -> None:
    """Bytes that are not UTF-8 become U+FFFD; a character split between two writes arrives
    whole; so does everything that was UTF-8 already."""

    async def scenario() -> bytes:
        recorder = Recorder()
        game = recorder.start(sys.executable, "-c", BYTE_REPORTER)
        await recorder.wait_for(b"raw")
        for chunk in (b"Zo\xe9 ", b"\xc3", b"\xa9 \xff\x1b[A", b"\xe2\x82", b"\xac."):
            game.write(chunk)
        await recorder.wait_for(b"got:")
        await asyncio.wait_for(recorder.closed.wait(), WAIT)
        await game.stop()
        return bytes(recorder.output)

    output = asyncio.run(scenario())
    got = bytes.fromhex(output.split(b"got:")[1].split(b"\r")[0].decode())
    assert got == "Zo\ufffd é \ufffd\x1b[A€.".encode()


def test_stopping_ends_the_whole_process_group_and_reaps_it() -> None:
    """A program that ignores the hang-up and leaves a child behind still ends, child and all."""

    async def scenario() -> tuple[int, list[int], int]:
        recorder = Recorder()
        game = recorder.start("/bin/sh", "-c", "trap '' HUP; sleep 300 & echo child:$!; wait")
        await recorder.wait_for(b"child:")
        await asyncio.sleep(0.1)
        child = int(recorder.output.split(b"child:")[1].split()[0])
        status = await game.stop(grace=0.5)
        return game.pid, [child], status

    pid, (child,), status = asyncio.run(scenario())
    assert status == -9, "SIGKILL after the grace period"
    assert not Path(f"/proc/{pid}").exists(), "reaped, not a zombie"
    deadline = time.monotonic() + 10  # the kernel delivers the group's SIGKILL on its own time
    while Path(f"/proc/{child}").exists() and not _zombie(child) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not Path(f"/proc/{child}").exists() or _zombie(child), "the left-behind child died too"


def test_the_pty_is_the_controlling_terminal_of_a_new_session() -> None:
    async def scenario() -> tuple[int, list[str]]:
        recorder = Recorder()
        game = recorder.start("/bin/sh", "-c", "echo ready; sleep 5")
        await recorder.wait_for(b"ready")
        stat = Path(f"/proc/{game.pid}/stat").read_text().rsplit(")", 1)[1].split()
        await game.stop()
        return game.pid, stat

    pid, stat = asyncio.run(scenario())
    session, tty, foreground = int(stat[3]), int(stat[4]), int(stat[5])
    assert session == pid and foreground == pid, "session leader, in the foreground of its tty"
    assert tty != 0, "it has a controlling terminal"


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
