"""Benchmark: collect N filled forms (25 indicators each).

    python benchmarks/bench_collect.py            # N = 500, 5 rounds
    python benchmarks/bench_collect.py -n 2000 --rounds 3

Prints ms per file for collect (one process, and all cores), the ratio to a bare
python-calamine read of the same files (goal ≤ 3×), and to an openpyxl full load
(goal: collect ≥ 10× faster).

Timings on shared machines drift by tens of percent from minute to minute, so each
round times collect (into a fresh copy of the workspace, at a path of its own: a round
never meets what an earlier round left in this process) between two bare calamine
reads of the same files, and the ratio is taken per round: the median of those ratios
is the figure to quote. After each round every recorded file's bytes must be in the
workspace's store; the benchmark fails loudly otherwise. CPU time of this process is
measured (the --jobs run uses wall time, since its work happens in other processes).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_generate import synthetic_master  # noqa: E402

from iki_xlsx.collect import collect
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.workspace import Workspace


def typed(src: bytes, refs: dict[str, str], saved: str | None = None) -> bytes:
    """The workbook ``src`` with ``refs`` (cell → text) typed into its form sheet, and its
    saved time set to ``saved``, by editing the XML as a client would save it: far faster
    than a spreadsheet library for thousands of files."""
    with zipfile.ZipFile(io.BytesIO(src)) as zin:
        sheet = zin.read("xl/worksheets/sheet1.xml").decode()

        def put(m):
            ref, attrs = m[1], m[2]
            value = refs.get(ref)
            if value is None:
                return m[0]
            if value == "Ya":
                return f'<c r="{ref}"{attrs} t="inlineStr"><is><t>Ya</t></is></c>'
            return f'<c r="{ref}"{attrs}><v>{value}</v></c>'

        sheet = re.sub(r'<c r="([A-Z]+\d+)"([^>]*?)/>', put, sheet)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
            for item in zin.infolist():
                data = zin.read(item.filename)
                if item.filename == "xl/worksheets/sheet1.xml":
                    data = sheet.encode()
                elif saved and item.filename == "docProps/core.xml":
                    data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)",
                                  rb"\g<1>" + saved.encode() + rb"\g<2>", data)
                zout.writestr(item, data)
    return buf.getvalue()


def fill_fast(src: Path, dst: Path, manifest: dict, seed: int) -> None:
    """Type realisasi for the first two periods into the input cells."""
    refs = {}
    for i, ind in enumerate(manifest["indicators"]):
        for j, ref in enumerate(ind["cells"]["realisasi"].values()):
            if j < 2:
                refs[ref] = "Ya" if ind["polaritas"] == "ya/tidak" else str((seed + i) % 97)
    dst.write_bytes(typed(src.read_bytes(), refs))


def bare_calamine(files: list[Path]) -> float:
    """CPU seconds to open each file with python-calamine and read every sheet."""
    from python_calamine import CalamineWorkbook

    start = time.process_time()
    for f in files:
        wb = CalamineWorkbook.from_path(str(f))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python()
    return time.process_time() - start


def openpyxl_full(files: list[Path]) -> float:
    import openpyxl

    start = time.process_time()
    for f in files:
        wb = openpyxl.load_workbook(f)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                pass
    return time.process_time() - start


def timed_collect(inbox: Path, ws_dir: Path, copy: Path, jobs: int) -> tuple[float, int]:
    """(seconds, files accepted) of one collect into a fresh copy of the workspace at
    ``copy`` (a path no earlier round used); every file's bytes must then be stored."""
    shutil.copytree(ws_dir, copy)
    w = Workspace(copy)
    clock = time.process_time if jobs == 1 else time.perf_counter
    start = clock()
    report = collect([inbox], w, jobs=jobs)
    seconds = clock() - start
    check_stored(w)
    w.close()
    shutil.rmtree(copy, ignore_errors=True)
    return seconds, report.count("diterima")


def check_stored(ws: Workspace) -> None:
    """Stop the benchmark when a recorded file's bytes are not in the store: a round
    that did not keep them measured less work than a real collect does."""
    files = ws.files.all(light=True)
    missing = [f.sha256 for f in files if ws.store.kept(f.sha256, f.kind) is None]
    if missing or not files:
        raise SystemExit(f"{ws.path}: {len(missing)} of {len(files)} recorded files have no "
                         "bytes in the store")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="iki-bench-collect-"))
    cores = os.cpu_count() or 1
    try:
        master = synthetic_master(args.n)
        ws = Workspace(tmp / "ws")
        result = generate_forms(master, tmp / "forms", ws)
        ws.close()
        inbox = tmp / "masuk"
        inbox.mkdir()
        files = []
        for i, p in enumerate(result.forms):
            dst = inbox / f"balasan {i}.xlsx"
            fill_fast(p.path, dst, p.manifest, i)
            files.append(dst)
        n = len(files)
        ours, bares, ratios = [], [], []
        for i in range(args.rounds):
            before = bare_calamine(files)
            seconds, ok = timed_collect(inbox, tmp / "ws", tmp / f"ws-run-{i}", 1)
            after = bare_calamine(files)
            bare = (before + after) / 2
            ours.append(seconds / n)
            bares.append(bare / n)
            ratios.append(seconds / bare)
        per_file, bare = statistics.median(ours), statistics.median(bares)
        print(f"iki-xlsx collect --jobs 1: {per_file * 1000:.2f} ms/file "
              f"(median of {args.rounds} rounds; {ok} of {n} diterima)")
        if cores > 1:
            seconds, ok = timed_collect(inbox, tmp / "ws", tmp / "ws-run-jobs", cores)
            print(f"iki-xlsx collect --jobs {cores}: {n} files in {seconds:.2f} s wall = "
                  f"{seconds / n * 1000:.2f} ms/file")
        print(f"bare calamine read (every sheet): {bare * 1000:.2f} ms/file")
        sample = files[: min(n, 100)]
        opx = openpyxl_full(sample) / len(sample)
        print(f"openpyxl full load: {opx * 1000:.2f} ms/file")
        print(f"ratio collect --jobs 1 / bare calamine: {statistics.median(ratios):.2f} "
              f"(per round: {' '.join(f'{r:.2f}' for r in ratios)}; goal ≤ 3)")
        print(f"openpyxl / collect --jobs 1: {opx / per_file:.1f}× (goal ≥ 10×)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
