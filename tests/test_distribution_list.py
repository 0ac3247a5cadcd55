"""The distribution list is written while the forms are (forms/distribution.py,
DistributionList, on a thread fed as each form is done): a run that fails leaves no list
and no temporary file, and a list that cannot be written fails the run with its own
error, never silently."""

from __future__ import annotations

import pytest

from iki_xlsx.forms import distribution, generate
from iki_xlsx.forms.distribution import DISTRIBUTION_FILE
from iki_xlsx.workspace import Workspace


def test_a_run_that_fails_before_its_end_leaves_no_distribution_list(small_master, tmp_path,
                                                                   monkeypatch):
    from iki_xlsx.forms import generate_year

    def fail(*args, **kwargs):  # every form written and handed to the list by then
        raise OSError("disk full")

    monkeypatch.setattr(generate_year, "record_year", fail)
    out = tmp_path / "formulir"
    ws = Workspace(tmp_path / "ws")
    with pytest.raises(OSError, match="disk full"):
        generate.generate_forms(small_master, out, ws, jobs=1)
    ws.close()
    assert len(list(out.rglob("*.xlsx"))) == len(small_master.forms())  # the forms only
    assert not (out / DISTRIBUTION_FILE).exists()
    assert not list(out.glob(".*.tmp*"))  # the list's temporary file removed too


def test_a_list_that_cannot_be_written_fails_the_run(small_master, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise PermissionError("daftar-distribusi.xlsx is open in Excel")

    monkeypatch.setattr(distribution, "list_sheet", broken)
    out = tmp_path / "formulir"
    ws = Workspace(tmp_path / "ws")
    with pytest.raises(PermissionError, match="open in Excel"):
        generate.generate_forms(small_master, out, ws, jobs=1)
    ws.close()
    assert not (out / DISTRIBUTION_FILE).exists()
    assert not list(out.glob(".*.tmp*"))


def test_the_list_holds_every_form_in_order_and_the_withdrawn_after(small_master,
                                                                    tmp_path):
    import openpyxl

    ws = Workspace(tmp_path / "ws")
    generate.generate_forms(small_master, tmp_path / "a", ws, jobs=1)
    fewer = small_master.__class__(**{**small_master.__dict__,
                                      "assignments": small_master.assignments[1:]})
    result = generate.generate_forms(fewer, tmp_path / "b", ws, jobs=1)
    ws.close()
    sheet = openpyxl.load_workbook(result.distribution).active
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=4) if r[0].value]
    assert [r[0] for r in rows] == list(range(1, len(result.forms) + 2))
    assert [r[8] for r in rows[:-1]] == [p.form_id for p in result.forms]
    assert rows[-1][8] == result.withdrawn[0].form_id and len(result.withdrawn) == 1


def test_every_worker_starts_before_the_lists_thread(tmp_path, monkeypatch):
    """A worker forked while the list's thread runs inherits whatever lock that thread
    holds (an import's) and can wait for it for ever: `generate` of the bundled example
    hung so in CI. Every worker is started while this process runs no thread of ours —
    forked while only the main thread runs, or spawned."""
    import threading
    from pathlib import Path
    from multiprocessing.process import BaseProcess

    from iki_xlsx.define import load_master

    started = []
    real = BaseProcess.start

    def start(self):
        started.append((type(self).__name__, sorted(t.name for t in threading.enumerate())))
        real(self)

    monkeypatch.setattr(BaseProcess, "start", start)
    example = Path(__file__).resolve().parent.parent / "examples" / "master-bkpsdm-kukar.xlsx"
    master = load_master(example).master
    assert len(master.forms()) >= 16  # enough for worker processes
    ws = Workspace(tmp_path / "ws")
    generate.generate_forms(master, tmp_path / "formulir", ws, jobs=2)
    ws.close()
    assert started, "no worker process was started"
    for kind, threads in started:
        assert "daftar-distribusi" not in threads
        assert kind == "SpawnProcess" or threads == ["MainThread"], (kind, threads)
    assert (tmp_path / "formulir" / DISTRIBUTION_FILE).exists()
