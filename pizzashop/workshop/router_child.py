"""The child process that runs a participant's router, and the views the router sees.

The grader starts this file as a script (`python -S -s -P router_child.py`, a clean environment,
its own session), so it imports the standard library only. It speaks one JSON object per line
with the parent, on what were its stdin and stdout (both then point at /dev/null, with stderr,
so a router's `print` goes nowhere):

    parent: {"op": "load", "path": ..., "class": ..., "source": ..., "limits": {...}}
    child:  {"ok": "the router's one-line summary"}      or {"error": [field, problem]}
    parent: {"op": "new", "state": [...]}                (a random.Random state for self.rng)
    child:  {"ok": router number}                        or {"error": [field, problem]}
    parent: {"op": "choose", "router": n, "item": [...], "chefs": [[...], ...]}
    child:  {"ok": "c2"}                                 or {"error": [field, problem]}

Before a line of the participant's code runs, the child limits itself (memory, CPU time, no new
processes, no file writes, few open files) and installs an audit hook that refuses forking,
running programs, sockets, signals to other processes, changing limits, and opening files for
writing. The parent trusts none of this: it checks every answer, bounds every wait and kills the
whole process tree at the end; these limits only make a bad router fail sooner and plainly.
"""

from __future__ import annotations

import json
import os
import random
import sys
from typing import Any, NamedTuple

IDS_SHOWN = 8


class ItemView(NamedTuple):
    """The item to route: which order, which customer, which dish."""

    order: int
    customer: int
    item: str
    station: str
    area: str
    placed: float


class ChefView(NamedTuple):
    """A chef on duty, as a router may see them."""

    id: str
    name: str
    specialty: str
    level: int
    speed: float
    load: int
    busy: bool


class Refused(Exception):
    """Something a router may not do (raised by the audit hook into the router's code)."""


def _die_with(parent: int) -> None:
    """End with the grader: if it is killed, the kernel kills this process too (Linux), so a
    router asleep in `choose` does not outlive it. ctypes is forgotten again afterwards, so a
    router importing it goes through the audit hook."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        for name in [name for name in sys.modules if name.split(".")[0] in ("ctypes", "_ctypes")]:
            del sys.modules[name]
    if os.getppid() != parent:  # the grader was gone before that took hold
        os._exit(1)


def _limit(limits: dict[str, int]) -> None:
    """Resource limits for the rest of the child's life (a non-root child cannot raise them)."""
    import resource

    def cap(name: str, value: int, hard: int | None = None) -> None:
        which = getattr(resource, name, None)
        if which is not None:
            resource.setrlimit(which, (value, value if hard is None else hard))

    cap("RLIMIT_CORE", 0)
    cap("RLIMIT_AS", limits["memory_bytes"])
    cap("RLIMIT_CPU", limits["cpu_seconds"], limits["cpu_seconds"] + 1)
    cap("RLIMIT_FSIZE", 0)
    cap("RLIMIT_NOFILE", limits["open_files"])
    cap("RLIMIT_NPROC", 0)  # not enforced for root: the audit hook and the parent's reaper are


_GUARD = """
def guard(event, args):
    if event.startswith("os."):
        if event in {"os.listdir", "os.scandir", "os.chdir", "os.putenv", "os.unsetenv"}:
            return
        raise Refused(event + " is not allowed in a router")
    if event == "open":
        mode, flags = args[1], args[2]
        if mode is not None and ("w" in mode or "a" in mode or "x" in mode or "+" in mode):
            raise Refused("opening a file for writing is not allowed in a router")
        if flags is not None and flags >= 0 and flags & WRITING:
            raise Refused("opening a file for writing is not allowed in a router")
        return
    if event == "import":
        if args[0] in {"_posixsubprocess", "subprocess", "multiprocessing", "_ctypes", "ctypes"}:
            raise Refused("importing " + args[0] + " is not allowed in a router")
        return
    if event == "object.__setattr__":
        if args[1] == "__code__":
            raise Refused("replacing a function's code is not allowed in a router")
        return
    if event.startswith(
        ("subprocess.", "socket.", "ctypes.", "resource.", "pty.", "sqlite3.", "shutil.", "gc.")
    ) or event in {"signal.pthread_kill", "webbrowser.open"}:
        raise Refused(event + " is not allowed in a router")
"""
"""The audit hook, made from source so that its constants (WRITING among them) live in its
code: it reads no variable a router could rebind, is kept by no module, and its code cannot be
replaced. Whatever it raises refuses the event (even if `Refused` were rebound)."""


def _install_guard() -> None:
    writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    namespace: dict[str, Any] = {"Refused": Refused}
    exec(compile(_GUARD.replace("WRITING", str(writing)), "<guard>", "exec"), namespace)
    sys.addaudithook(namespace.pop("guard"))


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _described(value: object) -> str:
    """A repr that cannot run forever on size, nor raise (a router's objects are its own)."""
    try:
        text = repr(value)
    except BaseException:  # the object's own __repr__: anything
        text = f"<{type(value).__name__}>"
    return _short(text, 120)


class _Child:
    def __init__(self, requests: Any, replies: Any) -> None:
        self.requests, self.replies = requests, replies
        self.routers: list[Any] = []
        self.cls: type | None = None
        self.name = self.label = ""
        self.text_limit = 300

    def reply(self, **message: Any) -> None:
        self.replies.write(json.dumps(message).encode() + b"\n")
        self.replies.flush()

    def fail(self, field: str, problem: str) -> None:
        self.reply(error=[_short(field, self.text_limit), _short(problem, self.text_limit)])

    def load(self, request: dict[str, Any]) -> None:
        _die_with(request["parent"])
        _limit(request["limits"])
        _install_guard()
        path, name = request["path"], request["class"]
        self.label, self.text_limit = request["label"], request["text_limit"]
        module_name = f"pizzashop_player_{request['module']}"
        module = type(sys)(module_name)
        module.__file__ = path
        sys.modules[module_name] = module  # dataclasses and pickling look modules up by name
        try:
            code = compile(request["source"], path, "exec", dont_inherit=True)
        except SyntaxError as error:
            self.fail(f"line {error.lineno}", f"syntax error: {error.msg}")
            return
        except (ValueError, RecursionError, MemoryError) as error:
            self.fail("", f"cannot be compiled ({_described(error)})")
            return
        try:
            exec(code, module.__dict__)
        except BaseException as error:  # anything while importing, even exit()
            self.fail("", f"importing it raised {_described(error)}")
            return
        cls = module.__dict__.get(name)
        if not isinstance(cls, type):
            self.fail(name, "no such class in the file")
            return
        if not callable(getattr(cls, "choose", None)):
            self.fail(name, "has no choose(self, item, chefs) method")
            return
        self.cls, self.name = cls, name
        doc = (cls.__doc__ or "").strip().splitlines() if isinstance(cls.__doc__, str) else []
        self.reply(ok=_short(doc[0].strip(), request["summary_limit"]) if doc else "")

    def new(self, request: dict[str, Any]) -> None:
        version, internal, gauss = request["state"]
        rng = random.Random()
        rng.setstate((version, tuple(internal), gauss))
        assert self.cls is not None
        try:
            router = self.cls()
        except BaseException as error:  # the participant's constructor: anything
            self.fail(f"{self.name}()", _described(error))
            return
        try:
            router.rng = rng
        except BaseException as error:  # a frozen dataclass, __slots__ …
            problem = f"cannot set self.rng ({_described(error)}); allow attribute assignment"
            self.fail(f"{self.name}.rng", problem)
            return
        self.routers.append(router)
        self.reply(ok=len(self.routers) - 1)

    def choose(self, request: dict[str, Any]) -> None:
        router = self.routers[request["router"]]
        item = ItemView(*request["item"])
        chefs = tuple(ChefView(*chef) for chef in request["chefs"])
        try:
            choice = router.choose(item, chefs)
        except BaseException as error:  # the participant's code: anything, even exit()
            self.fail(f"{self.label}.choose", f"raised {_described(error)}")
            return
        # Compare as a plain str: an object claiming to equal every id is not an id.
        chosen = str.__str__(choice) if isinstance(choice, str) else None
        ids = [chef.id for chef in chefs]
        if chosen not in ids:
            listed = ", ".join(ids[:IDS_SHOWN]) + (", …" if len(ids) > IDS_SHOWN else "")
            problem = f"returned {_described(choice)}, not a chef id ({listed})"
            self.fail(f"{self.label}.choose", problem)
            return
        self.reply(ok=chosen)

    def serve(self) -> None:
        handlers = {"load": self.load, "new": self.new, "choose": self.choose}
        for line in self.requests:
            request = json.loads(line)
            handlers[request["op"]](request)


def main() -> None:
    """Keep the pipes to the parent on new descriptors; 0, 1 and 2 become /dev/null."""
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    import builtins

    builtins.exit = builtins.quit = sys.exit  # type: ignore[assignment]  # as `site` would
    _Child(requests, replies).serve()


if __name__ == "__main__":
    main()
