"""Benchmark: recap of N pegawai × 25 indikator from a populated ledger.

    python benchmarks/bench_recap.py              # N = 10,000
    python benchmarks/bench_recap.py -n 2000
    python benchmarks/bench_recap.py --keep DIR   # keep (and reuse) the populated ledger

Setup (not timed): the ledger gets real issued-form rows (layout, locked cells, signed
manifest, as ``generate`` records them, but without writing workbooks; built on all
cores) for N pegawai in 40 perangkat daerah × 5 unit kerja, and submissions recorded with
``Workspace.files.record``: 90 % of the forms submitted (TW1–TW2 filled, some blanks,
some keterangan), 5 % with a second, older file, 2 % rejected, 3 % with warnings.

Timed, in a fresh process so that its peak memory is the recap's own: ``build_recap``,
``write_recap_xlsx`` and ``write_recap_html``, wall time and the process's own CPU time
(steadier than wall time on a machine shared with other work). Goals: recap (build +
workbook) < 30 s, peak RSS < 1 GB.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_generate import synthetic_master  # noqa: E402

from iki_xlsx.core.model import Assignment, Master, Person, Polarity
from iki_xlsx.core.texts import get_texts
from iki_xlsx.forms import layout as L
from iki_xlsx.forms import issued_row
from iki_xlsx.forms.manifest import build_manifest, content_hash, sign
from iki_xlsx.workspace import FileEntry, Workspace

PERIODS = ("TW1", "TW2", "TW3", "TW4")


def bench_master(n: int) -> Master:
    """``bench_generate``'s IKIs (shared by ~4 pegawai each), with unique NIPs spread over
    40 perangkat daerah × 5 unit kerja."""
    base = synthetic_master(n)
    boss = base.assignments[0].atasan
    people = []
    for j in range(n):
        pd = f"Perangkat Daerah {j % 40 + 1:02d}"
        unit = f"Bidang {j // 40 % 5 + 1}"
        # born 19YYMMDD, appointed YYYYMM, sex 1, serial: unique for j < 20,000
        nip = (f"19{70 + j % 25:02d}{1 + j % 12:02d}{1 + j % 28:02d}"
               f"{2000 + j // 1000 % 20:04d}{1 + j % 12:02d}1{j % 1000:03d}")
        people.append(Assignment(Person(nip, f"Pegawai Sintetis {j}", "Penata", "III/c",
                                        "Analis", unit, pd),
                                 base.assignments[j].kode_iki, boss.nip, boss))
    return replace(base, assignments=people)


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
    master = bench_master(n)
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


def run_recap(ws_dir: str, out_dir: str) -> dict:
    """The timed part (runs in its own process)."""
    from iki_xlsx.recap.build import build_recap
    from iki_xlsx.recap.html import write_recap_html
    from iki_xlsx.recap.xlsx import write_recap_xlsx

    ws = Workspace(ws_dir)
    out = Path(out_dir)
    t0, c0 = time.perf_counter(), time.process_time()
    recap = build_recap(ws)  # the default period (the latest with realisasi): TW2 here
    t1, c1 = time.perf_counter(), time.process_time()
    xlsx = write_recap_xlsx(recap, out / "rekap-TW2.xlsx")
    t2, c2 = time.perf_counter(), time.process_time()
    rss_xlsx = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    html = write_recap_html(recap, out / "rekap-TW2.html")
    t3 = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scale = 1024 if sys.platform != "darwin" else 1024 * 1024  # ru_maxrss: KiB on Linux
    return {"forms": len(recap.forms), "indicator_rows": sum(f.total for f in recap.forms),
            "submitted": recap.total.submitted, "problem_files": len(recap.files),
            "build_s": t1 - t0, "xlsx_s": t2 - t1, "html_s": t3 - t2,
            "build_cpu_s": c1 - c0, "xlsx_cpu_s": c2 - c1,
            "peak_rss_mb_build_xlsx": rss_xlsx / scale, "peak_rss_mb": rss / scale,
            "xlsx_mb": xlsx.stat().st_size / 1e6, "html_mb": html.stat().st_size / 1e6}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=10_000)
    ap.add_argument("--keep", help="folder for the populated workspace (reused when present)")
    ap.add_argument("--run-recap", nargs=2, metavar=("WORKSPACE", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.run_recap:
        print(json.dumps(run_recap(*args.run_recap)))
        return
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="iki-bench-recap-"))
    try:
        ws_dir = root / f"ws-{args.n}"
        if not (ws_dir / "ledger.sqlite3").is_file():
            ws = Workspace(ws_dir)
            populate(ws, args.n)
            ws.close()
        done = subprocess.run([sys.executable, __file__, "--run-recap", str(ws_dir),
                               str(root / "out")], capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(done.stderr)
        r = json.loads(done.stdout.strip().splitlines()[-1])
        recap_s = r["build_s"] + r["xlsx_s"]
        print(f"recap of {r['forms']} forms, {r['indicator_rows']} indicator rows "
              f"({r['submitted']} submitted, {r['problem_files']} files in Masalah):")
        print(f"  build_recap        {r['build_s']:6.2f} s   (CPU {r['build_cpu_s']:.2f} s)")
        print(f"  write_recap_xlsx   {r['xlsx_s']:6.2f} s   (CPU {r['xlsx_cpu_s']:.2f} s, "
              f"{r['xlsx_mb']:.1f} MB)")
        print(f"  build + xlsx       {recap_s:6.2f} s   (goal < 30 s)")
        print(f"  peak RSS           {r['peak_rss_mb_build_xlsx']:6.0f} MB  (goal < 1024 MB)")
        print(f"  write_recap_html   {r['html_s']:6.2f} s   ({r['html_mb']:.1f} MB, "
              f"peak RSS with it {r['peak_rss_mb']:.0f} MB)")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
