"""Memory for the speed paths: scratch buffers kept between calls, and an opt-in malloc setting.

Two costs that a reader of the lecture never sees dominate small layers in numpy:

* a fresh scratch array is zero-filled or page-faulted on every call; :func:`scratch`
  hands back the same buffer for the same name, shape and dtype (per thread), so a
  training loop that calls a layer thousands of times allocates its temporaries once;
* glibc gives large freed blocks back to the operating system, so the next array of the
  same size page-faults again, 4 KiB at a time; :func:`reuse_freed_memory` asks glibc to
  keep them, which is what PyTorch's caching allocator does for its tensors.

Nothing here changes a result, only where the numbers are stored.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from collections import OrderedDict

import numpy as np

_KEEP = 32                     # buffers kept per thread (a few layers x a few names)
_local = threading.local()


def scratch(name: str, shape: tuple, dtype, fill=None) -> np.ndarray:
    """A buffer private to this thread, reused by every call with the same name, shape and dtype.

    Its contents are whatever the last user left, except that a new buffer is filled with
    ``fill`` (if given): a caller may rely on the cells it never writes keeping that value.
    Never return a scratch buffer (or a view of it) to a caller outside the speed path.
    """
    buffers = getattr(_local, "buffers", None)
    if buffers is None:
        buffers = _local.buffers = OrderedDict()
    key = (name, tuple(shape), np.dtype(dtype).str, fill)
    buffer = buffers.pop(key, None)
    if buffer is None:
        buffer = np.empty(shape, dtype) if fill is None else np.full(shape, fill, dtype)
    buffers[key] = buffer                           # most recently used last
    while len(buffers) > _KEEP:
        buffers.popitem(last=False)
    return buffer


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3       # mallopt parameters (glibc's malloc.h)
freed_memory_reused = False      # set by reuse_freed_memory(): fresh arrays then come from warm pages


def reuse_freed_memory(limit_bytes: int = 1 << 30) -> bool:
    """Ask glibc's malloc to keep freed blocks up to ``limit_bytes`` for reuse; True if it could.

    Affects the whole process (every numpy array), changes no result, and does nothing on
    systems without glibc (macOS, Windows, musl), where it returns False.
    """
    global freed_memory_reused
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        return False
    done = bool(mallopt(_M_MMAP_THRESHOLD, int(limit_bytes)) and mallopt(_M_TRIM_THRESHOLD, int(2 * limit_bytes)))
    freed_memory_reused = freed_memory_reused or done
    return done
