"""The process that runs one submission: its cells, then its functions on the grader's inputs.

Started by :class:`lecture_utils.course.sandbox.Sandbox` as
``python -I -m lecture_utils.course.student_process IN_FD OUT_FD`` in a temporary working
folder of its own. Everything here is untrusted: the student's cells run in this process and
may change anything in it, this file included. The grader therefore reads only plain data
from it (:mod:`.wire`) and compares results in its own process. What this process reports
about tampering (checkers or numpy replaced) is a courtesy for the feedback, not the guarantee.

Requests (pickled, from the grader):

* ``("run", [(index, source, statements), ...])``: execute those cells in order (only the top-level
  statements numbered ``statements``, or all when None), reporting each one's start and its error if
  any, then the integrity report;
* ``("call", name, args, allowed, partial)``: call the function ``name`` with ``args``, watched for
  calls of the package's own code as the checkers do in a notebook, and send back the result (or
  the exception, with the outputs already computed when ``partial``).
"""

from __future__ import annotations

import ast
import builtins
import inspect
import linecache
import os
import pickle
import sys
import textwrap
import time

from . import wire

WATCHED_MODULES = ("lecture_utils", "numpy", "otter", "builtins")
_BUILTINS = dict(vars(builtins))       # as they were before any student code ran


class _PristineBuiltins:
    """While this process speaks to the grader, builtins are the real ones (the student's come back after)."""

    patched_now = {}

    def __enter__(self):
        self.patched = {k: v for k, v in vars(builtins).items() if _BUILTINS.get(k, self) is not v}
        self.patched.update({k: _BUILTINS[k] for k in _BUILTINS if k not in vars(builtins)})  # deleted ones
        _PristineBuiltins.patched_now = self.patched
        vars(builtins).update(_BUILTINS)

    def __exit__(self, *exc):
        vars(builtins).update(self.patched)
        _PristineBuiltins.patched_now = {}


class _NoMagics:
    """``get_ipython()`` while grading: line and cell magics and shell escapes are not run."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def _python_of(source: str) -> str:
    """A cell's source as plain Python (IPython magics become calls of get_ipython())."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        return TransformerManager().transform_cell(source)
    except Exception:            # no IPython, or a cell it cannot read: execute it as written
        return source


def _describe(exc: BaseException) -> str:
    try:
        return str(exc)[:2000]
    except Exception:
        return "(its message could not be read)"


# ------------------------------------------------------------------------------ integrity courtesy report

def _snapshot() -> dict:
    """``name -> id(object)`` of what the checkers rely on: checkers, numpy, builtins, loaded modules."""
    import lecture_utils.checks as checks
    import numpy

    for name in checks.__all__:          # loaded on first use otherwise: every checker is watched from the start
        getattr(checks, name)
    seen = {f"sys.{name}": id(getattr(sys, name, None)) for name in ("setprofile", "getprofile", "_getframe")}
    for mod_name, module in list(sys.modules.items()):
        if mod_name.split(".")[0] in WATCHED_MODULES and module is not None:
            seen[f"sys.modules[{mod_name!r}]"] = id(module)
    modules = [checks, numpy, numpy.linalg, builtins] + [
        m for n, m in list(sys.modules.items()) if n.startswith("lecture_utils.checks.") and m is not None]
    for module in modules:
        for attr, value in list(vars(module).items()):
            if not attr.startswith("__"):
                seen[f"{module.__name__}.{attr}"] = id(value)
    return seen


def _changed(before: dict) -> list:
    try:
        after = _snapshot()
    except Exception as exc:              # the student broke what the snapshot reads
        return [f"(the modules could not be listed: {type(exc).__name__})"]
    changed = {name for name, ident in before.items() if after.get(name) != ident}
    changed |= {f"builtins.{k}" for k in _PristineBuiltins.patched_now if not k.startswith("__")}
    return sorted(changed)


# ------------------------------------------------------------------------------ partial outputs

def _returned_expression(fn):
    """The tuple or dict that every ``return`` of fn builds (``return dx, dw, db``); None if they differ."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except Exception:
        return None
    func = next((n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))), None)
    if func is None:
        return None
    returns, stack = [], list(func.body)
    while stack:                                 # this function's returns, not those of nested functions
        node = stack.pop()
        if isinstance(node, ast.Return):
            returns.append(node.value)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))
    if not returns or len({ast.dump(r) for r in returns}) != 1 or not isinstance(returns[0], (ast.Tuple, ast.Dict)):
        return None
    return returns[0]


def _partial_outputs(fn, exc: BaseException):
    """The outputs ``fn`` had computed when it raised, as it would have returned them.

    Each element of its ``return`` is evaluated in the frame where the exception stopped it;
    one that cannot be (a name not yet assigned) is :class:`wire.Missing`. None unless some,
    but not all, outputs could be computed: an answer that raised never passes whole.
    """
    code = getattr(fn, "__code__", None)
    frame, tb = None, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code is code:
            frame = tb.tb_frame
        tb = tb.tb_next
    returned = _returned_expression(fn) if frame is not None else None
    if returned is None:
        return None

    def value(node):
        try:
            return eval(compile(ast.Expression(node), "<output>", "eval"), frame.f_globals, dict(frame.f_locals))
        except Exception:
            return wire.Missing(ast.unparse(node)[:40])

    if isinstance(returned, ast.Tuple):
        values = tuple(value(e) for e in returned.elts)
        outputs = list(values)
    else:
        if not all(isinstance(k, ast.Constant) for k in returned.keys):
            return None
        values = {k.value: value(v) for k, v in zip(returned.keys, returned.values)}
        outputs = list(values.values())
    missing = sum(isinstance(v, wire.Missing) for v in outputs)
    return values if 0 < missing < len(outputs) else None


# ------------------------------------------------------------------------------ the loop

class _Channel:
    def __init__(self, fd_in: int, fd_out: int):
        self.fd_in, self.fd_out = fd_in, fd_out

    def _read_exactly(self, n: int) -> bytes:
        chunks, left = [], n
        while left:
            chunk = os.read(self.fd_in, min(left, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def receive(self):
        return pickle.loads(self._read_exactly(wire.frame_length(self._read_exactly(8))))

    def send(self, message: dict) -> None:
        with _PristineBuiltins():
            self._send(message)

    def _send(self, message: dict) -> None:
        try:
            payload = wire.encode(message)
        except (wire.WireError, RecursionError, ValueError, TypeError, OverflowError, MemoryError) as exc:
            payload = wire.encode({"event": "unsendable", "message": f"{type(exc).__name__}: {_describe(exc)}"})
        data = memoryview(wire.frame(payload))
        while data:
            data = data[os.write(self.fd_out, data):]


def _only(python: str, statements, filename: str):
    """The code of ``python``, or of only its top-level statements numbered ``statements``."""
    if statements is None:
        return compile(python, filename, "exec")
    tree = ast.parse(python)
    tree.body = [s for k, s in enumerate(tree.body) if k in set(statements)]
    return compile(tree, filename, "exec")


def _run_cells(channel, namespace, cells, pristine) -> None:
    for index, source, statements in cells:
        channel.send({"event": "cell", "index": index})
        started, error = time.perf_counter(), None
        filename = f"<cell {index}>"
        python = _python_of(source)
        linecache.cache[filename] = (len(python), None, python.splitlines(True), filename)
        try:
            exec(_only(python, statements, filename), namespace)
        except BaseException as exc:          # noqa: BLE001 (a cell's sys.exit() or KeyboardInterrupt too)
            error = f"{type(exc).__name__}: {_describe(exc)}"
        channel.send({"event": "cell_done", "index": index, "error": error,
                      "seconds": time.perf_counter() - started})
    with _PristineBuiltins():
        tampered = _changed(pristine)
    channel.send({"event": "ready", "tampered": tampered})


def _call(channel, namespace, name, args, allowed, partial, pristine) -> None:
    from lecture_utils.checks._core import _watching_calls

    fn = namespace.get(name)
    if not callable(fn):
        channel.send({"event": "undefined"})
        return
    try:
        result, delegated = _watching_calls(fn, args, set(allowed))
    except BaseException as exc:              # noqa: BLE001
        with _PristineBuiltins():
            outputs, tampered = (_partial_outputs(fn, exc) if partial else None), _changed(pristine)
        channel.send({"event": "raised", "type": type(exc).__name__, "message": _describe(exc),
                      "partial": outputs, "tampered": tampered})
        return
    with _PristineBuiltins():
        tampered = _changed(pristine)
    channel.send({"event": "result", "value": result, "delegated": list(delegated), "tampered": tampered})


def main(argv) -> int:
    channel = _Channel(int(argv[1]), int(argv[2]))
    import numpy  # noqa: F401  (imported before the student's cells so that the snapshot sees it)
    import lecture_utils.checks  # noqa: F401
    pristine = _snapshot()
    quiet = os.open(os.devnull, os.O_WRONLY)    # from here on, what the submission prints goes nowhere
    os.dup2(quiet, 1)                           # (the log keeps only this process's own start-up errors;
    os.dup2(quiet, 2)                           # megabytes of output cost no disk and no grade)
    namespace = {"__name__": "__main__", "__builtins__": builtins, "get_ipython": lambda: _NoMagics(),
                 "display": print}
    while True:
        try:
            request = channel.receive()
        except EOFError:
            return 0
        if request[0] == "run":
            _run_cells(channel, namespace, request[1], pristine)
        elif request[0] == "call":
            _call(channel, namespace, *request[1:], pristine=pristine)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
