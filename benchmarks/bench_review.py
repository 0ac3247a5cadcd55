"""Benchmark: the atasan's review workbooks (issue 26) for N pegawai under ~N/14 atasan.

    python benchmarks/bench_review.py              # N = 10,000 (690 atasan), 2 jobs
    python benchmarks/bench_review.py -n 2000 --jobs 1
    python benchmarks/bench_review.py --keep DIR   # keep (and reuse) the populated ledger

Setup (not timed): ``bench_recap``'s ledger — N issued forms × 25 indikator of
common.synthetic_master (unique NIPs, 24 perangkat daerah × 5 unit kerja, its atasan
hierarchy: the eselon of each unit assess its other pegawai, 690 atasan for 10,000), 90 %
submitted (TW1–TW2), some older files, rejected and noted ones.

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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_recap  # noqa: E402
from common import fresh_path  # noqa: E402

from iki_xlsx.workspace import Workspace  # noqa: E402


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
            ws = Workspace(base)
            bench_recap.populate(ws, args.n)
            ws.close()
        for r in range(args.rounds):
            ws_dir = fresh_path(root, "round")  # a fresh copy per round, at a new path
            shutil.copytree(base, ws_dir)
            out = fresh_path(root, "out")
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
