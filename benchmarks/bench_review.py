"""Benchmark: the atasan's review workbooks (issue 26) for N pegawai under ~N/14 atasan.

    python benchmarks/bench_review.py              # N = 10,000 (≈ 715 atasan), 2 jobs
    python benchmarks/bench_review.py -n 2000 --jobs 1
    python benchmarks/bench_review.py --keep DIR   # keep (and reuse) the populated ledger

Setup (not timed): ``bench_recap``'s ledger — N issued forms × 25 indikator in 40
perangkat daerah × 5 unit kerja, unique NIPs, 90 % submitted (TW1–TW2), some older files,
rejected and noted ones — with an atasan hierarchy: every 14th pegawai is the pejabat
penilai of the 13 after them, and is assessed by the Bupati (an atasan without a NIP).

Timed, in a fresh process so that its peak memory is its own (the process's VmHWM):
``generate_reviews(ws, "TW2", out, jobs=…)`` — reading the year from the ledger, laying
out, signing and writing one workbook per atasan, recording them. Wall and CPU time
(this process and its workers) are reported; run it more than once on a shared machine.
Goal (2 cores): < 60 s for 10,000 pegawai.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_recap  # noqa: E402

from iki_xlsx.core.model import Master, Person  # noqa: E402
from iki_xlsx.workspace import Workspace  # noqa: E402

TEAM = 14  # a pejabat penilai and their 13 bawahan
_RECAP_MASTER = bench_recap.bench_master


def hierarchy_master(n: int) -> Master:
    """``bench_recap``'s master with an atasan hierarchy (see the module docstring)."""
    base = _RECAP_MASTER(n)
    bupati = Person("", "Bupati Sintetis", jabatan="Bupati")
    people = []
    for j, a in enumerate(base.assignments):
        leader = base.assignments[j - j % TEAM].pegawai
        if j % TEAM == 0:
            people.append(replace(a, atasan_nip="", atasan=bupati))
        else:
            people.append(replace(a, atasan_nip=leader.nip, atasan=None))
    return replace(base, assignments=people)


def run_reviews(ws_dir: str, out_dir: str, jobs: int) -> dict:
    """The timed part (its own process)."""
    from iki_xlsx.forms import generate_reviews

    ws = Workspace(ws_dir)
    wall, cpu = time.perf_counter(), time.process_time()
    run = generate_reviews(ws, "TW2", out_dir, jobs=jobs)
    wall = time.perf_counter() - wall
    own = time.process_time() - cpu
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    hwm = _vm_hwm_mb()
    size = sum(p.stat().st_size for p in Path(out_dir).glob("*.xlsx"))
    return {"workbooks": len(run.results), "bawahan": run.bawahan, "wall_s": wall,
            "cpu_s": own + children.ru_utime + children.ru_stime, "main_cpu_s": own,
            "peak_mb": hwm, "out_mb": size / 1e6}


def _vm_hwm_mb() -> float | None:
    """This process's own memory high-water mark (Linux), else None."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=10_000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--keep", help="folder for the populated workspace (reused when present)")
    ap.add_argument("--run", nargs=3, metavar=("WORKSPACE", "OUT", "JOBS"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.run:
        print(json.dumps(run_reviews(args.run[0], args.run[1], int(args.run[2]))))
        return
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="iki-bench-rev-"))
    try:
        base = root / f"ws-{args.n}"
        if not (base / "ledger.sqlite3").is_file():
            bench_recap.bench_master = hierarchy_master  # populate() builds this master
            ws = Workspace(base)
            bench_recap.populate(ws, args.n)
            ws.close()
        for r in range(args.rounds):
            ws_dir = root / f"round-{r}"  # a fresh copy per round: nothing issued before
            shutil.rmtree(ws_dir, ignore_errors=True)
            shutil.copytree(base, ws_dir)
            out = root / f"out-{r}"
            shutil.rmtree(out, ignore_errors=True)
            done = subprocess.run([sys.executable, __file__, "--run", str(ws_dir), str(out),
                                   str(args.jobs)], capture_output=True, text=True)
            if done.returncode != 0:
                sys.exit(done.stderr)
            got = json.loads(done.stdout.strip().splitlines()[-1])
            load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
            print(f"round {r + 1}: {got['workbooks']} review workbooks for {got['bawahan']} "
                  f"bawahan, --jobs {args.jobs}: wall {got['wall_s']:.1f} s "
                  f"(goal < 60 s), CPU {got['cpu_s']:.1f} s (main {got['main_cpu_s']:.1f}), "
                  f"peak {got['peak_mb'] or 0:.0f} MB (main process VmHWM), "
                  f"{got['out_mb']:.0f} MB written; load average {load:.2f}", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
