"""What crosses between the grader and the process that runs a submission, as plain bytes.

The grader (trusted) sends requests with :mod:`pickle`: the submission's process is the
untrusted side, and what it unpickles is its own business. The submission's process answers
in a format that carries data only, never code or classes: a JSON header plus one binary
blob holding the arrays' bytes. :func:`decode` rebuilds fresh Python values and plain
``numpy.ndarray`` objects from it, so no object made by student code (an ndarray subclass with
a patched ``__eq__``, a float whose ``__float__`` lies, a numpy the student monkeypatched)
ever reaches the checker: only numbers do. An object with ``__array__`` travels as the array numpy
makes of it, so whatever its other methods claim, it is graded on that data.

A frame on a pipe is an 8-byte big-endian length and that many bytes.
"""

from __future__ import annotations

import json
import re
import struct

import numpy as np

MAX_FRAME = 512 * 2**20          # bytes: larger answers are refused (a grading process has finite memory)
MAX_HEADER = 4 * 2**20           # bytes of JSON (arrays travel in the blob; a long JSON list would cost GBs)
MAX_DEPTH = 32                   # nesting of lists, tuples and dicts
MAX_OBJECT_ITEMS = 100_000       # elements of an object array, sent one by one
NUMERIC_DTYPE = re.compile(r"^[<>|=]?[biufc]\d{1,2}$")
_HEADER = struct.Struct(">Q")


class Missing:
    """An output the student's function had not computed when it raised (see ``partial`` answers)."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self):
        return f"Missing({self.name!r})"


class WireError(ValueError):
    """An answer that is not in the wire format: malformed, too large, or of a forbidden kind."""


# ------------------------------------------------------------------------------ framing

def frame(payload: bytes) -> bytes:
    """``payload`` with its length in front."""
    return _HEADER.pack(len(payload)) + payload


def frame_length(header: bytes) -> int:
    """The payload length announced by an 8-byte frame header; refuses oversized frames."""
    (length,) = _HEADER.unpack(header)
    if length > MAX_FRAME:
        raise WireError(f"an answer of {length} bytes is larger than the limit of {MAX_FRAME} bytes")
    return length


# ------------------------------------------------------------------------------ encoding (student side)

def encode(message: dict) -> bytes:
    """``message`` (str keys; values of the kinds :func:`decode` knows) as header + blob bytes."""
    blob = bytearray()

    def enc(value, depth):
        if depth > MAX_DEPTH:
            raise WireError(f"the answer is nested more than {MAX_DEPTH} levels deep")
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            return float(value)
        if isinstance(value, complex):
            return {"complex": [value.real, value.imag]}
        if isinstance(value, str):
            return {"str": str(value)}
        if isinstance(value, np.generic):
            return {"scalar": enc(np.asarray(value), depth + 1)}
        if isinstance(value, np.ndarray):
            array = np.asarray(value)             # an ndarray subclass travels as its data
            if array.dtype.kind in "biufc":
                array = np.ascontiguousarray(array).reshape(array.shape)   # (ascontiguousarray makes 0-d 1-d)
                offset = len(blob)
                blob.extend(array.tobytes())
                return {"array": [array.dtype.str, list(array.shape), offset, array.nbytes]}
            if array.dtype.kind == "O":
                if array.size > MAX_OBJECT_ITEMS:
                    raise WireError(f"an object array of {array.size} elements is too large to grade")
                return {"objects": [list(array.shape), [enc(v, depth + 1) for v in array.ravel()]]}
            return {"other_array": [array.dtype.kind, list(array.shape)]}
        if isinstance(value, Missing):
            return {"missing": str(value.name)}
        if isinstance(value, tuple):
            return {"tuple": [enc(v, depth + 1) for v in value]}
        if isinstance(value, list):
            return {"list": [enc(v, depth + 1) for v in value]}
        if isinstance(value, dict):
            return {"dict": [[enc(k, depth + 1), enc(v, depth + 1)] for k, v in value.items()]}
        if hasattr(type(value), "__array__") or hasattr(type(value), "__array_interface__"):
            try:                                  # array-likes travel as the data numpy reads from them
                array = np.asarray(value)
            except Exception:
                return {"opaque": type(value).__name__}
            if isinstance(array, np.ndarray):
                return enc(array, depth + 1)
        return {"opaque": type(value).__name__}

    header = json.dumps({k: enc(v, 0) for k, v in message.items()}).encode()
    if len(header) > MAX_HEADER:
        raise WireError(f"the answer's non-array part takes {len(header)} bytes, more than {MAX_HEADER}: "
                        "return numpy arrays rather than long lists")
    return struct.pack(">I", len(header)) + header + bytes(blob)


# ------------------------------------------------------------------------------ decoding (grader side)

def _opaque(name) -> object:
    """A stand-in for an object of a type the wire does not carry: only its type's name survives."""
    if not isinstance(name, str) or not name.isidentifier() or len(name) > 60:
        name = "object"
    return type(name, (), {"__repr__": lambda self: f"<{name}>"})()


def decode(payload: bytes) -> dict:
    """The message encoded by :func:`encode`, rebuilt from plain data; :class:`WireError` if malformed."""
    if not isinstance(payload, (bytes, bytearray)) or len(payload) < 4:
        raise WireError("an answer shorter than its header")
    (size,) = struct.unpack(">I", payload[:4])
    if size > MAX_HEADER:
        raise WireError(f"an answer whose header of {size} bytes is larger than {MAX_HEADER}")
    if 4 + size > len(payload):
        raise WireError("an answer whose header runs past its end")
    try:
        header = json.loads(payload[4:4 + size].decode())
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise WireError(f"an answer whose header is not JSON ({type(exc).__name__})") from None
    blob = memoryview(payload)[4 + size:]
    if not isinstance(header, dict):
        raise WireError("an answer whose header is not a JSON object")
    return {str(k): _value(v, blob, 0) for k, v in header.items()}


def _shape(shape) -> tuple:
    if (not isinstance(shape, list) or len(shape) > 32
            or not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n < 2**31 for n in shape)):
        raise WireError(f"an array shape that is not a list of sizes: {shape!r:.80}")
    return tuple(shape)


def _value(node, blob, depth):
    if depth > MAX_DEPTH:
        raise WireError(f"an answer nested more than {MAX_DEPTH} levels deep")
    if node is None or isinstance(node, (bool, int, float)):
        return node
    if not isinstance(node, dict) or len(node) != 1:
        raise WireError(f"an answer with an unknown element {node!r:.80}")
    (kind, data), = node.items()
    if kind == "str" and isinstance(data, str):
        return data
    if kind == "complex" and isinstance(data, list) and len(data) == 2 and all(
            isinstance(x, (int, float)) and not isinstance(x, bool) for x in data):
        return complex(*data)
    if kind in ("tuple", "list") and isinstance(data, list):
        items = [_value(v, blob, depth + 1) for v in data]
        return tuple(items) if kind == "tuple" else items
    if kind == "dict" and isinstance(data, list):
        out = {}
        for pair in data:
            if not isinstance(pair, list) or len(pair) != 2:
                raise WireError("a dict entry that is not a key-value pair")
            key = _value(pair[0], blob, depth + 1)
            if not isinstance(key, (str, int, float, bool, type(None), tuple)):
                raise WireError(f"a dict key of type {type(key).__name__}")
            out[key] = _value(pair[1], blob, depth + 1)
        return out
    if kind == "array" and isinstance(data, list) and len(data) == 4:
        return _array(*data, blob=blob)
    if kind == "scalar":
        array = _value(data, blob, depth + 1)
        if not isinstance(array, np.ndarray) or array.shape != ():
            raise WireError("a numpy scalar that is not a 0-d array")
        return array[()]
    if kind == "objects" and isinstance(data, list) and len(data) == 2:
        shape = _shape(data[0])
        items = data[1]
        if not isinstance(items, list) or len(items) != int(np.prod(shape)) or len(items) > MAX_OBJECT_ITEMS:
            raise WireError("an object array whose elements do not fill its shape")
        array = np.empty(len(items), dtype=object)
        for i, item in enumerate(items):
            array[i] = _value(item, blob, depth + 1)
        return array.reshape(shape)
    if kind == "other_array" and isinstance(data, list) and len(data) == 2:
        if data[0] not in ("U", "S", "V", "M", "m"):
            raise WireError(f"an array of unknown kind {data[0]!r:.10}")
        shape = _shape(data[1])
        if int(np.prod(shape)) > MAX_OBJECT_ITEMS:
            raise WireError("a non-numeric array too large to stand in for")
        return np.zeros(shape, dtype={"U": "<U1", "S": "S1", "V": "V1", "M": "M8[s]", "m": "m8[s]"}[data[0]])
    if kind == "opaque":
        return _opaque(data)
    if kind == "missing" and isinstance(data, str):
        return Missing(data[:60])
    raise WireError(f"an answer with an unknown element {kind!r:.40}")


def _array(dtype, shape, offset, nbytes, blob) -> np.ndarray:
    """A fresh, writable, plain ndarray from ``nbytes`` bytes of ``blob`` at ``offset``."""
    if not isinstance(dtype, str) or not NUMERIC_DTYPE.match(dtype):
        raise WireError(f"an array of dtype {dtype!r:.20}, not a numeric one")
    dtype = np.dtype(dtype)
    shape = _shape(shape)
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in (offset, nbytes)):
        raise WireError("an array whose place in the answer is not given by sizes")
    if nbytes != int(np.prod(shape)) * dtype.itemsize or offset + nbytes > len(blob):
        raise WireError(f"an array of shape {shape} and dtype {dtype} whose bytes do not fit")
    data = np.frombuffer(blob[offset:offset + nbytes], dtype=dtype)
    return np.array(data, copy=True).reshape(shape)
