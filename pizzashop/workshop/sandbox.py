"""A participant's router in a child process: started, asked, timed and killed by the grader.

The simulation stays here, in the parent; for each routing decision it sends the child plain
data (the item and the chefs on duty) and reads back one line, the chosen chef's id. Nothing the
child sends is unpickled or trusted: a line is at most REPLY_BYTES of JSON of the expected shape,
an answer must be one of the ids offered, every wait has a deadline, and all the waiting in one
run has a budget. Whatever goes wrong — the child dies, stays silent, talks garbage or answers
wrongly — is an `InputError` naming the router's file: one line, exit status 2.

The child limits itself before the participant's code runs (`router_child`): memory, CPU time,
no new processes, no file writes. Root ignores the process limit, so the parent also makes
escapes impossible to keep: on Linux it is a child subreaper while a router runs, so anything
the router started that outlives its parent becomes the grader's own child, and closing the
router kills its process group, then every such orphan and its descendants.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from pizzashop.sim.files import InputError, one_line, read_text

CHILD = Path(__file__).with_name("router_child.py")
REPLY_BYTES = 16 * 1024
"""The longest line a child may send (an answer is a chef id; an error two bounded strings)."""
TEXT_LIMIT = 300
"""The longest problem or field a child may report."""
SUMMARY_LIMIT = 100
"""The router's one-line summary (its docstring's first line), as strategy lists show it."""
CHILD_ENV = {"PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "LC_ALL": "C.UTF-8"}
"""The child's whole environment: a fixed hash seed (a router iterating a set of strings stays
reproducible), and nothing of the grader's (no leaderboard URL, no password)."""


@dataclass(frozen=True)
class Limits:
    """What a router may use. Generous for any router worth grading, small for a runaway one."""

    call_seconds: float = 5.0
    """To answer one `choose`, or to construct one router."""
    start_seconds: float = 20.0
    """To start Python and import the router's file."""
    run_seconds: float = 60.0
    """All the waiting on the router in one run (one seed), and its CPU time."""
    memory_bytes: int = 512 * 2**20
    """Address space (RLIMIT_AS): a 10 GB allocation fails at once with MemoryError."""
    open_files: int = 32
    source_bytes: int = 2**20
    """The router's file."""


LIMITS = Limits()


class RouterProcess:
    """The class `class_name` of the router file `path`, loaded in a child process.

    `new_router` makes an instance (with `self.rng` in the given state) and `choose` asks one
    for a chef; `restart` begins a fresh child (a new run: module state and all); `close` ends
    the child and everything it started.
    """

    def __init__(self, path: Path, class_name: str, label: str, limits: Limits) -> None:
        """`label` names the router in messages (`file:Class`, as reports name strategies)."""
        self.source = str(path)
        self.class_name, self.label = class_name, label
        self.limits = limits
        self._load = {
            "op": "load",
            "path": str(path),
            "class": class_name,
            "module": label.partition(":")[0],
            "label": label,
            "parent": os.getpid(),
            "summary_limit": SUMMARY_LIMIT,
            "text_limit": TEXT_LIMIT,
            "source": read_text(path, limits.source_bytes),
            "limits": {
                "memory_bytes": limits.memory_bytes,
                "cpu_seconds": max(1, round(limits.run_seconds)),
                "open_files": limits.open_files,
            },
        }
        self._process: subprocess.Popen[bytes] | None = None
        self.generation = 0
        self.summary = ""
        self._start()

    # ------------------------------------------------------------------ the router's life

    def _start(self) -> None:
        _reaper.enter()
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-S", "-s", "-P", str(CHILD)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=CHILD_ENV,
                cwd=Path(self.source).resolve().parent,
                start_new_session=True,
            )
        except OSError as error:
            _reaper.leave()
            raise InputError(self.source, "", f"cannot start a process for it ({error})") from None
        assert self._process.stdin is not None and self._process.stdout is not None
        self._to_child = self._process.stdin.fileno()
        self._from_child = self._process.stdout.fileno()
        os.set_blocking(self._to_child, False)
        os.set_blocking(self._from_child, False)
        self._buffer = b""
        self._budget = float("inf")  # loading has its own limit, apart from the run's budget
        self.used = False
        self.generation += 1
        summary = self._ask(self._load, self.limits.start_seconds, "", "loading it")
        if not isinstance(summary, str):
            self._garbage("")
        self.summary = one_line(summary)[:SUMMARY_LIMIT]
        self._budget = self.limits.run_seconds

    def restart(self) -> None:
        """A fresh child for a new run, unless this one has not been asked anything yet."""
        if self.used:
            self.close()
            self._start()

    def close(self) -> None:
        """End the child, then anything it started (orphans come to us: see `_Reaper`)."""
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.kill()
        process.wait()
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()
        _reaper.leave()

    def __enter__(self) -> RouterProcess:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # ------------------------------------------------------------------ questions

    def new_router(self, rng_state: tuple[Any, ...]) -> tuple[int, int]:
        """A new instance of the class with `self.rng` in `rng_state`: (generation, number)."""
        version, internal, gauss = rng_state
        request = {"op": "new", "state": [version, list(internal), gauss]}
        number = self._ask(request, self.limits.call_seconds, f"{self.class_name}()", "starting")
        if type(number) is not int:
            self._garbage(f"{self.class_name}()")
        return self.generation, number

    def choose(
        self, router: tuple[int, int], item: list[Any], chefs: list[list[Any]], ids: list[str]
    ) -> str:
        """The id, one of `ids`, that router instance `router` picks for `item`."""
        generation, number = router
        if generation != self.generation:
            raise RuntimeError("a router from an earlier run was asked to choose")
        field = f"{self.label}.choose"
        request = {"op": "choose", "router": number, "item": item, "chefs": chefs}
        answer = self._ask(request, self.limits.call_seconds, field, "answering")
        if type(answer) is not str or answer not in ids:
            self._broken(field, f"returned {_shown(answer)}, not a chef id")
        return ids[ids.index(answer)]

    # ------------------------------------------------------------------ the protocol

    def _ask(self, request: dict[str, Any], seconds: float, field: str, doing: str) -> Any:
        """Send one request and wait for its one-line answer: the value under "ok"."""
        if self._process is None:
            raise RuntimeError("the router's process was closed")
        self.used = self.used or request["op"] != "load"
        if self._buffer:  # a line nobody asked for
            self._garbage(field)
        if self._budget < seconds:
            late = f"used up its {self.limits.run_seconds:g} s for the whole run while {doing}"
        else:
            late = f"took longer than {seconds:g} s {doing}"
        started = time.monotonic()
        deadline = started + min(seconds, self._budget)
        try:
            data = json.dumps(request, separators=(",", ":")).encode() + b"\n"
            self._write(data, deadline, field, late)
            line = self._read_line(deadline, field, late)
        finally:
            self._budget -= time.monotonic() - started
        try:
            message = json.loads(line)
        except (ValueError, RecursionError):
            self._garbage(field)
        if not isinstance(message, dict) or len(message) != 1:
            self._garbage(field)
        if "ok" in message:
            return message["ok"]
        error = message.get("error")
        if not (isinstance(error, list) and len(error) == 2 and all(type(e) is str for e in error)):
            self._garbage(field)
        self._broken(_bounded(error[0]), _bounded(error[1]))

    def _write(self, data: bytes, deadline: float, field: str, late: str) -> None:
        view = memoryview(data)
        poller = select.poll()
        poller.register(self._to_child, select.POLLOUT)
        while view:
            left = deadline - time.monotonic()
            if left <= 0:
                self._broken(field, late)
            poller.poll(left * 1000)
            try:
                view = view[os.write(self._to_child, view) :]
            except BlockingIOError:
                continue
            except OSError:  # EPIPE: it is gone
                self._died(field)

    def _read_line(self, deadline: float, field: str, late: str) -> bytes:
        poller = select.poll()
        poller.register(self._from_child, select.POLLIN)
        while b"\n" not in self._buffer:
            if len(self._buffer) > REPLY_BYTES:
                self._garbage(field)
            left = deadline - time.monotonic()
            if left <= 0:
                self._broken(field, late)
            if not poller.poll(left * 1000):
                continue
            try:
                chunk = os.read(self._from_child, REPLY_BYTES)
            except BlockingIOError:
                continue
            if not chunk:
                self._died(field)
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        if len(line) > REPLY_BYTES:
            self._garbage(field)
        return line

    # ------------------------------------------------------------------ what went wrong

    def _broken(self, field: str, problem: str) -> NoReturn:
        self.close()
        raise InputError(self.source, field, problem)

    def _garbage(self, field: str) -> NoReturn:
        self._broken(field, "the router's process sent something that is not an answer")

    def _died(self, field: str) -> NoReturn:
        process = self._process
        assert process is not None
        try:
            code = process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._broken(field, "the router's process closed its pipe")
        if code == -signal.SIGXCPU or code == -signal.SIGKILL:
            cpu = max(1, round(self.limits.run_seconds))
            self._broken(field, f"the router's process was stopped ({_signal(code)}; "
                         f"at most {cpu} s of CPU)")  # fmt: skip
        how = _signal(code) if code < 0 else f"exit status {code}"
        self._broken(field, f"the router's process ended ({how}) instead of answering")


def _signal(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


def _bounded(text: str) -> str:
    """A string from the child, cut short (`InputError` makes it one printable line)."""
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


def _shown(value: object) -> str:
    return _bounded(json.dumps(value))[:80]


class _Reaper:
    """While any router runs, this process is a child subreaper (Linux): whatever a router
    starts and then abandons is re-parented to us instead of to init, so `leave` can find it
    and kill it with its descendants. Without /proc or prctl, killing the process group (the
    child's own session) is all there is; RLIMIT_NPROC and the child's audit hook stop forks.
    """

    PR_SET_CHILD_SUBREAPER = 36
    PR_GET_CHILD_SUBREAPER = 37

    def __init__(self) -> None:
        self.running = 0
        self.before: set[int] = set()
        self.was_subreaper = False

    def enter(self) -> None:
        if self.running == 0:
            self.before = _children(os.getpid())
            self.was_subreaper = _prctl_get(self.PR_GET_CHILD_SUBREAPER)
            _prctl_set(self.PR_SET_CHILD_SUBREAPER, 1)
        self.running += 1

    def leave(self) -> None:
        self.running -= 1
        if self.running:
            return
        for _ in range(100):  # each round kills what the last one's deaths orphaned
            orphans = _children(os.getpid()) - self.before
            if not orphans:
                break
            for pid in orphans:
                _kill_tree(pid)
            for pid in orphans:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, 0)
        if not self.was_subreaper:
            _prctl_set(self.PR_SET_CHILD_SUBREAPER, 0)


@contextlib.contextmanager
def reaping() -> Iterator[None]:
    """While the block runs, orphaned descendants come to this process; at its end they are
    killed with everything they started (what a router does around each of its runs)."""
    _reaper.enter()
    try:
        yield
    finally:
        _reaper.leave()


def _prctl_set(option: int, value: int) -> None:
    libc = _libc()
    if libc is not None:
        libc.prctl(option, value, 0, 0, 0)


def _prctl_get(option: int) -> bool:
    libc = _libc()
    if libc is None:
        return False
    import ctypes

    value = ctypes.c_int(0)
    libc.prctl(option, ctypes.byref(value), 0, 0, 0)
    return bool(value.value)


def _libc() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def _children(parent: int) -> set[int]:
    """The processes whose parent is `parent`, from /proc (empty without it)."""
    found: set[int] = set()
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rpartition(b")")[2].split()
        except OSError:
            continue
        if len(fields) > 1 and int(fields[1]) == parent:
            found.add(int(entry))
    return found


def _kill_tree(pid: int) -> None:
    """Stop `pid` first (so it forks no more), then its descendants, then kill them all."""
    try:
        os.kill(pid, signal.SIGSTOP)
    except ProcessLookupError:
        return
    for child in _children(pid):
        _kill_tree(child)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


_reaper = _Reaper()
