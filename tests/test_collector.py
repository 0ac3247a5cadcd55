"""core.collector: collector_paused turns the cycle collector off inside and back as it
was after — nested, overlapping in threads, after an error, and around build_recap —
collecting once when it ends unless told not to, or freezing what lives on when told to
keep it; collecting_rarely raises the young
generation's threshold for as long as any run lasts and puts it back after the last."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest

from iki_xlsx.core.collector import collecting_rarely, collector_paused
from iki_xlsx.recap.build import build_recap
from iki_xlsx.workspace import Workspace


@pytest.fixture(autouse=True)
def _collector_on():
    was, threshold = gc.isenabled(), gc.get_threshold()
    gc.enable()
    gc.set_threshold(700, 10, 10)
    yield
    (gc.enable if was else gc.disable)()
    gc.set_threshold(*threshold)


def test_off_inside_on_after_even_after_an_error():
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(KeyError), collector_paused():
        raise KeyError("x")
    assert gc.isenabled()


def test_nested_pauses_and_a_collector_that_was_off():
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer one still runs
    assert gc.isenabled()
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()  # it was off: it stays off


def test_pauses_overlapping_in_threads():
    entered, leave_first, first_left = threading.Event(), threading.Event(), threading.Event()

    def first():
        with collector_paused():
            entered.set()
            leave_first.wait(5)
        first_left.set()

    t = threading.Thread(target=first)
    t.start()
    entered.wait(5)
    with collector_paused():
        leave_first.set()
        first_left.wait(5)
        assert not gc.isenabled()  # the first ended; this one has not
    t.join(5)
    assert gc.isenabled()


def test_build_recap_leaves_the_collector_on(tmp_path):
    ws = Workspace(tmp_path / "ws")
    with pytest.raises(ValueError):  # an empty ledger: an error from inside the pause
        build_recap(ws)
    assert gc.isenabled()


def _collections(monkeypatch) -> list:
    """The full collections asked for from now on (gc.collect() calls, recorded)."""
    asked: list = []
    real = gc.collect
    monkeypatch.setattr(gc, "collect", lambda *a: (asked.append(a), real(*a))[1])
    return asked


def test_a_pause_collects_once_when_it_ends_unless_told_not_to(monkeypatch):
    asked = _collections(monkeypatch)
    with collector_paused():
        with collector_paused():
            pass
        assert asked == []
    assert asked == [()]
    with collector_paused(settle=False):
        pass
    assert asked == [()]  # a form worker collects the young generation itself
    with collector_paused(settle=False):
        with collector_paused():  # one pause that asks for it is enough
            pass
    assert asked == [(), ()]


def test_collecting_rarely_for_as_long_as_any_run_lasts():
    with collecting_rarely():
        assert gc.get_threshold()[0] == 50_000
        with collecting_rarely():  # a second run (an upload beside it)
            pass
        assert gc.get_threshold()[0] == 50_000  # the first still runs
        assert gc.isenabled()  # rarely, not never
    assert gc.get_threshold() == (700, 10, 10)
    with pytest.raises(KeyError), collecting_rarely():
        raise KeyError("x")
    assert gc.get_threshold() == (700, 10, 10)


@pytest.fixture
def _unfrozen():
    yield
    gc.unfreeze()


class _Node:
    """An object the collector tracks, in a cycle when ``partner`` is given."""

    def __init__(self, partner=None):
        self.partner = partner


def test_a_keeping_pause_freezes_what_lives_on_and_frees_it_later(monkeypatch, _unfrozen):
    """keep: the objects alive when the pause ends are frozen (not walked by a
    collection), no collection asked then; the next keeping pause unfreezes them and
    collects once, so garbage cycles frozen meanwhile are freed."""
    asked = _collections(monkeypatch)
    with collector_paused(keep=True):
        kept = [_Node() for _ in range(1000)]
        cycle = _Node()
        cycle.partner = _Node(cycle)
    assert gc.isenabled() and asked == []
    frozen = gc.get_freeze_count()
    assert frozen >= 1002
    assert not any(gc.is_tracked(x) and x in gc.get_objects() for x in kept[:3])
    gone = weakref.ref(cycle)
    del cycle  # garbage now, but frozen: no collection frees it
    gc.collect()
    assert gone() is not None
    asked.clear()
    with collector_paused(keep=True):
        assert asked == [()]  # the earlier pause's objects collected once, here
        assert gone() is None
    assert gc.get_freeze_count() >= 1000  # kept still lives: frozen again
    assert len(kept) == 1000


def test_a_keeping_pause_that_fails_or_overlaps_a_settling_one_collects(monkeypatch,
                                                                          _unfrozen):
    asked = _collections(monkeypatch)
    gc.unfreeze()
    with pytest.raises(KeyError), collector_paused(keep=True):
        raise KeyError("x")
    assert asked == [()] and gc.get_freeze_count() == 0
    with collector_paused(keep=True), collector_paused():  # one that settles: it collects
        pass
    assert asked == [(), ()] and gc.get_freeze_count() == 0
