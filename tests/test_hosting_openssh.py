"""The SSH server with OpenSSH's own `ssh` and `sftp` clients, as participants will use it.

The interactive client runs on a pseudo-terminal of the test's (the same machinery the server
gives each game), so a resize of that terminal travels the whole way: SIGWINCH to ssh, a
window-change request to the server, TIOCSWINSZ on the game's pty, SIGWINCH to the game.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from pizzashop.hosting.child import GameProcess
from pizzashop.hosting.probe import (
    ALTERNATE_SCREEN,
    FIRST_FRAME_MARK,
    HostedServer,
    terminal_size,
    visible,
)

pytestmark = pytest.mark.skipif(
    shutil.which("ssh") is None, reason="OpenSSH's ssh is not installed"
)


def ssh_options(port: int) -> list[str]:
    return [
        "-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
        "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", "-o", f"Port={port}",
    ]  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostedServer]:
    with HostedServer(tmp_path_factory.mktemp("openssh")) as hosted:
        yield hosted


class Terminal:
    """`ssh` on a pty of our own, read and written like a person's terminal."""

    def __init__(self, command: list[str], size: tuple[int, int]) -> None:
        self.output = bytearray()
        self.closed = asyncio.Event()
        self.ssh = GameProcess(
            {"PATH": "/usr/bin:/bin", "TERM": "xterm-256color"}, size,
            on_output=self.output.extend, on_closed=self.closed.set,
            on_drained=lambda: None, command=tuple(command),
        )  # fmt: skip

    async def wait_for(self, ready: bytes | str, since: int = 0, timeout: float = 20.0) -> None:
        async def poll() -> None:
            while not self._shows(ready, since):
                if self.closed.is_set():
                    raise EOFError(visible(bytes(self.output))[-300:])
                await asyncio.sleep(0.05)

        await asyncio.wait_for(poll(), timeout)

    def _shows(self, ready: bytes | str, since: int) -> bool:
        out = bytes(self.output[since:])
        return ready in out if isinstance(ready, bytes) else ready in visible(out)


def test_openssh_plays_resizes_and_quits(server: HostedServer) -> None:
    async def session() -> tuple[int, int]:
        command = ["ssh", *ssh_options(server.port), "-tt", "ada@127.0.0.1"]
        terminal = Terminal(command, (100, 30))
        await terminal.wait_for(ALTERNATE_SCREEN)
        start = terminal.output.index(ALTERNATE_SCREEN)
        await terminal.wait_for(FIRST_FRAME_MARK, since=start)
        (game,) = server.games()
        assert terminal_size(game) == (100, 30)
        terminal.ssh.resize(72, 22)
        for _ in range(100):
            if terminal_size(game) == (72, 22):
                break
            await asyncio.sleep(0.05)
        size = terminal_size(game)
        terminal.ssh.write(b"\x03")
        await asyncio.wait_for(terminal.closed.wait(), 20)
        assert size == (72, 22), "the resize reached the game's terminal"
        return game, await terminal.ssh.stop()

    game, status = asyncio.run(session())
    assert status == 0, "ssh passes on the game's clean exit"
    assert not Path(f"/proc/{game}").exists()


@pytest.mark.parametrize(
    ("extra", "refusal"),
    [
        (["ada@127.0.0.1", "id"], "exec request failed"),
        (["-N", "-o", "ExitOnForwardFailure=yes", "-R", "0:127.0.0.1:1", "ada@127.0.0.1"],
         "remote port forwarding failed"),
        (["-T", "ada@127.0.0.1"], "needs a terminal"),
    ],
)  # fmt: skip
def test_openssh_gets_a_terminal_and_nothing_else(
    server: HostedServer, extra: list[str], refusal: str
) -> None:
    result = subprocess.run(
        ["ssh", *ssh_options(server.port), *extra],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode != 0
    assert refusal in result.stdout + result.stderr
    assert not server.games()


def test_openssh_whose_input_ends_is_let_go(server: HostedServer) -> None:
    """`ssh -tt host < /dev/null`: the client's EOF ends the game and ssh exits, restored."""
    result = subprocess.run(
        ["ssh", *ssh_options(server.port), "-tt", "eof@127.0.0.1"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.stdout.rstrip().endswith("\x1b[?1049l"), "back on the normal screen"
    assert "player 'eof'" in server.log_text() and ": eof, status" in server.log_text()


@pytest.mark.skipif(shutil.which("sftp") is None, reason="OpenSSH's sftp is not installed")
def test_sftp_is_refused(server: HostedServer) -> None:
    result = subprocess.run(
        ["sftp", *ssh_options(server.port), "-b", "/dev/null", "ada@127.0.0.1"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode != 0
    assert "subsystem request failed" in result.stderr
    assert "refused subsystem 'sftp'" in server.log_text()
