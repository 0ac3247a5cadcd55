"""Benchmark: collect N filled forms (25 indicators each).

    python benchmarks/bench_collect.py            # N = 500
    python benchmarks/bench_collect.py -n 2000

Prints ms per file for collect (one process and all cores), the ratio to a bare
python-calamine read of the same files (goal ≤ 3×), and to an openpyxl full load
(goal: collect ≥ 10× faster).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_generate import synthetic_master  # noqa: E402

from iki_xlsx.collect import collect  # noqa: E402
from iki_xlsx.generate import generate_forms  # noqa: E402
from iki_xlsx.ledger import Workspace  # noqa: E402


def fill_fast(src: Path, dst: Path, manifest: dict, seed: int) -> None:
    """Type realisasi into the input cells by editing the sheet XML (as a client would
    save them), far faster than a spreadsheet library for thousands of files."""
    refs = {}
    for i, ind in enumerate(manifest["indicators"]):
        for j, ref in enumerate(ind["cells"]["realisasi"].values()):
            if j < 2:
                refs[ref] = "Ya" if ind["polaritas"] == "ya/tidak" else str((seed + i) % 97)
    with zipfile.ZipFile(src) as zin:
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
                zout.writestr(item, data)
    dst.write_bytes(buf.getvalue())


def bare_calamine(files: list[Path]) -> float:
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    for f in files:
        wb = CalamineWorkbook.from_path(str(f))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python()
    return time.perf_counter() - start


def openpyxl_full(files: list[Path]) -> float:
    import openpyxl

    start = time.perf_counter()
    for f in files:
        wb = openpyxl.load_workbook(f)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                pass
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=500)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="iki-bench-collect-"))
    cores = os.cpu_count() or 1
    try:
        master = synthetic_master(args.n)
        ws = Workspace(tmp / "ws")
        result = generate_forms(master, tmp / "forms", ws)
        inbox = tmp / "masuk"
        inbox.mkdir()
        files = []
        for i, p in enumerate(result.forms):
            dst = inbox / f"balasan {i}.xlsx"
            fill_fast(p.path, dst, p.manifest, i)
            files.append(dst)
        timings = {}
        for jobs in sorted({1, cores}):
            shutil.copytree(tmp / "ws", tmp / f"ws{jobs}")
            w = Workspace(tmp / f"ws{jobs}")
            start = time.perf_counter()
            report = collect([inbox], w, jobs=jobs)
            timings[jobs] = time.perf_counter() - start
            ok = report.count("diterima")
            print(f"iki-xlsx collect --jobs {jobs}: {len(files)} files in {timings[jobs]:.2f} s"
                  f" = {timings[jobs] / len(files) * 1000:.2f} ms/file ({ok} diterima)")
        bare = bare_calamine(files)
        print(f"bare calamine read: {bare / len(files) * 1000:.2f} ms/file")
        sample = files[: min(len(files), 100)]
        opx = openpyxl_full(sample) / len(sample)
        print(f"openpyxl full load: {opx * 1000:.2f} ms/file")
        per_file = timings[1] / len(files)
        print(f"ratio collect --jobs 1 / bare calamine: {per_file / (bare / len(files)):.2f}"
              f"  (goal ≤ 3)")
        print(f"openpyxl / collect --jobs 1: {opx / per_file:.1f}× (goal ≥ 10×)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
