"""How Python's cycle collector runs while we make or read many objects — the one place
that changes it (a collect run, a recap, the form workers).

Our big jobs make objects without reference cycles, so the collector finds nothing to
free while it walks them again and again; it only costs time:

- :func:`collector_paused` turns it off while a big, long-lived result is built (a recap
  of 10,000 forms makes millions of objects that live on; each pass over the oldest
  generation walked all of them again — a third of the build's time). Every object is
  still freed as soon as nothing refers to it::

      with collector_paused():
          recap = _build(...)

  Pauses nest and may overlap in threads (the portal): the collector comes back on when
  the last one ends, and only if it was on when the first began; then, with ``settle``
  (the default), it collects once, so that the objects made meanwhile join the oldest
  generation in one walk. A form worker pauses it for a batch of forms and collects the
  young generation after each form itself (``settle=False``). With ``keep`` (a recap:
  ~1,000,000 objects for 10,000 forms, which that one walk took ~1 s to find alive) they
  are frozen instead (``gc.freeze``): never walked again, still freed as soon as nothing
  refers to them. What such a pause froze is unfrozen, and collected once, when the next
  one begins (garbage cycles frozen with it — another thread's — are freed then); a pause
  that ends by an error, or overlaps one that settles, collects as ``settle`` does.
- :func:`collecting_rarely` keeps it on but collects the young generation every 50,000
  allocations instead of 700 while a collect run lasts (each file allocates a few
  thousand short-lived objects; the results piling up made each older pass longer);
  :func:`fewer_collections` does the same for good in a reader process.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collecting_rarely", "collector_paused", "fewer_collections"]

_LOCK = threading.Lock()
_PAUSE = {"depth": 0, "was_on": False, "settle": False, "keep": False}
_RARELY = {"runs": 0, "before": (700, 10, 10)}  # runs in this process collecting rarely


@contextmanager
def collector_paused(*, settle: bool = True, keep: bool = False) -> Iterator[None]:
    """The cycle collector off inside the ``with`` (see the module's docstring)."""
    with _LOCK:
        if _PAUSE["depth"] == 0:
            _PAUSE["was_on"] = gc.isenabled()
            _PAUSE["settle"] = _PAUSE["keep"] = False
            if keep and _PAUSE["was_on"] and gc.get_freeze_count():
                gc.unfreeze()  # what an earlier pause kept: collectable again
                gc.collect()
            gc.disable()
        _PAUSE["depth"] += 1
        _PAUSE["settle"] = _PAUSE["settle"] or (settle and not keep)
        _PAUSE["keep"] = _PAUSE["keep"] or keep
    failed = False
    try:
        yield
    except BaseException:
        failed = True
        raise
    finally:
        with _LOCK:
            _PAUSE["depth"] -= 1
            _PAUSE["settle"] = _PAUSE["settle"] or (failed and keep)
            if _PAUSE["depth"] == 0 and _PAUSE["was_on"]:
                gc.enable()
                if _PAUSE["settle"]:
                    gc.collect()  # what was made meanwhile walked once, now, not in
                    # three collections (young, middle, then all) by whatever runs next
                elif _PAUSE["keep"]:
                    gc.freeze()  # … or never: it lives on (a recap)


def fewer_collections() -> tuple[int, ...]:
    """Collect the young generation every 50,000 allocations instead of 700 (returns
    the thresholds before)."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], 50_000), *before[1:])
    return before


@contextmanager
def collecting_rarely() -> Iterator[None]:
    """:func:`fewer_collections` while a run lasts, safe for runs in several threads at
    once (uploads judged side by side): the first run in sets it, the last one out puts
    the thresholds back."""
    with _LOCK:
        if _RARELY["runs"] == 0:
            _RARELY["before"] = fewer_collections()
        _RARELY["runs"] += 1
    try:
        yield
    finally:
        with _LOCK:
            _RARELY["runs"] -= 1
            if _RARELY["runs"] == 0:
                gc.set_threshold(*_RARELY["before"])
