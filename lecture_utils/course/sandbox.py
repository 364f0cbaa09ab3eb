"""Run a submission in a process of its own and call its functions from the grader.

The grader never executes student code. :class:`SubmissionProcess` starts
``python -I -m lecture_utils.course.student_process`` in a fresh temporary folder (its own
working directory and HOME, one BLAS thread, limits on memory
and file size, and, when the grader runs as root (Gradescope, Docker) and ``nobody`` can run its
Python, the unprivileged user ``nobody``, so the submission cannot write a file the grader reads). The
checker, in the grader's process, gets a :class:`StudentFunction` instead of the student's
function: calling it sends the inputs over a pipe and rebuilds the outputs from plain bytes
(:mod:`.wire`). Every wait and every write has a deadline; past it the process group is killed,
and so is any process the submission hid outside its group (the grader is their subreaper).
What the submission prints is discarded.
"""

from __future__ import annotations

import builtins
import os
import pickle
import pwd
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

from ..checks._core import CallsElsewhere, CheckFailure, NotComputed
from . import wire

MEMORY_LIMIT = 4 * 2**30          # bytes of address space for the submission's process
FILE_SIZE_LIMIT = 64 * 2**20      # bytes: the largest file it may write (printing too: stdout is a file)


class TimedOut(BaseException):
    """The submission's process did not answer before the deadline (it has been killed).

    A BaseException, so that a checker's ``except Exception`` does not turn it into a hint.
    """

    def __init__(self, seconds: float):
        super().__init__(f"timed out after {seconds:.0f} s")
        self.seconds = seconds


class ProcessEnded(BaseException):
    """The submission's process died (``os._exit``, a crash, memory exhausted, killed).

    ``reason``: how ("exit status 3", "killed by signal SIGSEGV").
    """

    def __init__(self, reason: str):
        super().__init__(f"the submission's Python process ended ({reason})")
        self.reason = reason


class NotAnAnswer(BaseException):
    """The submission's process sent bytes that are not an answer: tampering with the channel."""


_NOBODY = {}


def unprivileged_user(python: str = sys.executable):
    """(uid, gid) of ``nobody`` when this process runs as root and ``nobody`` can run ``python`` with
    numpy and this package; else None: the submission then runs as this process's user."""
    if python in _NOBODY:
        return _NOBODY[python]
    user = None
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        try:
            entry = pwd.getpwnam("nobody")
            probe = subprocess.run([python, "-I", "-c", "import numpy, lecture_utils.checks"], cwd="/",
                                   user=entry.pw_uid, group=entry.pw_gid, extra_groups=[], timeout=120,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            user = (entry.pw_uid, entry.pw_gid) if probe.returncode == 0 else None
        except (KeyError, OSError, subprocess.SubprocessError):
            user = None
    _NOBODY[python] = user
    return user


def _limit_resources():                 # runs in the child between fork and exec
    for limit, value in ((resource.RLIMIT_AS, MEMORY_LIMIT), (resource.RLIMIT_FSIZE, FILE_SIZE_LIMIT),
                         (resource.RLIMIT_CORE, 0)):
        try:
            resource.setrlimit(limit, (value, value))
        except (ValueError, OSError):
            pass


def forbid_tracing() -> None:
    """Make this (grader) process non-dumpable on Linux: a process of the same user cannot ptrace it."""
    try:
        import ctypes
        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)          # PR_SET_DUMPABLE = 4
    except (OSError, AttributeError):
        pass


# ------------------------------------------------------------------------------ processes left behind
# A submission can start processes that leave its process group (os.setsid) and outlive it, to
# write files after grading. The grader becomes their "subreaper" (Linux): they are re-parented
# to it instead of to init, so it can find and kill them when the submission is closed.

_LIVE = set()            # pids of the submission processes this grader is running now


def adopt_orphans() -> None:
    """Make this process the subreaper of its descendants (Linux prctl PR_SET_CHILD_SUBREAPER)."""
    try:
        import ctypes
        ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)         # PR_SET_CHILD_SUBREAPER = 36
    except (OSError, AttributeError):
        pass


def _children() -> dict:
    """{pid: (state, process group)} of this process's children (from /proc; empty where there is none)."""
    me, found = os.getpid(), {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()       # after "pid (command)": state, ppid, pgrp, ...
        if len(fields) > 2 and int(fields[1]) == me:
            found[int(name)] = (fields[0].decode(), int(fields[2]))
    return found


def _kill_strays(keep: set, group: int) -> int:
    """Kill and reap this process's children not in ``keep``, generation by generation (a killed
    process's children are re-parented here). Returns how many had left process group ``group``
    (already killed as a whole) and were still running: the processes the submission hid."""
    hidden = 0
    for _ in range(100):
        strays = {pid: info for pid, info in _children().items() if pid not in keep}
        if not strays:
            break
        for pid, (state, pgrp) in strays.items():
            if state != "Z" and pgrp != group:
                hidden += 1
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        for pid in strays:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
    return hidden


@dataclass
class CellReport:
    """What happened to one cell of the submission."""

    index: int
    error: str | None = None
    seconds: float = 0.0


@dataclass
class Setup:
    """Outcome of running the submission's cells: per cell, the cell that hung (if any), tampering seen."""

    cells: list = field(default_factory=list)
    hung: int | None = None
    ended: int | None = None          # the cell during which the process ended (os._exit, a crash)
    ended_reason: str = ""
    tampered: list = field(default_factory=list)
    seconds: float = 0.0


class SubmissionProcess:
    """One running submission. Use :meth:`run_cells` once, then :meth:`call` as often as needed."""

    def __init__(self, python: str = sys.executable, run_as_nobody: bool = True):
        self.workdir = tempfile.mkdtemp(prefix="submission-")
        user = unprivileged_user(python) if run_as_nobody else None
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.workdir, "TMPDIR": self.workdir,
               "MPLBACKEND": "Agg", "MPLCONFIGDIR": self.workdir, "OMP_NUM_THREADS": "1",
               "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0", "LANG": "C.UTF-8"}
        for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",      # this machine's OpenBLAS needs them,
                     "LD_LIBRARY_PATH"):                          # and a Python may find libpython by it
            if name in os.environ:
                env[name] = os.environ[name]
        if user is not None:
            os.chown(self.workdir, *user)
        adopt_orphans()
        self._children_before = set(_children())
        to_child, self._to_child = os.pipe()
        self._from_child, from_child = os.pipe()
        self.log_path = os.path.join(self.workdir, "output.txt")
        with open(self.log_path, "wb") as log:
            if user is not None:
                os.chown(self.log_path, *user)
            self.process = subprocess.Popen(
                [python, "-I", "-m", "lecture_utils.course.student_process", str(to_child), str(from_child)],
                pass_fds=(to_child, from_child), cwd=self.workdir, env=env, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_limit_resources,
                user=user[0] if user else None, group=user[1] if user else None,
                extra_groups=[] if user else None)
        os.close(to_child)
        os.close(from_child)
        os.set_blocking(self._to_child, False)
        _LIVE.add(self.process.pid)
        self.tampered = []
        self.strays = 0             # processes the submission hid outside its group, killed by kill()
        self._killed = False
        self.raised = set()         # kinds of the exceptions the student's functions raised

    # ------------------------------------------------------------------ the pipe

    def _send(self, request, deadline: float, limit: float) -> None:
        """Write ``request``; a process that stops reading (it forged an answer and went on) is killed
        at the deadline instead of blocking the grader."""
        data = memoryview(wire.frame(pickle.dumps(request)))
        try:
            while data:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([], [self._to_child], [], left)[1]:
                    self.kill()
                    raise TimedOut(limit)
                try:
                    data = data[os.write(self._to_child, data):]
                except BlockingIOError:
                    continue
        except (BrokenPipeError, OSError):
            raise ProcessEnded(self._ended()) from None

    def _read_exactly(self, n: int, deadline: float, limit: float) -> bytes:
        chunks = []
        while n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_child], [], [], left)[0]:
                self.kill()
                raise TimedOut(limit)
            chunk = os.read(self._from_child, min(n, 1 << 20))
            if not chunk:
                raise ProcessEnded(self._ended())
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def _receive(self, deadline: float, limit: float) -> dict:
        try:
            length = wire.frame_length(self._read_exactly(8, deadline, limit))
            message = wire.decode(self._read_exactly(length, deadline, limit))
        except wire.WireError as exc:
            self.kill()
            raise NotAnAnswer(f"the submission's process sent {exc}") from None
        if message.get("event") == "unsendable":
            return message
        if not isinstance(message.get("event"), str):
            self.kill()
            raise NotAnAnswer("the submission's process sent a message without an event")
        tampered = message.get("tampered")
        if isinstance(tampered, list):
            self.tampered.extend(t for t in tampered if isinstance(t, str) and t not in self.tampered)
        return message

    def _ended(self) -> str:
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.process.returncode
        reason = (f"killed by signal {signal.Signals(-code).name}" if code is not None and code < 0
                  else f"exit status {code}")
        started = self._last_log_line()        # the process writes here only until the submission's code runs
        return f"{reason}{': ' + started if started else ''}"

    def _last_log_line(self) -> str:
        try:
            with open(self.log_path, "rb") as log:
                log.seek(max(0, os.path.getsize(self.log_path) - 400))
                lines = log.read().decode(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return lines[-1][:200] if lines else ""

    # ------------------------------------------------------------------ requests

    def run_cells(self, cells, limit: float) -> Setup:
        """Execute ``cells`` ([(index, source, statement numbers or None)]) in order within ``limit`` s."""
        setup, started = Setup(), time.monotonic()
        deadline, current = started + limit, None
        self._send(("run", list(cells)), deadline, limit)
        try:
            while True:
                message = self._receive(deadline, limit)
                event = message["event"]
                if event == "cell":
                    current = message.get("index")
                elif event == "cell_done":
                    setup.cells.append(CellReport(current, message.get("error"), message.get("seconds") or 0.0))
                    current = None
                elif event == "ready":
                    break
        except TimedOut:
            setup.hung = current
        except ProcessEnded as exc:
            if current is None:              # not in a cell: the process could not start
                raise
            setup.ended, setup.ended_reason = current, exc.reason
        setup.tampered = list(self.tampered)
        setup.seconds = time.monotonic() - started
        return setup

    def call(self, name: str, args: tuple, allowed, partial: bool, deadline: float, limit: float):
        """``(result, delegated)`` of the student's ``name(*args)``; the student's exception re-raised."""
        self._send(("call", name, args, sorted(allowed), partial), deadline, limit)
        message = self._receive(deadline, limit)
        event = message["event"]
        if event == "result":
            delegated = message.get("delegated")
            if not isinstance(delegated, list) or not all(isinstance(d, str) for d in delegated):
                raise NotAnAnswer("the submission's process sent a malformed list of package calls")
            return _fresh(message.get("value")), delegated
        if event == "undefined":
            raise CheckFailure(f"{name} is not defined: the cell that defines it did not run to its end "
                               "(see the notes)")
        if event == "unsendable":
            raise CheckFailure(f"your function's result could not be sent to the grader: {message.get('message')}")
        if event != "raised":
            raise NotAnAnswer(f"the submission's process answered a call with {event!r:.40}")
        kind, text = str(message.get("type"))[:60], str(message.get("message"))[:2000]
        self.raised.add(kind)
        partial_values = message.get("partial")
        if partial and isinstance(partial_values, (tuple, dict)):
            return _with_missing(partial_values, f"your function raised {kind}: {text}"), []
        raise _rebuilt_exception(kind, text)

    def kill(self) -> None:
        """End the submission's process group (its children too), then every process it left behind."""
        if not self._killed:          # (once: after the leader is reaped, its pid may be reused)
            self._killed = True
            try:
                os.killpg(self.process.pid, signal.SIGKILL)   # the group may outlive its leader: kill it anyway
            except (ProcessLookupError, PermissionError):
                if self.process.poll() is None:
                    self.process.kill()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self.strays += _kill_strays(self._children_before | _LIVE - {self.process.pid}, self.process.pid)

    def close(self) -> str:
        """Kill the process, remove its folder; the tail of what it printed."""
        self.kill()
        _LIVE.discard(self.process.pid)
        for fd in (self._to_child, self._from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            with open(self.log_path, "rb") as log:
                log.seek(max(0, os.path.getsize(self.log_path) - 2000))
                tail = log.read().decode(errors="replace")
        except OSError:
            tail = ""
        shutil.rmtree(self.workdir, ignore_errors=True)
        return tail


def _fresh(value):
    """Missing outputs become :class:`NotComputed`; everything else is already plain data."""
    if isinstance(value, wire.Missing):
        return NotComputed(f"{value.name} was not computed")
    return value


def _with_missing(values, reason: str):
    def one(v):
        return NotComputed(f"{reason} (before computing {v.name})") if isinstance(v, wire.Missing) else v
    if isinstance(values, dict):
        return {k: one(v) for k, v in values.items()}
    return tuple(one(v) for v in values)


def _rebuilt_exception(kind: str, text: str) -> Exception:
    """The student's exception as the checker expects it: builtin types as themselves, others by name."""
    builtin = getattr(builtins, kind, None) if kind.isidentifier() else None
    if isinstance(builtin, type) and issubclass(builtin, Exception) and builtin.__module__ == "builtins":
        try:
            return builtin(text)
        except Exception:
            pass
    name = kind if kind.isidentifier() else "Exception"
    return type(name, (Exception,), {})(text)


class StudentFunction(CallsElsewhere):
    """The checker's stand-in for a function that lives in the submission's process.

    ``deadline`` (time.monotonic) and ``limit`` (seconds, for the message) bound every call
    made until they are changed; ``partial`` asks for the outputs computed before an exception.
    """

    def __init__(self, process: SubmissionProcess, name: str, deadline: float, limit: float, partial: bool):
        self.process, self.__name__ = process, name
        self.deadline, self.limit, self.partial = deadline, limit, partial

    def call_watching(self, args, allowed):
        return self.process.call(self.__name__, tuple(args), allowed, self.partial, self.deadline, self.limit)

    def __call__(self, *args):
        return self.call_watching(args, ())[0]
