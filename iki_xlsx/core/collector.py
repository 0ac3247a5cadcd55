"""Python's cycle collector paused while a big, long-lived result is built.

Building a recap of 10,000 forms makes millions of objects that live on; each time the
collector runs its oldest generation it walks every one of them again — a third of the
build's time. What such a build makes holds no reference cycles, so there is nothing for
the collector to find until it ends: :func:`collector_paused` turns it off for that long
(every object is still freed as soon as nothing refers to it)::

    with collector_paused():
        recap = _build(...)

Pauses nest and may overlap in threads (the portal): the collector comes back on when
the last one ends, and only if it was on when the first began; then it collects once,
so that the objects made meanwhile join the oldest generation in one walk.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]

_LOCK = threading.Lock()
_STATE = {"depth": 0, "was_on": False}


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector off inside the ``with`` (see the module's docstring)."""
    with _LOCK:
        if _STATE["depth"] == 0:
            _STATE["was_on"] = gc.isenabled()
            gc.disable()
        _STATE["depth"] += 1
    try:
        yield
    finally:
        with _LOCK:
            _STATE["depth"] -= 1
            if _STATE["depth"] == 0 and _STATE["was_on"]:
                gc.enable()
                gc.collect()  # what was made meanwhile walked once, now, not in three
                # collections (young, middle, then all) by whatever runs next
