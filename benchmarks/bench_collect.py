"""Benchmark: collect N filled forms (25 indicators each, common.synthetic_master).

    python benchmarks/bench_collect.py            # N = 500, 5 rounds
    python benchmarks/bench_collect.py -n 2000 --rounds 3

Prints, per round and as the median, collect with --jobs 1 and with all cores, and a
bare python-calamine read of every sheet of the same files (goal: collect --jobs 1 ≤ 3×
the bare read), and an openpyxl full load of 100 of them (goal: collect ≥ 10× faster).

Every measurement runs in a process of its own (common.measure: wall time, CPU time with
the workers', VmHWM). Timings on shared machines drift by tens of percent from minute to
minute, so each round times collect between two bare reads of the same files and the
ratio is taken per round, on CPU time; the median of those ratios is the figure to
quote. Each collect goes into a fresh copy of the workspace at a path no earlier round
used, and after it every recorded file's bytes must be in the store (checked by hash):
the benchmark fails loudly otherwise.
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
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    check_store,
    describe_master,
    fmt,
    fresh_path,
    machine,
    measure,
    pace_line,
    summary,
    synthetic_master,
)
from iki_xlsx.collect import collect  # noqa: E402
from iki_xlsx.forms.generate import generate_forms  # noqa: E402
from iki_xlsx.workspace import Workspace  # noqa: E402


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


def bare_calamine(files: list[str]) -> dict:
    """Open each file with python-calamine and read every sheet."""
    from python_calamine import CalamineWorkbook

    for f in files:
        wb = CalamineWorkbook.from_path(f)
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python()
    return {"files": len(files)}


def openpyxl_full(files: list[str]) -> dict:
    import openpyxl

    for f in files:
        wb = openpyxl.load_workbook(f)
        for ws in wb.worksheets:
            for _row in ws.iter_rows(values_only=True):
                pass
    return {"files": len(files)}


def run_collect(inbox: str, ws_dir: str, jobs: int) -> dict:

    ws = Workspace(ws_dir)
    report = collect([Path(inbox)], ws, jobs=jobs)
    ws.close()
    return {"files": len(report.results), "diterima": report.count("diterima")}


def timed_collect(tmp: Path, inbox: Path, jobs: int, n: int) -> dict:
    """One collect into a fresh copy of the generated workspace, at a path no earlier
    round used; every file's bytes must then be in the store."""
    copy = fresh_path(tmp, f"ws-j{jobs}")
    shutil.copytree(tmp / "ws", copy)
    r = measure(run_collect, str(inbox), str(copy), jobs)
    if r["out"]["diterima"] != n:
        raise SystemExit(f"FAILED: {r['out']['diterima']} of {n} files accepted")
    check_store(copy)
    shutil.rmtree(copy)
    return r


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()

    print(f"machine: {machine()}")
    print(pace_line("host pace before"), flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="iki-bench-collect-"))
    cores = os.cpu_count() or 1
    try:
        master = synthetic_master(args.n)
        print(f"master: {describe_master(master)}")
        ws = Workspace(tmp / "ws")
        result = generate_forms(master, tmp / "forms", ws)
        ws.close()
        inbox = tmp / "masuk"
        inbox.mkdir()
        files = []
        for i, p in enumerate(result.forms):
            dst = inbox / f"balasan {i}.xlsx"
            fill_fast(p.path, dst, p.manifest, i)
            files.append(str(dst))
        n = len(files)
        runs: dict[str, list[dict]] = {"collect --jobs 1": [], "bare calamine": []}
        if cores > 1:
            runs[f"collect --jobs {cores}"] = []
        ratios = []
        for i in range(args.rounds):
            before = measure(bare_calamine, files)
            ours = timed_collect(tmp, inbox, 1, n)
            after = measure(bare_calamine, files)
            bare = dict(before, cpu=(before["cpu"] + after["cpu"]) / 2,
                        wall=(before["wall"] + after["wall"]) / 2)
            runs["collect --jobs 1"].append(ours)
            runs["bare calamine"].append(bare)
            ratios.append(ours["cpu"] / bare["cpu"])
            print(f"round {i + 1} collect --jobs 1: {fmt(ours)}", flush=True)
            print(f"round {i + 1} bare calamine:    {fmt(bare)}", flush=True)
            if cores > 1:
                r = timed_collect(tmp, inbox, cores, n)
                runs[f"collect --jobs {cores}"].append(r)
                print(f"round {i + 1} collect --jobs {cores}: {fmt(r)}", flush=True)
        opx = measure(openpyxl_full, files[: min(n, 100)])
        print(f"\n{n} files, {args.rounds} round(s); medians, each round in brackets:")
        for name, rs in runs.items():
            print(summary(f"  {name:18}", rs, per=n, unit="file"))
        per_file = statistics.median(r["cpu"] for r in runs["collect --jobs 1"]) / n
        opx_file = opx["cpu"] / min(n, 100)
        print(f"  openpyxl full load: {opx_file * 1000:.2f} ms/file CPU")
        print(f"  ratio collect --jobs 1 / bare calamine (CPU): {statistics.median(ratios):.2f} "
              f"(per round: {' '.join(f'{r:.2f}' for r in ratios)}; goal ≤ 3)")
        print(f"  openpyxl / collect --jobs 1 (CPU): {opx_file / per_file:.1f}× (goal ≥ 10×)")
        print(pace_line("host pace after"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
