"""Per Indikator's rows made by worker processes, in slices of forms (recap/rowjobs.py),
give the very workbook made in one process: every part the same, under the platform's
start method and under spawn (what Windows uses); a worker's error surfaces and leaves
no workbook and no file behind; workers that cannot run leave the work to this process."""

from __future__ import annotations

import marshal
import multiprocessing
import pickle
import random
import zlib
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime

import pytest
from test_recap import setup  # noqa: F401  (the fixture)
from test_recap_direct import parts

from iki_xlsx.recap import inline, rowjobs, rowzip
from iki_xlsx.recap.build import build_recap
from iki_xlsx.recap.xlsx import write_recap_xlsx

pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")


def _recap(ws, upto):
    recap = build_recap(ws, upto=upto)
    recap.generated_at = datetime(2026, 12, 7, 8, 0)
    return recap


class Counted:
    """ProcessPoolExecutor, counting the slices handed to workers and saying how their
    processes start."""

    submitted = 0

    def __init__(self, *args, **kwargs):
        METHODS.append(kwargs["mp_context"].get_start_method())
        self.pool = rowjobs_pool(*args, **kwargs)

    def submit(self, *args):
        Counted.submitted += 1
        return self.pool.submit(*args)

    def shutdown(self, **kwargs):
        self.pool.shutdown(**kwargs)


rowjobs_pool = rowjobs.ProcessPoolExecutor
METHODS: list[str] = []  # how each pool's processes start


@pytest.mark.parametrize("method", [None, "spawn"])
def test_rows_made_by_workers_are_the_same_workbook(setup, tmp_path, monkeypatch,  # noqa: F811
                                                    method):
    ws, _ = setup
    monkeypatch.setattr(rowjobs, "PARALLEL_ROWS", 1)  # the small master goes parallel
    monkeypatch.setattr(rowjobs, "SLICES_PER_JOB", 2)  # 4 slices of 5 forms
    monkeypatch.setattr(rowjobs, "START_METHOD", method)
    monkeypatch.setattr(rowjobs, "ProcessPoolExecutor", Counted)
    out = tmp_path / "out"
    for upto in ("TW I", "TW II", None):
        recap = _recap(ws, upto)
        Counted.submitted = 0
        alone = parts(write_recap_xlsx(recap, out / "1.xlsx", jobs=1))
        assert Counted.submitted == 0
        both = parts(write_recap_xlsx(recap, out / "2.xlsx", jobs=2))
        assert Counted.submitted == 4
        # the platform's own, or spawn when a thread (another test's) is still running
        assert METHODS[-1] in ({method} if method else
                               {multiprocessing.get_start_method(), "spawn"})
        assert list(alone) == list(both)
        for name in alone:
            if name != "docProps/core.xml":  # the time it was written
                assert alone[name] == both[name], (upto, name)
        assert b"Per Indikator" in alone["xl/workbook.xml"]
        sheet = alone["xl/worksheets/sheet3.xml"].decode()
        rows = sum(len(f.indicators) for f in recap.forms)
        assert sheet.count("<row ") == 2 + rows
        assert f'<row r="{rows + 2}"' in sheet and "inlineStr" in sheet
    assert sorted(p.name for p in out.iterdir()) == ["1.xlsx", "2.xlsx"]  # nothing left


def test_a_small_recap_starts_no_worker(setup, tmp_path, monkeypatch):  # noqa: F811
    ws, _ = setup

    def no_pool(*args, **kwargs):
        raise AssertionError("a worker started for a small recap")

    monkeypatch.setattr(rowjobs, "ProcessPoolExecutor", no_pool)
    write_recap_xlsx(_recap(ws, "TW II"), tmp_path / "out" / "rekap.xlsx")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["rekap.xlsx"]


@pytest.mark.parametrize("jobs,method", [(1, None), (2, None), (2, "spawn")])
def test_a_workers_error_surfaces_and_leaves_nothing(setup, tmp_path, monkeypatch,  # noqa: F811
                                                     jobs, method):
    """An indikator status the rows do not know (a bug) fails the workbook: the error
    raised here, whichever process made the rows; no workbook, no slice or temporary
    file left in the folder, and an older workbook of that name untouched."""
    ws, _ = setup
    monkeypatch.setattr(rowjobs, "PARALLEL_ROWS", 1)
    monkeypatch.setattr(rowjobs, "START_METHOD", method)
    recap = _recap(ws, "TW II")
    recap.forms[-1].indicators[0].status = "tidak_dikenal"
    out = tmp_path / "out"
    out.mkdir()
    (out / "rekap.xlsx").write_bytes(b"older")
    with pytest.raises(KeyError, match="tidak_dikenal"):
        write_recap_xlsx(recap, out / "rekap.xlsx", jobs=jobs)
    assert [p.name for p in out.iterdir()] == ["rekap.xlsx"]
    assert (out / "rekap.xlsx").read_bytes() == b"older"


class Broken:
    """A pool whose workers never ran (could not start, or were killed)."""

    def __init__(self, *args, **kwargs):
        pass

    def submit(self, *args):
        future = Future()
        future.set_exception(BrokenProcessPool("gone"))
        return future

    def shutdown(self, **kwargs):
        pass


def test_slices_workers_could_not_make_are_made_here(setup, tmp_path, monkeypatch):  # noqa: F811
    ws, _ = setup
    monkeypatch.setattr(rowjobs, "PARALLEL_ROWS", 1)
    recap = _recap(ws, "TW II")
    alone = parts(write_recap_xlsx(recap, tmp_path / "1.xlsx", jobs=1))
    monkeypatch.setattr(rowjobs, "ProcessPoolExecutor", Broken)
    here = parts(write_recap_xlsx(recap, tmp_path / "2.xlsx", jobs=2))
    assert {n: v for n, v in alone.items() if n != "docProps/core.xml"} == \
        {n: v for n, v in here.items() if n != "docProps/core.xml"}


@pytest.mark.parametrize("deflate", [inline._deflate, None])
def test_crc32_combined_is_the_crc32_of_the_whole(monkeypatch, deflate):
    """The CRC-32 of pieces joined (ISA-L's, or zlib's algorithm where ISA-L is missing)
    is zlib's CRC-32 of the whole, for pieces of any length, empty ones too."""
    monkeypatch.setattr(inline, "_deflate", deflate)
    rng = random.Random(33)
    for _ in range(200):
        pieces = [rng.randbytes(rng.choice([0, 1, 7, 255, 4096, rng.randrange(70_000)]))
                  for _ in range(rng.randrange(1, 5))]
        crc = 0
        for p in pieces:
            crc = rowzip.crc32_combine(crc, zlib.crc32(p), len(p))
        assert crc == zlib.crc32(b"".join(pieces))


def test_items_travel_as_they_are():
    """A slice's items reach a worker as they are: by marshal (texts, numbers, None,
    nested tuples), or pickled when a value is something marshal does not know."""
    items = [("1965 01", "Nama", "Unit", [(("1", "S", "I", "%", "100", "maksimal",
                                             "terakhir", "terisi", None, 85.5, 85.5, None),
                                            (85.5, "Ya"), (("TW1", None, False, "a.xlsx",
                                                            "", "2026-01-02", ""),))])]
    for value, how in ((1, marshal), (datetime(2026, 1, 2), pickle)):
        data = rowjobs.packed([*items, value])
        assert rowjobs.unpacked(data) == [*items, value]
        assert how.loads(data[8:]) == [*items, value]  # after its length
    # a slice's file: one packed chunk per chunk of forms, read back as one list in order
    chunks = [rowjobs.packed(items), rowjobs.packed([datetime(2026, 1, 2)]),
              rowjobs.packed(items * 2)]
    assert rowjobs.unpacked(b"".join(chunks)) == [*items, datetime(2026, 1, 2), *items * 2]


def test_items_made_a_chunk_at_a_time_write_the_same_workbook(setup, tmp_path,  # noqa: F811
                                                              monkeypatch):
    """Per Indikator's items are made (and packed for a worker) a chunk of forms at a
    time, never a slice's at once (a year's ledger: ~190 MB held): with a chunk of one
    form, in this process and in workers, the workbook is the one made in one chunk."""
    ws, _ = setup
    monkeypatch.setattr(rowjobs, "PARALLEL_ROWS", 1)
    recap = _recap(ws, "TW II")
    out = tmp_path / "out"
    whole = parts(write_recap_xlsx(recap, out / "satu.xlsx", jobs=1))
    made = []
    real = rowjobs.form_items

    def counted(forms, periods):
        made.append(len(forms))
        return real(forms, periods)

    monkeypatch.setattr(rowjobs, "form_items", counted)
    monkeypatch.setattr(rowjobs, "CHUNK_FORMS", 1)
    for jobs in (1, 2):
        made.clear()
        again = parts(write_recap_xlsx(recap, out / f"{jobs}.xlsx", jobs=jobs))
        assert made and set(made) == {1}, made  # one form's items at a time
        assert list(again) == list(whole)
        for name in whole:
            if name != "docProps/core.xml":
                assert again[name] == whole[name], (jobs, name)


@pytest.mark.parametrize("method", [None, "spawn"])
def test_a_workbook_failing_before_its_styles_ends_its_workers(setup, tmp_path,  # noqa: F811
                                                               monkeypatch, method):
    """The workers start before the sheets are written and wait for the cells' styles:
    a sheet failing before then ends them (the error raised is the sheet's) and leaves
    nothing behind."""
    from iki_xlsx.recap import xlsx

    ws, _ = setup
    monkeypatch.setattr(rowjobs, "PARALLEL_ROWS", 1)
    monkeypatch.setattr(rowjobs, "START_METHOD", method)

    def broken(*args):
        raise OSError("disk penuh")

    monkeypatch.setattr(xlsx, "sheet_summary", broken)
    out = tmp_path / "out"
    with pytest.raises(OSError, match="disk penuh"):
        write_recap_xlsx(_recap(ws, "TW II"), out / "rekap.xlsx", jobs=2)
    assert list(out.iterdir()) == []


def test_the_first_slices_sets_are_taken_by_the_others(setup, tmp_path, monkeypatch):  # noqa: F811
    """The first slice's worker leaves the lines of the indikator sets it measured in a
    file; another slice's worker takes them from there, measuring only the sets it does
    not find (the rows the same as measured alone); when the first slice failed (no
    file), each measures its own."""
    import threading
    from dataclasses import replace

    from iki_xlsx.core.texts import get_texts
    from iki_xlsx.recap.indicator_rows import Measured
    from iki_xlsx.recap.xlsx import indicator_plan

    ws, _ = setup
    recap = _recap(ws, "TW II")
    texts = get_texts()
    plan = indicator_plan(recap, texts)
    plan = replace(plan, styles=tuple(range(1, 1 + len(plan.widths))), number_styles=(7, 8, 9))
    first, rest = recap.forms[:3], recap.forms[3:]
    said = threading.Event()
    monkeypatch.setitem(rowjobs._styles, "shared", said)
    sets = str(tmp_path / "sets")

    def made(forms, share, name):
        items = rowjobs.LazyItems(forms, plan.periods)
        piece = rowjobs.make_slice(plan, items, 5, str(tmp_path / name), texts, share)
        with open(piece.path, "rb") as fh:
            return zlib.decompressobj(-15).decompress(fh.read())

    made(first, (sets, True), "0")
    assert said.is_set()
    own = dict(rowjobs.unpacked((tmp_path / "sets").read_bytes()))
    assert own == Measured(plan, texts, list(rowjobs.LazyItems(first, plan.periods))).own
    alone = made(rest, None, "1")
    assert made(rest, (sets, False), "2") == alone  # the same rows, measured or taken
    taken = [key for key in own if any(key == i[0][:7] for f in rowjobs.LazyItems(
        rest, plan.periods) for i in f[3])]
    assert taken  # the small master's sets repeat across its forms
    taller = {key: 9 for key in own}  # taken as they are: never measured again
    (tmp_path / "sets").write_bytes(rowjobs.packed(list(taller.items())))
    assert made(rest, (sets, False), "3").count(b'ht="') == alone.count(b'ht="')
    assert made(rest, (sets, False), "3") != alone

    (tmp_path / "sets").unlink()  # the first slice failed: nothing to take
    assert made(rest, (sets, False), "4") == alone


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                    reason="no fork on this platform")
@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_a_forked_first_slice_makes_its_items_from_the_forms_it_inherited(
        setup, tmp_path, monkeypatch, method):  # noqa: F811
    """Forked workers: the first slice's items are made by its worker from the forms it
    inherited (this process packs only the other slices'); spawned ones are given every
    slice's. The same workbook either way."""
    ws, _ = setup
    monkeypatch.setattr(rowjobs, "PARALLEL_ROWS", 1)
    monkeypatch.setattr(rowjobs, "START_METHOD", method)
    recap = _recap(ws, "TW II")
    out = tmp_path / "out"
    alone = parts(write_recap_xlsx(recap, out / "1.xlsx", jobs=1))
    made = []
    real = rowjobs.form_items

    def counted(forms, periods):
        made.extend(f.nip for f in forms)
        return real(forms, periods)

    monkeypatch.setattr(rowjobs, "form_items", counted)
    both = parts(write_recap_xlsx(recap, out / "2.xlsx", jobs=2))
    first = rowjobs._cut(recap.forms, 2, 2)[0]
    rest = [f.nip for f in recap.forms[first[1]:]]
    assert made == (rest if method == "fork" else [f.nip for f in recap.forms])
    assert {n: v for n, v in alone.items() if n != "docProps/core.xml"} == \
        {n: v for n, v in both.items() if n != "docProps/core.xml"}
    assert rowjobs._forked == {}  # nothing kept once the workbook is written
    assert sorted(p.name for p in out.iterdir()) == ["1.xlsx", "2.xlsx"]


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                    reason="no fork on this platform")
def test_a_first_slice_failing_before_its_sets_are_said_fails_at_once(
        setup, tmp_path, monkeypatch):  # noqa: F811
    """The first slice's worker failing before it has said its indikator sets (here: its
    items, made from the forms it inherited) still tells the other workers, which then
    measure their own: the error surfaces at once, not after they waited for the sets."""
    import time

    ws, _ = setup
    monkeypatch.setattr(rowjobs, "PARALLEL_ROWS", 1)
    monkeypatch.setattr(rowjobs, "START_METHOD", "fork")
    monkeypatch.setattr(rowjobs, "SHARED_WAIT", 70.0)
    recap = _recap(ws, "TW II")
    recap.forms[0].indicators[0].values = None  # a bug: the first slice's items fail
    out = tmp_path / "out"
    start = time.monotonic()
    with pytest.raises(AttributeError):
        write_recap_xlsx(recap, out / "rekap.xlsx", jobs=2)
    assert time.monotonic() - start < 60, time.monotonic() - start
    assert list(out.iterdir()) == []
