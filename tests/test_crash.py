"""Crash safety: collect killed (SIGKILL) at random points of a batch, again and again,
then run to completion, ends with exactly the ledger — and the recap — of one
uninterrupted run; no kill ever leaves a truncated report under its final name."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from corpus.batch import (
    check_consistent,
    make_batch,
    run_collect,
    sightings,
    snapshot,
    wait_for_sightings,
)

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")


def check_report(report: Path) -> None:
    if report.exists():  # the previous complete one, or none: never a truncated one
        with zipfile.ZipFile(report) as zf:
            assert zf.testzip() is None
            assert "xl/workbook.xml" in zf.namelist()


def wait_group_gone(pgid: int, timeout: float = 10.0) -> None:
    """Pool workers notice their parent is gone and end (no orphan left running)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.killpg(pgid, signal.SIGKILL)  # our own group: do not leak it into other tests
    raise AssertionError("collect's worker processes outlived it")


def test_killed_collect_resumes_to_the_same_ledger(tmp_path, small_master):
    ws, inbox = make_batch(tmp_path, small_master)
    ws.close()
    pristine = tmp_path / "ws-awal"
    shutil.copytree(ws.path, pristine)
    archive = zipfile.ZipFile(inbox / "arsip.zip")
    contents = [p.read_bytes() for p in inbox.glob("*.xlsx")] + [
        archive.read(n) for n in archive.namelist()]
    n_sources, n_distinct = len(contents), len(set(contents))

    clean = tmp_path / "ws-bersih"
    shutil.copytree(pristine, clean)
    start = time.monotonic()
    proc = run_collect(clean, inbox, tmp_path / "lap-bersih.xlsx", 2)
    _, err = proc.communicate(timeout=120)
    full = time.monotonic() - start
    assert proc.returncode == 1, err.decode()[-2000:]  # some files have problems
    expected = snapshot(clean)
    assert len(expected["sightings"]) == n_sources
    assert len(expected["files"]) == n_distinct  # copies are one file, seen twice

    broken = tmp_path / "ws-putus"
    shutil.copytree(pristine, broken)
    report = tmp_path / "lap.xlsx"
    rng = random.Random(20250105)
    # Kill points: after k files of the batch were recorded (k at random, growing: each
    # run resumes the previous one), once everything was recorded (report being
    # written), and at random times (start-up included).
    plan = [("files", k) for k in sorted(rng.sample(range(1, n_sources), 4))]
    plan += [("files", n_sources), ("time", rng.uniform(0.05, full)),
             ("time", rng.uniform(0.05, full))]
    partial: list[int] = []  # sightings recorded after each kill
    for attempt, (kind, at) in enumerate(plan):
        proc = run_collect(broken, inbox, report, 1 + attempt % 2)
        if kind == "time":
            time.sleep(at)
        else:
            wait_for_sightings(broken, at, proc)
            time.sleep(rng.uniform(0, 0.02))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
        wait_group_gone(proc.pid)
        check_consistent(broken)
        check_report(report)
        partial.append(sightings(broken))
    assert any(0 < n < n_sources for n in partial), partial  # killed mid-batch, for real
    proc = run_collect(broken, inbox, report, 2)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1 and b"Traceback" not in err, err.decode()[-2000:]
    check_report(report)
    assert snapshot(broken) == expected
    print("leftover temporary files:", sorted(p.name for p in tmp_path.glob(".lap*")))


WRITER = """
import sys
from pathlib import Path
from iki_xlsx.collect import collect
from iki_xlsx.workspace import Workspace
from iki_xlsx.collect.report import write_report_xlsx

ws = Workspace(sys.argv[1])
report = collect([Path(sys.argv[2])], ws, jobs=1)
recap = None
try:
    from iki_xlsx.recap.build import build_recap
    from iki_xlsx.recap.xlsx import write_recap_xlsx
    recap = build_recap(ws)
except ImportError:
    pass
print("siap", flush=True)
while True:  # until killed: the report and the recap, again and again
    write_report_xlsx(report, Path(sys.argv[3]) / "laporan.xlsx")
    if recap is not None:
        write_recap_xlsx(recap, Path(sys.argv[3]) / "rekap.xlsx")
"""


def test_outputs_are_never_truncated_under_their_name(tmp_path, small_master):
    """Killed while writing the collect report or the recap, again and again: the file
    under the final name is always a complete workbook (an older one)."""
    ws, inbox = make_batch(tmp_path, small_master)
    ws.close()
    out = tmp_path / "keluaran"
    out.mkdir()
    rng = random.Random(7)
    for _ in range(6):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(ws.path), str(inbox),
                                 str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout.readline().strip() == b"siap", proc.stderr.read().decode()[-2000:]
        time.sleep(rng.uniform(0.05, 0.6))
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
        for name in ("laporan.xlsx", "rekap.xlsx"):
            check_report(out / name)
    assert (out / "laporan.xlsx").is_file()
