"""The quality worker of `civicpulse run`: Great Expectations in a second process, off the critical path.

Importing GX and building its context cost about 1.5 CPU-seconds with compiled bytecode and 160 MiB (GX
pulls in pandas; the worker keeps sqlalchemy out, `prepare`). `civicpulse run` starts this worker first
(`running()`); it imports GX and builds the one context of the run on the second core while the main
process extracts. Then:

* each source's landing check is handed over as soon as its extract is done (`submit_landing`) and runs
  while the next source extracts; the run collects them all (`landing_result`) before the writer loads,
  and a source whose check failed is not loaded (its landing folders were held back, as before);
* the layer gate reads each table in the main process (the writer connection) and the worker runs the
  suite on it (the worker is the gate's `Checker`, found by `checks.gate` through `active()`);
* the Data Docs are built once, at the end of the run, in the worker.

The worker is started with `spawn` (a fresh interpreter: nothing of the main process's DuckDB threads
or open files is inherited). Every wait on it has a timeout and watches the process: a worker that dies
or hangs gives `QualityWorkerError`, one line saying what it was doing and what to do, never a hang. If
the main process is killed, the worker sees its pipe close (or its parent change) and exits.

Commands that check alone (`civicpulse extract`, `civicpulse build`, the Airflow tasks) run the checks in
their own process as before (`quality.LOCAL`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyarrow as pa

from civicpulse.config import Config
from civicpulse.quality import CheckSettings, Landed, LandingCheck, landed

log = logging.getLogger(__name__)

# A request may wait for GX's import first (tens of seconds on a loaded machine); a layer suite on a
# large table takes minutes at most. Past this the worker is taken for hung.
REQUEST_TIMEOUT_S = 1800.0
STOP_TIMEOUT_S = 30.0
_POLL_S = 0.5

_active: ContextVar[QualityWorker | None] = ContextVar("civicpulse_quality_worker", default=None)


class QualityWorkerError(RuntimeError):
    """The quality worker died or stopped answering; the message says what it was doing."""


class QualityWorker:
    """One worker process and its pipe. Requests are answered in the order they were sent."""

    def __init__(self, timeout_s: float = REQUEST_TIMEOUT_S) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=serve, args=(child, os.getpid()), name="civicpulse-quality", daemon=True
        )
        self._process.start()
        child.close()
        self.timeout_s = timeout_s
        self._sent = 0
        self._answers: dict[int, tuple[str, Any]] = {}
        self._asked: dict[int, str] = {}
        self.docs_pending = False
        self._ready = False  # GX imported: from then on a request may be half done

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def submit_landing(self, config: Config, source: str, start: dt.date, end: dt.date) -> int:
        """Start `quality.validate_landing` for the source; `landing_result` waits for it. Its files are
        listed here (`quality.landed`), so that the worker does not import the landing module."""
        files: Landed | None
        try:
            files = landed(config, source, start, end)
        except Exception:  # an unreadable manifest: the worker lists them and fails, the source's error
            files = None
        settings = CheckSettings.of(config)  # not the Config: see CheckSettings
        return self._send(
            "landing", (settings, source, start, end, files), f"checking the landing files of {source}"
        )

    def landing_result(self, ticket: int) -> LandingCheck:
        checked: LandingCheck = self._wait(ticket)
        if checked.failed:
            self.docs_pending = True  # built once, at the end of the run
        return checked

    def validate(
        self, suite_spec: Mapping[str, Any], name: str, table: pa.Table, parameters: Mapping[str, Any]
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """`quality.Checker.validate`, in the worker."""
        ticket = self._send("validate", (dict(suite_spec), name, table, dict(parameters)), f"checking {name}")
        answer: tuple[list[dict[str, Any]], dict[str, Any]] = self._wait(ticket)
        return answer

    def build_docs(self, config: Config | CheckSettings) -> Path:
        """`quality.Checker.build_docs`, in the worker."""
        path: Path = self._wait(self._send("docs", (CheckSettings.of(config),), "building the Data Docs"))
        self.docs_pending = False
        return path

    def stop(self) -> None:
        """Let the worker finish what it started and exit; kill it if it is still importing GX (it
        has started nothing) or does not exit within STOP_TIMEOUT_S."""
        with contextlib.suppress(EOFError, OSError):
            while self._conn.poll(0):
                self._take(self._conn.recv())
        if self._process.is_alive() and self._ready:
            with contextlib.suppress(OSError):
                self._conn.send(("stop", -1, ()))
            self._process.join(STOP_TIMEOUT_S)
        if self._process.is_alive():
            self._process.kill()  # SIGKILL: a stopped (SIGSTOP) process ignores SIGTERM until resumed
            self._process.join(STOP_TIMEOUT_S)
        self._conn.close()

    def _send(self, kind: str, args: tuple[Any, ...], doing: str) -> int:
        ticket = self._sent
        self._asked[ticket] = doing
        try:
            self._conn.send((kind, ticket, args))
        except OSError:
            raise self._dead(doing) from None
        self._sent += 1
        return ticket

    def _wait(self, ticket: int) -> Any:
        doing = self._asked[ticket]
        deadline = time.monotonic() + self.timeout_s
        while ticket not in self._answers:
            while not self._conn.poll(_POLL_S):
                if not self._process.is_alive():
                    raise self._dead(doing)
                if time.monotonic() > deadline:
                    self._process.kill()
                    raise QualityWorkerError(
                        f"the quality worker (pid {self.pid}) did not finish {doing} within "
                        f"{self.timeout_s:g} s and was stopped; nothing after the checks ran: re-run "
                        "`civicpulse run` (or `civicpulse build`, which checks in its own process)"
                    )
            try:
                self._take(self._conn.recv())
            except (EOFError, OSError):
                raise self._dead(doing) from None
        status, value = self._answers.pop(ticket)
        del self._asked[ticket]
        if status == "error":
            raise value
        return value

    def _take(self, message: tuple[str, int, Any]) -> None:
        status, ticket, value = message
        if status == "ready":
            self._ready = True
        else:
            self._answers[ticket] = (status, value)

    def _dead(self, doing: str) -> QualityWorkerError:
        self._process.join(1.0)
        code = self._process.exitcode
        how = f"was killed by signal {-code}" if code is not None and code < 0 else f"exited ({code})"
        return QualityWorkerError(
            f"the quality worker (pid {self.pid}) {how} while {doing}; nothing after the checks ran: "
            "re-run `civicpulse run` (or `civicpulse build`, which checks in its own process); if it "
            "happens again, look for an out-of-memory kill in the system log"
        )


def active() -> QualityWorker | None:
    """The worker of the run in progress in this process, if any."""
    return _active.get()


@contextlib.contextmanager
def running(config: Config, timeout_s: float = REQUEST_TIMEOUT_S) -> Iterator[QualityWorker]:
    """A worker for the duration of a run, found by `active()`. Data Docs still owed to a held-back
    source (the run stopped before its own Data Docs) are built on the way out, then the worker stops."""
    worker = QualityWorker(timeout_s)
    token = _active.set(worker)
    try:
        yield worker
    finally:
        _active.reset(token)
        try:
            if worker.docs_pending:
                with contextlib.suppress(QualityWorkerError):
                    worker.build_docs(config)
        finally:
            worker.stop()


# ---------------------------------------------------------------------------------------------------
# The worker process


def serve(conn: Connection, parent: int) -> None:
    """The worker's loop: answer each request with ("ok", ticket, value) or ("error", ticket, exc)."""
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    prepare()
    conn.send(("ready", -1, None))
    while True:
        try:
            kind, ticket, args = conn.recv()
        except (EOFError, OSError):
            return  # the run is gone
        if kind == "stop":
            return
        try:
            value: Any = _handle(kind, args)
            reply: tuple[str, int, Any] = ("ok", ticket, value)
        except Exception as exc:
            reply = ("error", ticket, _portable(exc))
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


def prepare() -> None:
    """GX's import and the run's context, before the first request arrives."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    # GX imports sqlalchemy whenever it is installed (Airflow needs it), for its SQL datasources; the
    # worker validates pandas frames only. Without it GX runs as its base install does (sqlalchemy is
    # one of its extras): `great_expectations.compatibility.sqlalchemy` catches the ImportError that a
    # None entry in sys.modules raises and binds its placeholders (~150 modules, ~0.25 CPU-s).
    if "sqlalchemy" not in sys.modules:
        sys.modules["sqlalchemy"] = None  # type: ignore[assignment]  # the import system's "absent" mark
    # What the imports below create lives as long as the worker: the collector is off while they run
    # (~140 collections, ~0.25 CPU-s, that free next to nothing), then it is frozen so that no later
    # collection walks it, nor the interpreter's teardown at exit (~0.9 CPU-s).
    gc.disable()
    from civicpulse import quality

    quality._validator()
    gc.freeze()
    gc.enable()


def _handle(kind: str, args: tuple[Any, ...]) -> Any:
    from civicpulse import quality

    if kind == "landing":
        config, source, start, end, files = args
        return quality.validate_landing(config, source, start, end, files=files)
    if kind == "validate":
        return quality.LOCAL.validate(*args)
    if kind == "docs":
        return quality.build_data_docs(*args)
    raise ValueError(f"unknown quality worker request {kind!r}")


def _portable(exc: Exception) -> Exception:
    """The exception itself if it survives the pipe, else a RuntimeError with its type and message."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def _exit_with_parent(parent: int) -> None:
    """A killed run must not leave its worker behind (it may be in the middle of GX's import)."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)
