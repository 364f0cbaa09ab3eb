"""Speed paths, apart from the lecture code students read.

Each module here accelerates functions of the lecture module of the same name
(``fast.pyramids`` the pyramids of ``lecture_utils.pyramids``, ...) with the tricks a
reader of the lecture does not need: polyphase filtering, half spectra, cached masks,
float32, preallocated buffers, BLAS thread pinning. Every fast function is tested equal
to the lecture function it accelerates (``tests/test_fast_<topic>.py``, to 1e-12 in
float64); the benchmarks in ``benchmarks/`` time them against reference libraries.
"""

from ._memory import reuse_freed_memory
from ._parallel import threads

__all__ = ["reuse_freed_memory", "threads"]
