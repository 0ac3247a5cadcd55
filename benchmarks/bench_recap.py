"""Benchmark: recap of N pegawai × 25 indikator from a populated ledger.

    python benchmarks/bench_recap.py              # N = 10,000, 3 rounds
    python benchmarks/bench_recap.py -n 2000
    python benchmarks/bench_recap.py --keep DIR   # keep (and reuse) the populated ledger

Setup (not timed): the ledger gets real issued-form rows (layout, locked cells, signed
manifest, as ``generate`` records them, but without writing workbooks; built on all
cores) for common.synthetic_master (unique NIPs, 24 perangkat daerah × 5 unit kerja,
~700 atasan), and submissions recorded with ``Workspace.files.record``: 90 % of the forms
submitted (TW1–TW2 filled, some blanks, some keterangan), 5 % with a second, older file,
2 % rejected, 3 % with warnings. No file is collected here, so no bytes are stored: the
recap never reads them (bench_year.py measures collect + recap end to end, with the
store checked). Each round's copy first gets the values collect keeps beside its files
(issue 25: each form's values, kept), not timed.

Timed, each round on a copy of that ledger at a path no round used before, in a process
of its own (common.measure: wall and CPU time, peak memory = its VmHWM):
``build_recap``, ``write_recap_xlsx`` and ``write_recap_html``. Goals: recap (build +
workbook) < 15 s, peak < 500 MB.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import describe_master, fmt, fresh_path, machine, measure  # noqa: E402
from common import pace_line, synthetic_master, vm_hwm_mb  # noqa: E402

from iki_xlsx.core.model import Polarity  # noqa: E402
from iki_xlsx.core.texts import get_texts  # noqa: E402
from iki_xlsx.forms import issued_row  # noqa: E402
from iki_xlsx.forms import layout as L  # noqa: E402
from iki_xlsx.forms.manifest import build_manifest, content_hash, sign  # noqa: E402
from iki_xlsx.recap.build import build_recap  # noqa: E402
from iki_xlsx.recap.html import write_recap_html  # noqa: E402
from iki_xlsx.recap.xlsx import write_recap_xlsx  # noqa: E402
from iki_xlsx.workspace import FileEntry, Workspace  # noqa: E402

PERIODS = ("TW1", "TW2", "TW3", "TW4")


def _row(args):
    form, form_id, key, key_id = args
    texts = get_texts()
    lay = L.build_layout(form, texts)
    locked = lay.locked_values()
    manifest = sign(build_manifest(form, lay, form_id=form_id, revision=1, key_id=key_id,
                                   locked_hash=content_hash(locked)), key)
    return issued_row(form, form_id, 1, manifest, locked,
                      f"{form.pegawai.perangkat_daerah}/{form.pegawai.nip}.xlsx")


def _value(ind, rnd: random.Random):
    p = Polarity(ind.polaritas)
    if p is Polarity.YA_TIDAK:
        return rnd.choice(("Ya", "Ya", "Ya", "Tidak"))
    if p is Polarity.MINIMAL:
        return float(rnd.randint(0, 3))
    return round(rnd.uniform(40, 110), 2)


def populate(ws: Workspace, n: int, seed: int = 7) -> None:
    master = synthetic_master(n)
    print(f"master: {describe_master(master)}")
    forms = master.forms()
    key, key_id = ws.key, ws.key_id
    jobs = [(f, ws.form_id(f.settings.tahun, f.pegawai.nip, f.iki.kode), key, key_id)
            for f in forms]
    start = time.perf_counter()
    rows = []
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for row in pool.map(_row, jobs, chunksize=64):
            rows.append(row)
            if len(rows) % 1000 == 0:
                ws.issued.record(rows)
                rows.clear()
    ws.issued.record(rows)
    print(f"setup: {n} issued forms in {time.perf_counter() - start:.1f} s", flush=True)

    start = time.perf_counter()
    rnd = random.Random(seed)
    recorded = 0
    for f, form_id, _, _ in jobs:
        roll = rnd.random()
        if roll >= 0.90:
            continue  # not submitted
        realisasi = {}
        for i, ind in enumerate(f.iki.indicators):
            values = {p: None for p in PERIODS}
            for p in PERIODS[:2]:
                if rnd.random() < 0.92:
                    values[p] = _value(ind, rnd)
            keterangan = (f"Bukti dukung: laporan {i + 1} ({f.pegawai.nama})"
                          if rnd.random() < 0.3 else None)
            realisasi[f"{i + 1:02d}"] = {"realisasi": values, "keterangan": keterangan}
        status, problems = "diterima", []
        if roll < 0.03:
            status = "diterima_catatan"
            problems = [{"code": "realisasi_tidak_wajar", "params": {}, "file": "x.xlsx",
                         "sheet": "IKI", "cell": "L15", "row": None, "column": "REALISASI",
                         "indicator": f.iki.indicators[0].indikator, "severity": "warning",
                         "message": "Realisasi jauh di atas target.", "advice": "Periksa."}]
        elif roll < 0.05:
            status = "ditolak"
            problems = [{"code": "sel_terkunci_diubah", "params": {}, "file": "x.xlsx",
                         "sheet": "IKI", "cell": "C12", "row": None, "column": "",
                         "indicator": "", "severity": "error",
                         "message": "Sel terkunci C12 diubah.", "advice": ""}]
        files = [(realisasi, status, problems)]
        if 0.05 <= roll < 0.10:  # an older file of the same form: TW1 only
            older = {k: {"realisasi": {**v["realisasi"], "TW2": None},
                         "keterangan": v["keterangan"]} for k, v in realisasi.items()}
            files.append((older, "diterima", []))
        for real, st, probs in files:
            filled = sum(v is not None for e in real.values() for v in e["realisasi"].values())
            last = max((i for e in real.values() for i, p in enumerate(PERIODS)
                        if e["realisasi"][p] is not None), default=-1)
            sha = hashlib.sha256(json.dumps([form_id, real, st]).encode()).hexdigest()
            entry = FileEntry(sha, 60_000, "xlsx", st, probs, form_id, 1, f.pegawai.nip,
                              f.settings.tahun, real, filled, last)
            ws.files.record([(entry, f"kiriman/{f.pegawai.perangkat_daerah}.zip",
                              f"{f.pegawai.nip}_{f.pegawai.nama}.xlsx")], "bench")
            recorded += 1
    print(f"setup: {recorded} files recorded in {time.perf_counter() - start:.1f} s",
          flush=True)


def keep_values(ws_dir: Path) -> None:
    """What collect leaves beside the files it records (not timed): each form's values
    kept (issue 25; a version of iki-xlsx without them keeps nothing)."""
    ws = Workspace(ws_dir)
    try:
        if not hasattr(ws, "kept"):
            return
        from iki_xlsx.core.timeline import load_years

        forms = ws.issued.forms()
        for start in range(0, len(forms), 500):
            load_years(ws, None, forms[start:start + 500], keep=True)
    finally:
        ws.close()


def _children_cpu() -> float:
    """CPU seconds of the worker processes this one has waited for (the build's)."""
    t = os.times()
    return t.children_user + t.children_system


def run_recap(ws_dir: str, out_dir: str) -> dict:
    """The measured work: the recap built and written (workbook, then HTML)."""
    ws = Workspace(ws_dir)
    out = Path(out_dir)
    t0, c0 = time.perf_counter(), time.process_time() + _children_cpu()
    recap = build_recap(ws)  # the default period (the latest with realisasi): TW2 here
    t1, c1 = time.perf_counter(), time.process_time() + _children_cpu()
    xlsx = write_recap_xlsx(recap, out / "rekap-TW2.xlsx")
    t2, c2 = time.perf_counter(), time.process_time() + _children_cpu()
    peak_xlsx = vm_hwm_mb()  # this process's high-water mark before the HTML
    html = write_recap_html(recap, out / "rekap-TW2.html")
    t3 = time.perf_counter()
    return {"forms": len(recap.forms), "indicator_rows": sum(f.total for f in recap.forms),
            "submitted": recap.total.submitted, "problem_files": len(recap.files),
            "peak_build_xlsx_mb": peak_xlsx, "build_s": t1 - t0, "xlsx_s": t2 - t1,
            "html_s": t3 - t2, "build_cpu_s": c1 - c0, "xlsx_cpu_s": c2 - c1,
            "xlsx_mb": xlsx.stat().st_size / 1e6, "html_mb": html.stat().st_size / 1e6}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--keep", help="folder for the populated workspace (reused when present)")
    args = ap.parse_args()
    print(f"machine: {machine()}")
    print(pace_line("host pace before"), flush=True)
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="iki-bench-recap-"))
    try:
        ws_dir = root / f"ws-{args.n}"
        if not (ws_dir / "ledger.sqlite3").is_file():
            ws = Workspace(ws_dir)
            populate(ws, args.n)
            ws.close()
        runs = []
        for i in range(args.rounds):
            copy, out = fresh_path(root, "ws-round"), fresh_path(root, "out")
            shutil.copytree(ws_dir, copy)
            keep_values(copy)
            out.mkdir()
            r = measure(run_recap, str(copy), str(out))
            o = r["out"]
            runs.append(r)
            print(f"round {i + 1}: build {o['build_s']:.2f} s + workbook {o['xlsx_s']:.2f} s "
                  f"+ html {o['html_s']:.2f} s; {fmt(r)}", flush=True)
            shutil.rmtree(copy)
            shutil.rmtree(out)
        o = runs[-1]["out"]
        recap = [r["out"]["build_s"] + r["out"]["xlsx_s"] for r in runs]
        print(f"\nrecap of {o['forms']} forms, {o['indicator_rows']} indicator rows "
              f"({o['submitted']} submitted, {o['problem_files']} files in Masalah); "
              f"medians of {len(runs)} rounds (each round):")
        for key, label in (("build", "build_recap"), ("xlsx", "write_recap_xlsx"),
                           ("html", "write_recap_html")):
            each = [r["out"][f"{key}_s"] for r in runs]
            cpu = [r["out"].get(f"{key}_cpu_s") for r in runs]
            print(f"  {label:18} {statistics.median(each):6.2f} s wall "
                  f"({' '.join(f'{x:.2f}' for x in each)})"
                  + (f", CPU {statistics.median(cpu):.2f} s" if None not in cpu else ""))
        print(f"  build + xlsx       {statistics.median(recap):6.2f} s wall "
              f"({' '.join(f'{x:.2f}' for x in recap)}; goal < 15 s)")
        print(f"  all three          {statistics.median(r['wall'] for r in runs):6.2f} s wall, "
              f"{statistics.median(r['cpu'] for r in runs):6.2f} s CPU")
        print(f"  peak (VmHWM)       {max(r['out']['peak_build_xlsx_mb'] for r in runs):6.0f} MB"
              f" build + xlsx (goal < 500 MB), {max(r['peak_mb'] for r in runs):.0f} MB with "
              f"the html; xlsx {o['xlsx_mb']:.1f} MB, html {o['html_mb']:.1f} MB")
        print(pace_line("host pace after"))
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
