"""How worker processes start (generate, the recap's build and its Per Indikator rows): the
platform's own way (spawned on Windows and macOS, forked on Linux), but spawned when this
process already runs other threads — a fork copies their locks in whatever state they
are, and a worker then waits for one for ever."""

from __future__ import annotations

import threading
from multiprocessing import get_context

__all__ = ["worker_context"]


def worker_context(method: str | None = None):
    """The multiprocessing context for worker processes: ``method`` when given (tests),
    else the rule above."""
    return get_context(method or ("spawn" if threading.active_count() > 1 else None))
