"""Benchmark: collect N filled forms from one mbox (one message per form, base64
attachment as Thunderbird writes it) against collecting the same N files from a folder.

    python benchmarks/bench_mail.py              # N = 1000, 3 rounds
    python benchmarks/bench_mail.py -n 10000 --rounds 1 --jobs 2

Goal: mbox ≤ 1.5 × folder. Each round times the folder collect and the mbox collect
(each into a fresh copy of the workspace) back to back; the ratio is taken per round
and the median quoted, since timings on shared machines drift. With --jobs 1 CPU time
of this process is measured (all the work happens here), otherwise wall time. Every
round collects into a workspace at a new path and checks afterwards that the bytes of
every file it collected are in the store (``berkas/<sha[:2]>/<sha>.<kind>``); it stops
with FAILED when one is missing, or when a form is not accepted.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from bench_collect import fill_fast  # noqa: E402
from bench_generate import synthetic_master  # noqa: E402
from mailtools import thunderbird_reply  # noqa: E402

from iki_xlsx.collect import collect
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.workspace import Workspace


def timed(inputs: list[Path], ws_dir: Path, fresh: Path, jobs: int) -> tuple[float, int, dict]:
    """Collect ``inputs`` into a copy of the workspace at a path never used before (a
    store rebuilt at the same path would hide files a process believes it made), then
    check that every file read is in the store."""
    shutil.copytree(ws_dir, fresh)
    w = Workspace(fresh)
    clock = time.process_time if jobs == 1 else time.perf_counter
    start = clock()
    report = collect(inputs, w, jobs=jobs)
    seconds = clock() - start
    w.close()
    check_store(fresh, report)
    shutil.rmtree(fresh)  # its path is not used again
    return seconds, report.count("diterima"), report.mail or {}


def check_store(ws_dir: Path, report) -> None:
    """Every file collected has its bytes in ``<workspace>/berkas/<sha[:2]>/<sha>.<kind>``
    (and they hash to it): exit loudly otherwise."""
    missing = []
    for r in report.results:
        if not r.size:
            continue  # nothing was read (a message that could not be opened)
        suffix = f".{r.kind}" if r.kind in ("xlsx", "ods") else ""
        path = ws_dir / "berkas" / r.sha256[:2] / f"{r.sha256}{suffix}"
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != r.sha256:
            missing.append(r.name)
    if missing:
        sys.exit(f"FAILED: {len(missing)} of {len(report.results)} files not in the store "
                 f"of {ws_dir}, e.g. {missing[:3]}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="iki-bench-mail-"))
    try:
        master = synthetic_master(args.n)
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
        folder_s, mbox_s, ratios = [], [], []
        for i in range(args.rounds):
            f_sec, f_ok, _ = timed([inbox], tmp / "ws", tmp / f"ws-folder-{i}", args.jobs)
            m_sec, m_ok, stats = timed([box], tmp / "ws", tmp / f"ws-mbox-{i}", args.jobs)
            if f_ok != n or m_ok != n:
                sys.exit(f"FAILED: round {i + 1}: {f_ok} (folder) and {m_ok} (mbox) of {n} "
                         "forms accepted")
            folder_s.append(f_sec)
            mbox_s.append(m_sec)
            ratios.append(m_sec / f_sec)
        kind = "CPU" if args.jobs == 1 else "wall"
        print(f"folder: {statistics.median(folder_s):.2f} s {kind} "
              f"({statistics.median(folder_s) / n * 1000:.2f} ms/file; {f_ok} diterima)")
        print(f"mbox:   {statistics.median(mbox_s):.2f} s {kind} "
              f"({statistics.median(mbox_s) / n * 1000:.2f} ms/message; {m_ok} diterima; "
              f"{stats})")
        print(f"ratio mbox / folder: {statistics.median(ratios):.2f} "
              f"(per round: {' '.join(f'{r:.2f}' for r in ratios)}; goal ≤ 1.5)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
