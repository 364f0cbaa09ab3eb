"""Argument checks, declared once per function and run before any work is done.

A lecture function states what it accepts in one line on top, in the words of its
docstring, and its body is the lecture's equation::

    @checked(x=array("N D"), w=array("D K"), b=array("K | 1 K"))
    def linear_forward(x, w, b):
        return x @ w + b.reshape(1, -1), LinearCache(x, w, b)

``array("N D")`` converts the argument to a float64 array and requires two axes;
a named size (``N``, ``D``, ``K``) is bound by the first argument that has it and
must agree in every other (``w`` must have as many rows as ``x`` has columns); a
number is a literal size; ``|`` separates alternatives; ``...`` first or last stands
for any number of further axes. Every failure is a ``TypeError`` (wrong kind of value) or
``ValueError`` (wrong shape or value) whose message names the argument, says what
it received and what was expected, e.g.::

    ValueError: w must have shape (D, K) with D = 4 as in x (shape (5, 4)), got shape (3, 3)

Functions whose arguments constrain each other in more ways than shared sizes
call one private ``_check_...`` helper built from the same pieces (:func:`check`).
"""

from __future__ import annotations

import functools
import inspect
import numbers
import re

import numpy as np

__all__ = ["OVERFLOWS", "unit_scale", "checked", "check", "array", "integer", "real", "positive", "choice", "flag",
           "seed", "function", "instance", "optional", "shape_tuple", "gradient", "parameters", "anything", "Spec"]


class Spec:
    """What an argument must be; ``spec(value, name, sizes)`` returns it checked and converted.

    A spec with ``needs_values = True`` is called as ``spec(value, name, sizes, values)``,
    ``values`` holding the arguments checked before it (in the decorator's order).
    """

    description = "a value"
    needs_values = False

    def __call__(self, value, name: str, sizes: dict):
        raise NotImplementedError


def _kind(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


# ----------------------------------------------------------------------------- arrays

_TOKEN = re.compile(r"^(\.\.\.|\d+|[A-Za-z_][A-Za-z0-9_']*)$")


def _parse_shape(shape: str):
    alternatives = []
    for part in shape.split("|"):
        tokens = part.split()
        if not all(_TOKEN.match(t) for t in tokens) or "..." in tokens[1:-1] or tokens.count("...") > 1:
            raise ValueError(f"bad shape pattern {shape!r}")  # a bug in the declaration, not the caller's
        alternatives.append(tuple(int(t) if t.isdigit() else t for t in tokens))
    return tuple(alternatives)


def _pattern_text(pattern) -> str:
    inner = ", ".join("..." if t == "..." else str(t) for t in pattern)
    return f"({inner},)" if len(pattern) == 1 else f"({inner})"


# Beyond this size a value's square (or its product with another such value) overflows float64 (1.8e308).
OVERFLOWS = 1e150


def unit_scale(values) -> float:
    """The power of two bringing the largest ``|value|`` into [0.5, 1) (1 for zeros): the scale-free way past OVERFLOWS.

    A result that does not depend on the size of ``values`` (a ratio of energies, a skewness) or is
    proportional to it (a standard deviation) is computed on ``values / unit_scale(values)``, whose
    squares and sums cannot overflow however large the values are; dividing by a power of two is exact,
    so for ordinary values nothing changes, to the last bit.
    """
    return 2.0 ** min(int(np.frexp(np.max(np.abs(values)))[1]), 1023)     # 2^1024 itself is beyond float64


class _Array(Spec):
    DTYPES = {"float": np.float64, "complex": np.complex128, "int": np.int64}

    def __init__(self, shape=None, dtype="float", finite=True, nonempty=True, limit=None):
        self.patterns = None if shape is None else _parse_shape(shape)
        self.dtype, self.finite, self.nonempty, self.limit = dtype, finite, nonempty, limit
        what = {"float": "real numbers", "complex": "(complex) numbers", "int": "integers"}[dtype]
        shape_text = "" if shape is None else " of shape " + " or ".join(map(_pattern_text, self.patterns))
        self.description = f"an array of {what}{shape_text}"

    def _convert(self, value, name):
        target = self.DTYPES[self.dtype]
        if type(value) is np.ndarray and value.dtype == target:
            return value                                  # what layers pass each other: nothing to convert
        if isinstance(value, (str, bytes, dict, set)) or value is None or callable(value):
            raise TypeError(f"{name} must be {self.description}, got {_kind(value)}")
        try:
            arr = np.asarray(value)
        except (TypeError, ValueError):                   # ragged nested lists and the like
            raise TypeError(f"{name} must be {self.description}, got {_kind(value)} "
                            "(not a rectangular array of numbers)") from None
        if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
            raise TypeError(f"{name} must be {self.description}, got dtype {arr.dtype}")
        if self.dtype == "int":
            if np.issubdtype(arr.dtype, np.integer) or arr.dtype == bool:
                return arr.astype(np.int64, copy=False)
            raise TypeError(f"{name} must hold integers, got dtype {arr.dtype}")
        if self.dtype == "float" and np.iscomplexobj(arr):
            raise TypeError(f"{name} must be real, got complex dtype {arr.dtype}")
        return arr.astype(target, copy=False)

    def _match(self, arr, pattern, sizes):
        """None if arr's shape fits pattern (binding new sizes into sizes), else the reason."""
        shape = arr.shape
        if pattern and pattern[0] == "...":          # any leading axes, then the fixed ones
            pattern = pattern[1:]
            if len(shape) < len(pattern):
                return "axes"
            shape = shape[len(shape) - len(pattern):]
        elif pattern and pattern[-1] == "...":       # the fixed leading axes, then any others
            pattern = pattern[:-1]
            if len(shape) < len(pattern):
                return "axes"
            shape = shape[:len(pattern)]
        elif len(shape) != len(pattern):
            return "axes"
        new = {}
        for size, token in zip(shape, pattern):
            if isinstance(token, int):
                if size != token:
                    return "sizes"
            elif token in sizes and sizes[token][0] != size:
                return ("bound", token)
            elif token in new and new[token] != size:
                return "sizes"
            else:
                new[token] = size
        return new

    def __call__(self, value, name, sizes):
        arr = self._convert(value, name)
        if self.patterns is not None:
            reasons = []
            for pattern in self.patterns:
                result = self._match(arr, pattern, sizes)
                if isinstance(result, dict):
                    for token, size in result.items():
                        sizes.setdefault(token, (size, name, arr.shape))
                    break
                reasons.append((pattern, result))
            else:
                raise ValueError(self._shape_error(name, arr, reasons, sizes))
        if self.nonempty and arr.size == 0:
            raise ValueError(f"{name} is empty (shape {arr.shape}); it needs at least one entry")
        if self.finite and arr.dtype != np.int64 and not np.isfinite(arr).all():
            raise ValueError(f"{name} contains NaN or infinite values, which would make the result meaningless")
        if self.limit is not None and arr.size and np.max(np.abs(arr)) > self.limit:
            raise ValueError(f"{name} holds values up to {np.max(np.abs(arr)):.3g}; beyond {self.limit:.0e} their "
                             "squares and products overflow float64: rescale it")
        return arr

    @staticmethod
    def _shape_error(name, arr, reasons, sizes):
        wanted = " or ".join(_pattern_text(p) for p, _ in reasons)
        bound = [(p, r[1]) for p, r in reasons if isinstance(r, tuple)]
        if bound:
            token = bound[0][1]
            size, source, source_shape = sizes[token]
            return (f"{name} must have shape {wanted} with {token} = {size} as in {source} "
                    f"(shape {source_shape}), got shape {arr.shape}")
        if all(r == "axes" for _, r in reasons):
            axes = sorted({len(p) for p, _ in reasons if "..." not in p})
            if axes:
                want = " or ".join(f"{a}-D" for a in axes)
                return f"{name} must be {want} {wanted}, got shape {arr.shape} ({arr.ndim}-D)"
        return f"{name} must have shape {wanted}, got shape {arr.shape}"


def array(shape: str | None = None, *, dtype: str = "float", finite: bool = True, nonempty: bool = True,
          limit: float | None = None) -> Spec:
    """An array argument, converted to float64 (``dtype="complex"``: complex128, ``"int"``: int64).

    Parameters
    ----------
    shape : str, optional
        Pattern such as ``"N D"``, ``"K | 1 K"``, ``"... H W"`` or ``"N ..."``; None accepts any shape.
    finite : bool
        Refuse NaN and infinities (default).
    nonempty : bool
        Refuse arrays with no entries (default).
    limit : float, optional
        Refuse values larger in size, e.g. :data:`OVERFLOWS` where the function squares them or
        multiplies them together (a squared error, a product of two inputs).
    """
    return _Array(shape, dtype, finite, nonempty, limit)


# ----------------------------------------------------------------------------- scalars

class _Integer(Spec):
    def __init__(self, minimum=None, maximum=None, why_max=""):
        self.minimum, self.maximum, self.why_max = minimum, maximum, why_max
        lo = "" if minimum is None else f" >= {minimum}"
        hi = "" if maximum is None else f" <= {maximum}"
        self.description = f"an integer{lo}{' and' if lo and hi else ''}{hi}"

    def __call__(self, value, name, sizes):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be {self.description}, got {_kind(value)}")
        value = int(value)
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"{name} must be >= {self.minimum}, got {value}")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"{name} must be <= {self.maximum}{self.why_max}, got {value}")
        return value


def integer(minimum: int | None = None, maximum: int | None = None, why_max: str = "") -> Spec:
    """An integer (Python or numpy, not bool, not a float or a string) within bounds.

    ``why_max`` is appended to the message when the value is above ``maximum`` (absurd sizes
    are refused before any memory is allocated), e.g. ``" (a 1e6-tap filter is not a blur)"``.
    """
    return _Integer(minimum, maximum, why_max)


class _Real(Spec):
    def __init__(self, minimum, maximum, min_open, max_open):
        self.minimum, self.maximum, self.min_open, self.max_open = minimum, maximum, min_open, max_open
        parts = []
        if minimum is not None:
            parts.append(f"{'>' if min_open else '>='} {minimum:g}")
        if maximum is not None:
            parts.append(f"{'<' if max_open else '<='} {maximum:g}")
        self.description = "a finite real number" + (" " + " and ".join(parts) if parts else "")

    def __call__(self, value, name, sizes):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            if isinstance(value, np.ndarray) and value.shape == () and np.issubdtype(value.dtype, np.floating):
                value = float(value)
            else:
                raise TypeError(f"{name} must be {self.description}, got {_kind(value)}")
        value = float(value)
        too_low = self.minimum is not None and (value <= self.minimum if self.min_open else value < self.minimum)
        too_high = self.maximum is not None and (value >= self.maximum if self.max_open else value > self.maximum)
        if not np.isfinite(value) or too_low or too_high:
            raise ValueError(f"{name} must be {self.description}, got {value}")
        return value


def real(minimum: float | None = None, maximum: float | None = None, *, min_open: bool = False,
         max_open: bool = False) -> Spec:
    """A finite real number (int or float, not bool) within bounds, returned as float."""
    return _Real(minimum, maximum, min_open, max_open)


def positive() -> Spec:
    """A finite real number > 0 (a learning rate, a scale in pixels, a frame rate)."""
    return _Real(0.0, None, True, False)


class _Choice(Spec):
    def __init__(self, values):
        self.values = tuple(values)
        self.description = "one of " + ", ".join(map(repr, self.values))

    def __call__(self, value, name, sizes):
        try:
            ok = value in self.values
        except TypeError:           # unhashable, or an array whose truth value is ambiguous
            ok = False
        if not ok or isinstance(value, np.ndarray):
            raise ValueError(f"{name} must be {self.description}, got {_kind(value)}")
        return value


def choice(*values) -> Spec:
    """One of a few named options (strings, usually)."""
    return _Choice(values)


class _Flag(Spec):
    description = "True or False"

    def __call__(self, value, name, sizes):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False, got {_kind(value)}")
        return bool(value)


def flag() -> Spec:
    """A bool (``'no'``, 0 or 1 are refused: they are too easy to get wrong)."""
    return _Flag()


class _Seed(Spec):
    description = "a numpy Generator or a non-negative integer seed"

    def __call__(self, value, name, sizes):
        if value is None:
            return np.random.default_rng(0)
        if isinstance(value, np.random.Generator):
            return value
        if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
            if value < 0:
                raise ValueError(f"{name} must be a non-negative integer seed, got {value}")
            return np.random.default_rng(int(value))
        raise TypeError(f"{name} must be {self.description}, got {_kind(value)}")


def seed() -> Spec:
    """Randomness source: a Generator, a seed >= 0, or None (seed 0); never global state."""
    return _Seed()


class _Function(Spec):
    description = "a function"

    def __call__(self, value, name, sizes):
        if not callable(value):
            raise TypeError(f"{name} must be a function (pass the function itself, not its result), "
                            f"got {_kind(value)}")
        return value


def function() -> Spec:
    """A callable."""
    return _Function()


class _Instance(Spec):
    def __init__(self, cls, made_by):
        self.cls, self.made_by = cls, made_by
        names = " or ".join(c.__name__ for c in (cls if isinstance(cls, tuple) else (cls,)))
        article = "an" if names[:1].lower() in "aeiou" else "a"
        self.description = f"{article} {names}" + (f" (the one {made_by} returns)" if made_by else "")

    def __call__(self, value, name, sizes):
        if not isinstance(value, self.cls):
            raise TypeError(f"{name} must be {self.description}, got {_kind(value)}")
        other = getattr(value, "made_by", self.made_by)   # one cache class shared by several layers
        if self.made_by and other != self.made_by:
            raise TypeError(f"{name} must be the cache {self.made_by} returns, got the cache of {other}")
        return value


def instance(cls, made_by: str = "") -> Spec:
    """An instance of ``cls``; ``made_by`` names the function that makes it (for caches).

    A cache class shared by several layers carries a ``made_by`` field, which must match.
    """
    return _Instance(cls, made_by)


class _Optional(Spec):
    def __init__(self, spec):
        self.spec = spec
        self.description = f"None or {spec.description}"
        self.needs_values = spec.needs_values

    def __call__(self, value, name, sizes, values=None):
        if value is None:
            return None
        return self.spec(value, name, sizes, values) if self.needs_values else self.spec(value, name, sizes)


def optional(spec: Spec) -> Spec:
    """``spec``, or None (left as None)."""
    return _Optional(spec)


class _ShapeTuple(Spec):
    def __init__(self, ndims, maximum):
        self.ndims, self.maximum = tuple(ndims), maximum
        self.description = (f"a shape tuple of {' or '.join(map(str, self.ndims))} positive integers "
                            "such as image.shape")

    def __call__(self, value, name, sizes):
        if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list)):
            raise TypeError(f"{name} must be {self.description}, got {_kind(value)}")
        if len(value) not in self.ndims:
            raise ValueError(f"{name} must be {self.description}, got {tuple(value)!r}")
        side = _Integer(1, self.maximum, " (too large to allocate)")
        return tuple(side(s, f"{name}[{i}]", sizes) for i, s in enumerate(value))


def shape_tuple(ndims=(1, 2, 3), maximum: int = 2**16) -> Spec:
    """A tuple (or list) of positive ints, e.g. an image's ``.shape``; sides above ``maximum`` refused."""
    return _ShapeTuple(ndims, maximum)


class _Gradient(Spec):
    needs_values = True

    def __init__(self, of):
        self.of = of
        self.description = f"an array of real numbers shaped like the output of the forward pass that made {of}"

    def __call__(self, value, name, sizes, values):
        expected = tuple(values[self.of].out_shape)
        arr = _Array(None)._convert(value, name)
        if arr.shape != expected:
            raise ValueError(f"{name} must have the shape of the forward pass's output, {expected} "
                             f"(from {self.of}), got shape {arr.shape}")
        if not np.isfinite(arr).all():
            raise ValueError(f"{name} contains NaN or infinite values")
        return arr


def gradient(of: str = "cache") -> Spec:
    """An upstream gradient ``dout``: float64, shaped like the forward output (``values[of].out_shape``)."""
    return _Gradient(of)


class _Parameters(Spec):
    needs_values = True

    def __init__(self, like, keys, shapes):
        self.like, self.shapes = like, {key: _Array(shape) for key, shape in (shapes or {}).items()}
        self.keys = tuple(keys) if keys else tuple(self.shapes) or None
        named = f" with the keys {list(self.keys)}" if self.keys else ""
        self.description = (f"a dict of named arrays of real numbers{named}"
                            + (f", with the keys and shapes of {like}" if like else ""))

    def __call__(self, value, name, sizes, values):
        if not isinstance(value, dict) or not value:
            raise TypeError(f"{name} must be {self.description}, got {_kind(value)}")
        reference = values.get(self.like) if self.like else None
        keys = set(reference) if reference is not None else set(self.keys) if self.keys else None
        if keys is not None and set(value) != keys:
            missing, extra = sorted(keys - set(value), key=str), sorted(set(value) - keys, key=str)
            raise ValueError(f"{name} must have the keys {sorted(keys, key=str)}"
                             + (f" (those of {self.like})" if reference is not None else "")
                             + (f"; {missing} missing" if missing else "") + (f"; {extra} extra" if extra else ""))
        checked = {}
        for key, entry in value.items():
            label = f"{name}[{key!r}]"
            if key in self.shapes:                  # a lecture model's parameter: float64 of its declared shape
                checked[key] = self.shapes[key](entry, label, sizes)
                continue
            arr = entry if isinstance(entry, np.ndarray) else None
            if arr is None or not np.issubdtype(arr.dtype, np.floating):
                arr = _Array(None, nonempty=False)._convert(entry, label)
            if reference is not None and arr.shape != np.shape(reference[key]):
                raise ValueError(f"{label} must have the shape of {self.like}[{key!r}], {np.shape(reference[key])}, "
                                 f"got shape {arr.shape}")
            if not np.isfinite(arr).all():
                raise ValueError(f"{label} contains NaN or infinite values, which would make the result meaningless")
            checked[key] = entry if isinstance(entry, (np.ndarray, numbers.Real)) else arr
        return checked


def parameters(like: str = "", keys=(), shapes=None) -> Spec:
    """A model's parameters (or their gradients): a non-empty dict of finite real arrays (or numbers).

    ``like`` names an argument checked before it whose keys and shapes it must have (``grads`` like
    ``params``); ``keys`` lists the keys it must have; ``shapes`` maps keys to shape patterns, as
    for :func:`array` (named sizes shared with the other arguments), and those entries become
    float64 arrays. Other arrays keep their dtype (a speed path keeps its precision); errors name
    the entry, e.g. ``grads['w1']``.
    """
    return _Parameters(like, keys, shapes)


class _Anything(Spec):
    def __call__(self, value, name, sizes):
        return value


def anything() -> Spec:
    """No check (the function checks this argument itself, or any value works)."""
    return _Anything()


# ----------------------------------------------------------------------------- applying specs

def check(specs: dict, values: dict, sizes: dict | None = None) -> tuple:
    """Check ``values[name]`` against ``specs[name]`` in order; the converted values, as a tuple.

    ``sizes`` (name -> (size, argument, shape)) carries named sizes bound by earlier checks;
    ``values`` is updated in place with the converted values.
    """
    sizes = {} if sizes is None else sizes
    out = []
    for name, spec in specs.items():
        value = spec(values[name], name, sizes, values) if spec.needs_values else spec(values[name], name, sizes)
        values[name] = value
        out.append(value)
    return tuple(out)


def checked(**specs):
    """Decorator: check and convert the named arguments (in signature order) before the call.

    Arguments without a spec are passed through untouched. The wrapped function keeps its
    name, docstring and signature (``help()`` shows them).
    """
    def decorate(fn):
        signature = inspect.signature(fn)
        names = list(signature.parameters)
        unknown = set(specs) - set(names)
        if unknown:
            raise TypeError(f"@checked names arguments {sorted(unknown)} that {fn.__name__} does not have")
        defaults = {n: p.default for n, p in signature.parameters.items()
                    if p.default is not inspect.Parameter.empty}
        ordered = list(specs.items())   # the decorator's order: a cache before the gradient it shapes
        positional = [n for n, p in signature.parameters.items()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]

        required = [n for n, p in signature.parameters.items() if p.default is inspect.Parameter.empty
                    and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        required_set = frozenset(required)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if len(args) > len(positional):
                raise TypeError(f"{fn.__name__}() takes {len(positional)} positional arguments "
                                f"({', '.join(positional)}), got {len(args)}")
            values = dict(zip(positional, args))
            if kwargs:
                for key in kwargs:
                    if key in values:
                        raise TypeError(f"{fn.__name__}() got argument {key!r} twice")
                    if key not in signature.parameters:
                        raise TypeError(f"{fn.__name__}() has no argument {key!r}; its arguments are "
                                        f"{', '.join(names)}")
                values.update(kwargs)
            if not required_set <= values.keys():
                missing = [n for n in required if n not in values]
                raise TypeError(f"{fn.__name__}() is missing the argument(s) {', '.join(missing)}")
            sizes = {}
            for name, spec in ordered:
                value = values[name] if name in values else defaults[name]
                values[name] = spec(value, name, sizes, values) if spec.needs_values else spec(value, name, sizes)
            return fn(**values)

        wrapper.specs = dict(specs)
        return wrapper
    return decorate
