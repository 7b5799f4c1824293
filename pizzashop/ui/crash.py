"""What a player sees when the game fails.

Locally, Textual's traceback, as always, and exit status 1 (Textual itself exits with 0 after
some failures). On a shared host the traceback would show the host's paths to a participant:
there the player reads one polite line, the traceback goes to a report on the host (see
`pizzashop.crashes`) and the status is 1, which the server logs as a crash.

A failure is anything Textual prints on its error console as it exits (a traceback, a panic,
an `exit(message=…)`), an exception out of the app, or one in another thread.
"""

from __future__ import annotations

import contextlib
import io
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any

from rich.console import Console
from textual.app import App

from pizzashop.crashes import CRASHED, save_report
from pizzashop.player.library import hosted
from pizzashop.sim import InputError


def run_app(build: Callable[[], App[Any]]) -> int:
    """Build the app (bad input still raises InputError, before the terminal is touched), run it
    and return the exit status."""
    if not hosted():
        app = build()
        app.error_console = Console(stderr=True, record=True, markup=False, highlight=False)
        app.run()
        failed = bool(app.error_console.export_text())
        return app.return_code or int(failed)
    report = io.StringIO()

    def keep(args: threading.ExceptHookArgs) -> None:
        report.write("".join(traceback.format_exception(args.exc_type, args.exc_value,
                                                        args.exc_traceback)))  # fmt: skip

    threading.excepthook = keep
    app: App[Any] | None = None
    try:
        app = reporting_to(report, build())
        app.run()
    except InputError:
        raise
    except Exception:
        report.write(traceback.format_exc())
    code = (app.return_code or 0) if app is not None else 0

    def goodbye() -> None:
        sys.stderr.write(f"{CRASHED}\n")
        sys.stderr.flush()

    return concluded(code, report.getvalue(), goodbye)


async def run_hosted_app(
    app: App[Any], goodbye: Callable[[], None], report_name: str | None = None
) -> int:
    """Run a hosted game's app in a process that runs others too (its failure is its own:
    everything it raises is caught here) and return its exit status. `goodbye` tells its player
    of a failure; `report_name` names its report (after the process by default)."""
    report = io.StringIO()
    try:
        await reporting_to(report, app).run_async()
    except Exception:
        report.write(traceback.format_exc())
    return concluded(app.return_code or 0, report.getvalue(), goodbye, report_name)


def reporting_to(report: io.StringIO, app: App[Any]) -> App[Any]:
    """The app, with what Textual prints of a failure going to `report`."""
    app.error_console = Console(file=report, width=120, markup=False, highlight=False)
    return app


def concluded(
    code: int, report: str, goodbye: Callable[[], None], report_name: str | None = None
) -> int:
    """A hosted game's exit status: after a failure, its report saved and its player told."""
    if not report:
        return code
    with contextlib.suppress(OSError):  # a full disk costs the report, not the goodbye
        save_report(report, report_name)
    goodbye()
    return max(code, 1)
