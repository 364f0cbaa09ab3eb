"""Shared test settings: a non-interactive matplotlib backend for the *test* process.

Only this pytest process uses Agg; notebook kernels started by nbval keep their
inline backend, so their plot outputs match the committed notebooks.
"""

import matplotlib

matplotlib.use("Agg")
