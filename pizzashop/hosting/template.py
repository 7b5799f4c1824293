"""The game template: one process that has loaded the game once and forks a copy for each seat.

Starting a game from nothing costs about half a second of CPU (Python, Textual, the game, the
bundled scenarios), and a class joins in the same few seconds. The template pays that once: the
server starts it (`python -m pizzashop.hosting.template FD SERVER_PID`), it loads everything a
game needs, freezes the garbage collector's view of it (so a child's collections never write to
the shared pages) and waits on its end of a socketpair (FD; see `wire`) with one thread.

For each seat the server sends the game's environment and terminal (for a browser's game, the
three pipes textual-serve speaks over), and any descriptor the game is to inherit. A seat may
also be a table, which runs several games (table.py) instead of one. The template
forks; the child becomes a game exactly as a fresh `python -m pizzashop` would start
(`Seat.become`): its own session with the terminal as its controlling terminal, the signal
handlers and mask a new interpreter has, only its own descriptors, the server's environment for
it, new standard streams, and the random module reseeded (Python does that after every fork).
Nothing else of the template's state is live in a game: no socket, no thread, no open file.

The template reports each game's exit but keeps the exited child unreaped until the server
says it is done with it, so the server may signal the game's process group up to then without
its id ever naming another process. If the server dies, so does the template (the kernel's
parent-death signal); its games then see their terminals hang up, as before.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import importlib
import os
import select
import signal
import socket
import sys
import termios
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pizzashop.hosting import wire
from pizzashop.hosting.linux import die_with_parent, name_process
from pizzashop.ui.collector import tune_collector

GAME = "pizzashop.cli:main"
"""What a seat runs: the `pizzashop` command, without arguments (a seat's argv is just its name).
Named, not imported, as the server names `python -m pizzashop` to spawn a game: the hosting
layer runs the command, it does not depend on it."""
TABLE = "pizzashop.hosting.table:serve"
"""What a table runs: several games in one process (table.py), when the server asks for one."""
NAME = "pizzashop-tmpl"
"""What `ps` shows for the template (its games show "pizzashop")."""
PRELOADED = (
    "pizzashop.cli",
    "pizzashop.hosting.table",
    "pizzashop.ui.launch",
    "pizzashop.ui.screens.briefing",
    "pizzashop.ui.screens.codex",
    "pizzashop.ui.screens.help",
    "pizzashop.ui.screens.lab",
    "pizzashop.ui.screens.report",
    "pizzashop.ui.screens.dialogs",
    "textual.drivers.linux_driver",
    "textual.drivers.web_driver",
    "textual._xterm_parser",
    "textual.layouts.horizontal",
    "textual.layouts.stream",
    "textual.scrollbar",
)
"""Modules a game loads on its way to the title screen or later, beyond what `pizzashop.cli`
imports at the top (Textual loads its driver, parser and some layouts only when it runs)."""


def warm_up() -> str | None:
    """Load, once for every seat, what each game would load for itself, and rehearse a game
    (see rehearsal.py). Returns why the rehearsal failed, if it did: the template serves
    without it, a little slower."""
    for module in PRELOADED:
        importlib.import_module(module)
    from rich.cells import cell_len

    from pizzashop.hosting.rehearsal import rehearse
    from pizzashop.ui.codex import load_codex
    from pizzashop.ui.screens.title import catalogue

    cell_len("★")  # loads the Unicode width table
    catalogue()  # the bundled levels and scenarios, parsed and validated
    load_codex()
    try:
        rehearse()
    except Exception as error:  # a failed rehearsal costs speed, never a game
        return f"{type(error).__name__}: {error}"
    return None


def load_entry(spec: str) -> Callable[[], int]:
    module, _, name = spec.partition(":")
    function = getattr(importlib.import_module(module), name)
    if not callable(function):
        raise TypeError(f"{spec} is not a function")
    return function  # type: ignore[no-any-return]


@dataclass
class Fresh:
    """What a new interpreter starts with, recorded before the template changes any of it."""

    handlers: dict[int, Any] = field(default_factory=dict)
    mask: set[signal.Signals] = field(default_factory=set)

    @classmethod
    def now(cls) -> Fresh:
        handlers = {}
        for signum in signal.valid_signals():
            if signum in (signal.SIGKILL, signal.SIGSTOP):
                continue
            with contextlib.suppress(OSError, ValueError):
                handler = signal.getsignal(signum)
                if handler is not None:
                    handlers[signum] = handler
        return cls(handlers, signal.pthread_sigmask(signal.SIG_BLOCK, []))

    def restore(self) -> None:
        signal.set_wakeup_fd(-1)
        for signum, handler in self.handlers.items():
            with contextlib.suppress(OSError, ValueError):
                signal.signal(signum, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, self.mask)


@dataclass
class Seat:
    """A forked child on its way to being a game."""

    entry: Callable[[], int]
    env: Mapping[str, str]
    stdio: list[int]
    """A terminal for all three standard streams, or (browser games) three pipes: stdin,
    stdout, stderr."""
    inherited: dict[int, int]
    """Descriptor number in the game → the descriptor received for it."""
    fresh: Fresh
    leading: int
    """Closed once the seat leads its own session: the template answers the server then, so
    the server never signals a process group that does not exist yet."""

    def become(self) -> None:
        """Everything a fresh `python -m pizzashop` on this terminal (or these pipes) would
        have (see above). OSError if the terminal hung up meanwhile (the player left)."""
        self.fresh.restore()
        os.setsid()
        os.close(self.leading)
        streams = self.stdio * 3 if len(self.stdio) == 1 else self.stdio
        for fd, stream in enumerate(streams):  # before anything can fail: a failure is shown
            os.dup2(stream, fd)
        if len(self.stdio) == 1:
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)
        place(self.inherited)
        keep = {0, 1, 2, *self.inherited}
        for fd in open_fds():
            if fd not in keep:
                with contextlib.suppress(OSError):
                    os.close(fd)
        os.environ.clear()
        os.environ.update(self.env)
        fresh_standard_streams()
        sys.argv = ["pizzashop"]
        name_process("pizzashop")

    def run(self) -> int:
        try:
            self.become()
        except OSError:  # the terminal hung up before the game took it: nobody is there
            return 1
        return self.entry()


def place(inherited: Mapping[int, int]) -> None:
    """Put each received descriptor at the number the game expects, whatever is there now
    (above every target first, so no move overwrites a descriptor still to be moved)."""
    if not inherited:
        return
    floor = max(inherited) + 1
    moved = {target: fcntl.fcntl(fd, fcntl.F_DUPFD, floor) for target, fd in inherited.items()}
    for fd in inherited.values():
        with contextlib.suppress(OSError):
            os.close(fd)
    for target, fd in moved.items():
        os.dup2(fd, target)
        os.close(fd)


def open_fds() -> list[int]:
    try:
        return [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        return list(range(3, 1024))


def fresh_standard_streams() -> None:
    """New sys.stdin, stdout and stderr on descriptors 0, 1 and 2, buffered as Python buffers
    them: stdout by line on a terminal and by block on a pipe, stderr by line."""
    for fd, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
        old = getattr(sys, f"__{name}__")
        by_line = fd == 2 or (fd == 1 and os.isatty(fd))
        stream = open(  # noqa: SIM115 (they live as long as the process)
            fd, "r" if fd == 0 else "w", buffering=1 if by_line else -1,
            encoding=old.encoding, errors=old.errors, closefd=False,
        )  # fmt: skip
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


def threads() -> int:
    """Threads in this process, Python's and any a library started."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def refusal(env: object, targets: object, fds: list[int], stdio: int = 1) -> str | None:
    """Why a start request cannot be served, or None. The first `stdio` descriptors are the
    game's terminal (1) or its three standard streams (3); the others go to `targets`."""
    if not isinstance(env, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in env.items()
    ):
        return "no environment"
    if not isinstance(targets, list) or len(targets) != len(fds) - stdio:
        return "no terminal, or descriptors without numbers"
    if not all(isinstance(t, int) and t > 2 for t in targets) or len(set(targets)) < len(targets):
        return "descriptor numbers must be distinct and above 2"
    if (count := threads()) != 1:
        return f"the template has {count} threads and cannot fork safely"
    return None


class Template:
    """The template's loop: start seats, report their exits, reap them when told to."""

    def __init__(
        self,
        sock: socket.socket,
        entry: Callable[[], int],
        fresh: Fresh,
        table: Callable[[], int] | None = None,
    ) -> None:
        self.sock = sock
        self.entry = entry
        self.table = table
        """What a seat runs when the server asks for a table instead of a game."""
        self.fresh = fresh
        self.running: set[int] = set()
        """Seats started and not yet reported as exited."""
        self.exited: set[int] = set()
        """Seats reported as exited, kept unreaped until the server says it is done."""
        self.reap_on_exit: set[int] = set()

    def serve(self) -> Seat | None:
        """Until the server closes its end (then None); in a forked child, its Seat."""
        wake_read, wake_write = os.pipe()
        for fd in (wake_read, wake_write):
            os.set_blocking(fd, False)
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)
        signal.set_wakeup_fd(wake_write)
        wire.send(self.sock, {"ready": os.getpid()})
        try:
            while True:
                readable, _, _ = select.select([self.sock, wake_read], [], [])
                if wake_read in readable:
                    with contextlib.suppress(BlockingIOError):
                        while os.read(wake_read, 512):
                            pass
                    self.report_exits()
                if self.sock in readable:
                    try:
                        received = wire.receive(self.sock)
                    except wire.WireError as error:
                        wire.send(self.sock, {"log": f"bad message: {error}"})
                        continue
                    except OSError:
                        return None
                    if received is None:
                        return None
                    seat = self.handle(*received)
                    if seat is not None:
                        return seat
        finally:
            signal.set_wakeup_fd(-1)
            os.close(wake_read)
            os.close(wake_write)

    def handle(self, message: dict[str, Any], fds: list[int]) -> Seat | None:
        if "start" in message:
            return self.start(message, fds)
        wire.close_all(fds)
        pid = message.get("reap")
        if isinstance(pid, int):
            self.reap(pid)
        return None

    def start(self, message: dict[str, Any], fds: list[int]) -> Seat | None:
        """Fork a seat; in the child, return it (the loop ends there and the game runs)."""
        request, env, targets = message["start"], message.get("env"), message.get("fds")
        stdio = 3 if message.get("pipes") is True else 1
        entry = self.table if message.get("run") == "table" else self.entry
        problem = refusal(env, targets, fds, stdio) if entry else "this template seats no tables"
        if problem is not None:
            wire.close_all(fds)
            wire.send(self.sock, {"failed": request, "error": problem})
            return None
        assert isinstance(env, dict) and isinstance(targets, list) and entry is not None
        for stream in (sys.stdout, sys.stderr):  # nothing of the template's is written twice
            stream.flush()
        gc.freeze()
        leading, led = os.pipe()
        try:
            pid = os.fork()
        except OSError as error:
            wire.close_all([*fds, leading, led])
            wire.send(self.sock, {"failed": request, "error": str(error)})
            return None
        if pid == 0:
            os.close(leading)
            self.sock.close()
            inherited = dict(zip(targets, fds[stdio:], strict=True))
            return Seat(entry, env, fds[:stdio], inherited, self.fresh, led)
        wire.close_all([*fds, led])
        os.read(leading, 1)  # returns once the seat closed its end: it leads its session
        os.close(leading)
        self.running.add(pid)
        wire.send(self.sock, {"started": request, "pid": pid})
        return None

    def report_exits(self) -> None:
        """Tell the server of each seat that has exited, without reaping it (WNOWAIT)."""
        for pid in sorted(self.running):
            try:
                info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                info = None
                self.running.discard(pid)
            if info is None:
                continue
            status = info.si_status if info.si_code == os.CLD_EXITED else -info.si_status
            self.running.discard(pid)
            self.exited.add(pid)
            wire.send(self.sock, {"exited": pid, "status": status})
            if pid in self.reap_on_exit:
                self.reap(pid)

    def reap(self, pid: int) -> None:
        if pid in self.exited:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
            self.exited.discard(pid)
            self.reap_on_exit.discard(pid)
        elif pid in self.running:
            self.reap_on_exit.add(pid)


def main(argv: list[str]) -> int:
    """`FD SERVER_PID [ENTRY]`: serve the server on FD while it lives; in a seat, run ENTRY (a
    `module:function` returning an exit status; the game by default)."""
    fresh = Fresh.now()
    fd, parent = int(argv[0]), int(argv[1])
    die_with_parent()
    if os.getppid() != parent:  # the server died before the line above
        return 0
    name_process(NAME)
    sock = socket.socket(fileno=fd)
    sock.setblocking(True)
    entry = load_entry(argv[2] if len(argv) > 2 else GAME)
    problem = warm_up() if len(argv) <= 2 else None
    gc.collect()
    gc.freeze()
    tune_collector()  # for every game forked
    template = Template(sock, entry, fresh, load_entry(TABLE))
    if problem is not None:
        wire.send(sock, {"log": f"the rehearsal failed, seats start colder: {problem}"})
    seat = template.serve()
    if seat is None:
        return 0
    return seat.run()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
