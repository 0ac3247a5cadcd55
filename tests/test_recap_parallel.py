"""A recap built on several cores (recap/parallel.py) is the recap built in one process:
the small master's recap with ``jobs=1`` and with ``jobs=2`` (the forms-count threshold
lowered so that it goes parallel) is equal field by field — every number of the same type
and repr — and writes the same workbook and HTML, byte for byte (the time aside); under
``spawn`` (how Windows starts processes) too. A worker's error surfaces as the error it
is, a worker that dies as a clear error, never as a partial recap."""

from __future__ import annotations

import dataclasses
import math
import multiprocessing
import os
import zipfile
from datetime import datetime

import pytest
from test_recap import setup  # noqa: F401  (the fixture)

from iki_xlsx.recap import figures, parallel
from iki_xlsx.recap.build import build_recap
from iki_xlsx.recap.html import write_recap_html
from iki_xlsx.recap.xlsx import write_recap_xlsx

pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")
needs_fork = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                reason="the worker is broken by patching this process, "
                                       "which only a forked worker inherits")


def differences(a, b, path="recap") -> list[str]:
    """Where ``a`` and ``b`` differ: dataclasses field by field, containers item by item
    (dict keys in order), everything else by type and repr."""
    if type(a) is not type(b):
        return [f"{path}: {type(a).__name__} != {type(b).__name__}"]
    if dataclasses.is_dataclass(a):
        return [d for f in dataclasses.fields(a)
                for d in differences(getattr(a, f.name), getattr(b, f.name),
                                     f"{path}.{f.name}")]
    if isinstance(a, dict):
        if list(a) != list(b):
            return [f"{path}: keys {list(a)} != {list(b)}"]
        return [d for k in a for d in differences(a[k], b[k], f"{path}[{k!r}]")]
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items != {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y,
                                                                            f"{path}[{i}]")]
    if isinstance(a, (set, frozenset)):
        return [] if a == b else [f"{path}: {a} != {b}"]
    same = a == b or (isinstance(a, float) and math.isnan(a))  # NaN: by its repr
    return [] if repr(a) == repr(b) and same else [f"{path}: {a!r} != {b!r}"]


def parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


@pytest.fixture
def workers(monkeypatch):
    """Every recap goes parallel; the worker processes started are listed (their kind)."""
    started = []
    real = parallel._Worker.__init__

    def counting(self, *args, **kwargs):
        real(self, *args, **kwargs)
        started.append(type(self.process).__name__)  # ForkProcess, SpawnProcess …

    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)
    monkeypatch.setattr(parallel._Worker, "__init__", counting)
    return started


def _same_recap(ws, tmp_path, upto):
    one = build_recap(ws, upto=upto, jobs=1)
    two = build_recap(ws, upto=upto, jobs=2)
    two.generated_at = one.generated_at = datetime(2026, 12, 7, 8, 0)
    assert differences(one, two) == []
    for recap, name in ((one, "satu"), (two, "dua")):
        write_recap_xlsx(recap, tmp_path / f"{name}-{upto}.xlsx")
        write_recap_html(recap, tmp_path / f"{name}-{upto}.html")
    assert parts(tmp_path / f"satu-{upto}.xlsx") == parts(tmp_path / f"dua-{upto}.xlsx")
    assert (tmp_path / f"satu-{upto}.html").read_bytes() == \
        (tmp_path / f"dua-{upto}.html").read_bytes()
    return one


@pytest.mark.parametrize("upto", [None, "TW I", "TW II", "S1", "TW4"])
def test_two_processes_build_the_recap_one_builds(setup, tmp_path, workers, upto):  # noqa: F811
    ws, _ = setup
    recap = _same_recap(ws, tmp_path, upto)
    assert len(workers) == 1  # jobs=1 started none; jobs=2 one
    assert len(recap.forms) >= 5 and recap.files  # forms of every kind, files in Masalah


def test_spawned_workers_build_the_same_recap(setup, tmp_path, workers, monkeypatch):  # noqa: F811
    """Windows has no fork: a spawned worker imports everything afresh."""
    monkeypatch.setattr(parallel, "START_METHOD", "spawn")
    ws, _ = setup
    _same_recap(ws, tmp_path, "TW II")
    assert workers == ["SpawnProcess"]


def test_a_workspace_in_a_folder_named_with_uri_characters(setup, tmp_path, workers):  # noqa: F811
    """A worker opens the ledger read-only by a URI: a folder named with "#", "%", "?" or
    spaces (allowed on Windows but "?") is still the folder."""
    import shutil

    from iki_xlsx.workspace import Workspace

    ws, _ = setup
    odd = tmp_path / ("Rekap #2 100%20 OPD" + ("" if os.name == "nt" else "?")) / "ws"
    shutil.copytree(ws.path, odd)
    moved = Workspace(odd)
    one, two = build_recap(moved, upto="TW II", jobs=1), build_recap(moved, upto="TW II",
                                                                        jobs=2)
    two.generated_at = one.generated_at
    assert differences(one, two) == [] and len(workers) == 1


def test_small_recaps_and_one_job_stay_in_this_process(setup, workers, monkeypatch):  # noqa: F811
    ws, _ = setup
    build_recap(ws, jobs=1)
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 2000)
    build_recap(ws)
    assert workers == []
    assert parallel.helpers_for(2000, None) == max(1, os.cpu_count() or 1) - 1
    assert parallel.helpers_for(10_000, 3) == 2


def _in_worker(action):
    """recap_form doing ``action`` in a worker process only (forked: it inherits this)."""
    real = figures.recap_form

    def patched(*args, **kwargs):
        if multiprocessing.parent_process() is not None:
            action()
        return real(*args, **kwargs)

    return patched


@needs_fork
def test_an_error_in_a_worker_is_raised_as_it_was(setup, workers, monkeypatch):  # noqa: F811
    def fail():
        raise ValueError("Galat di proses pembantu")

    monkeypatch.setattr(parallel, "START_METHOD", "fork")
    monkeypatch.setattr(figures, "recap_form", _in_worker(fail))
    ws, _ = setup
    with pytest.raises(ValueError, match="Galat di proses pembantu"):
        build_recap(ws, jobs=2)
    assert len(workers) == 1


@needs_fork
def test_a_worker_that_dies_stops_the_recap(setup, workers, monkeypatch):  # noqa: F811
    monkeypatch.setattr(parallel, "START_METHOD", "fork")
    monkeypatch.setattr(figures, "recap_form", _in_worker(lambda: os._exit(3)))
    ws, _ = setup
    with pytest.raises(parallel.RecapWorkerError, match="kode keluar 3"):
        build_recap(ws, jobs=2)


def _recap_cli(ws, tmp_path, *args: str):
    from typer.testing import CliRunner

    from iki_xlsx.cli import app

    return CliRunner().invoke(app, ["recap", "--workspace", str(ws.path), "-o",
                                    str(tmp_path / "rekap.xlsx"), *args])


def test_rekap_jobs_option(setup, tmp_path, workers):  # noqa: F811
    """``iki-xlsx recap --jobs 1`` builds in this process; ``--jobs 2`` with a worker."""
    ws, _ = setup
    assert _recap_cli(ws, tmp_path, "--jobs", "1").exit_code == 0
    assert workers == []
    r = _recap_cli(ws, tmp_path, "--jobs", "2", "--periode", "TW2")
    assert r.exit_code == 0, r.output
    assert len(workers) == 1 and (tmp_path / "rekap.xlsx").is_file()


@needs_fork
def test_rekap_says_a_worker_died_in_indonesian(setup, tmp_path, workers,  # noqa: F811
                                                monkeypatch):
    monkeypatch.setattr(parallel, "START_METHOD", "fork")
    monkeypatch.setattr(figures, "recap_form", _in_worker(lambda: os._exit(3)))
    ws, _ = setup
    r = _recap_cli(ws, tmp_path, "--jobs", "2")
    assert r.exit_code == 2
    assert "Proses pembantu rekap berhenti tiba-tiba (kode keluar 3)" in r.output
    assert "--jobs 1" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "rekap.xlsx").exists()
