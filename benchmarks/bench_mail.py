"""Benchmark: collect N filled forms from one mbox (one message per form, base64
attachment as Thunderbird writes it) against collecting the same N files from a folder.

    python benchmarks/bench_mail.py              # N = 1000, 3 rounds
    python benchmarks/bench_mail.py -n 10000 --rounds 1 --jobs 2

Goal: mbox ≤ 1.5 × folder. Each round times the folder collect and the mbox collect
(each into a fresh copy of the workspace, in a process of its own: common.measure, wall
and CPU time with the workers', VmHWM) back to back; the ratio is taken per round, on
CPU time, and the median quoted, since timings on shared machines drift. Every round
collects into a workspace at a new path and checks afterwards that the bytes of every
file it collected are in the store (``berkas/<sha[:2]>/<sha>.<kind>``) and that every
file the ledger recorded has its bytes there; it stops with FAILED when one is missing,
or when a form is not accepted.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from bench_collect import fill_fast  # noqa: E402
from common import check_store as check_ledger_store  # noqa: E402
from common import describe_master, fmt, fresh_path, machine, measure, pace_line  # noqa: E402
from common import synthetic_master  # noqa: E402
from mailtools import thunderbird_reply  # noqa: E402

from iki_xlsx.collect import collect
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.workspace import Workspace


def run_collect(inputs: list[str], ws_dir: str, jobs: int) -> dict:
    """The measured work: one collect; what the store check needs comes back."""
    w = Workspace(ws_dir)
    report = collect([Path(p) for p in inputs], w, jobs=jobs)
    w.close()
    return {"diterima": report.count("diterima"), "mail": report.mail or {},
            "files": [(r.name, r.size, r.kind, r.sha256) for r in report.results]}


def timed(inputs: list[Path], ws_dir: Path, tmp: Path, label: str, jobs: int) -> dict:
    """Collect ``inputs`` into a copy of the workspace at a path never used before (a
    store rebuilt at the same path would hide files a process believes it made), then
    check that every file read is in the store."""
    fresh = fresh_path(tmp, label)
    shutil.copytree(ws_dir, fresh)
    r = measure(run_collect, [str(p) for p in inputs], str(fresh), jobs)
    check_store(fresh, r["out"]["files"])
    check_ledger_store(fresh)
    shutil.rmtree(fresh)  # its path is not used again
    return r


def check_store(ws_dir: Path, results: list[tuple]) -> None:
    """Every file collected has its bytes in ``<workspace>/berkas/<sha[:2]>/<sha>.<kind>``
    (and they hash to it): exit loudly otherwise."""
    missing = []
    for name, size, kind, sha256 in results:
        if not size:
            continue  # nothing was read (a message that could not be opened)
        suffix = f".{kind}" if kind in ("xlsx", "ods") else ""
        path = ws_dir / "berkas" / sha256[:2] / f"{sha256}{suffix}"
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
            missing.append(name)
    if missing:
        sys.exit(f"FAILED: {len(missing)} of {len(results)} files not in the store "
                 f"of {ws_dir}, e.g. {missing[:3]}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args()
    print(f"machine: {machine()}")
    print(pace_line("host pace before"), flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="iki-bench-mail-"))
    try:
        master = synthetic_master(args.n)
        print(f"master: {describe_master(master)}")
        ws = Workspace(tmp / "ws")
        result = generate_forms(master, tmp / "forms", ws)
        ws.close()
        inbox = tmp / "masuk"
        inbox.mkdir()
        box = tmp / "kotak-masuk.mbox"
        with open(box, "wb") as fh:
            for i, p in enumerate(result.forms):
                dst = inbox / f"balasan {i}.xlsx"
                fill_fast(p.path, dst, p.manifest, i)
                raw = thunderbird_reply(f"p{i}@contoh.go.id", [(dst.name, dst.read_bytes())],
                                        msgid=f"<bench{i}@contoh.go.id>")
                fh.write(b"From - Thu Apr  3 10:15:00 2025\n")
                fh.write(raw.replace(b"\r\n", b"\n"))
                fh.write(b"\n")
        n = len(result.forms)
        print(f"{n} forms; mbox {box.stat().st_size / 2**20:.1f} MB, "
              f"folder {sum(p.stat().st_size for p in inbox.iterdir()) / 2**20:.1f} MB")
        folder, mbox, ratios = [], [], []
        for i in range(args.rounds):
            f = timed([inbox], tmp / "ws", tmp, "ws-folder", args.jobs)
            m = timed([box], tmp / "ws", tmp, "ws-mbox", args.jobs)
            if f["out"]["diterima"] != n or m["out"]["diterima"] != n:
                sys.exit(f"FAILED: round {i + 1}: {f['out']['diterima']} (folder) and "
                         f"{m['out']['diterima']} (mbox) of {n} forms accepted")
            print(f"round {i + 1} folder: {fmt(f)}\nround {i + 1} mbox:   {fmt(m)}", flush=True)
            folder.append(f)
            mbox.append(m)
            ratios.append(m["cpu"] / f["cpu"])
        for label, runs in (("folder", folder), ("mbox", mbox)):
            wall = statistics.median(r["wall"] for r in runs)
            cpu = statistics.median(r["cpu"] for r in runs)
            print(f"{label}: {wall:.2f} s wall, {cpu:.2f} s CPU ({cpu / n * 1000:.2f} ms/file "
                  f"CPU; {runs[-1]['out']['diterima']} diterima"
                  f"{'; ' + str(runs[-1]['out']['mail']) if label == 'mbox' else ''})")
        print(f"ratio mbox / folder (CPU): {statistics.median(ratios):.2f} "
              f"(per round: {' '.join(f'{r:.2f}' for r in ratios)}; goal ≤ 1.5)")
        print(pace_line("host pace after"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
