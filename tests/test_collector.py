"""collector_paused: the cycle collector is off inside, back as it was after — nested,
overlapping in threads, after an error, and around build_recap."""

from __future__ import annotations

import gc
import threading

import pytest

from iki_xlsx.core.collector import collector_paused
from iki_xlsx.recap.build import build_recap
from iki_xlsx.workspace import Workspace


@pytest.fixture(autouse=True)
def _collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


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
