"""Benchmark: generate N synthetic forms (25 indicators each) and compare with a bare
xlsxwriter script that writes the same cells.

    python benchmarks/bench_generate.py            # N = 1000
    python benchmarks/bench_generate.py -n 200

Prints ms per workbook for --jobs 1 and for all cores, and the ratio of our per-workbook
cost (single process) to the bare script's. Goals: ratio ≤ 1.5, 1,000 workbooks < 10 s on
2 cores.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

import xlsxwriter

from iki_xlsx.core.model import (
    Aggregation,
    Assignment,
    IKIDefinition,
    Indicator,
    Master,
    Person,
    Polarity,
    Settings,
    Target,
)
from iki_xlsx.core.texts import get_texts
from iki_xlsx.forms import layout as L
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.workspace import Workspace

WORDS = ("pelayanan administrasi kepegawaian daerah dokumen laporan kinerja pegawai data "
         "informasi evaluasi perencanaan pengembangan kompetensi aparatur sipil negara "
         "persentase jumlah indeks kepuasan tindak lanjut hasil pemeriksaan").split()


def synthetic_master(n: int, indicators: int = 25, seed: int = 1) -> Master:
    rnd = random.Random(seed)

    def text(k):
        return " ".join(rnd.choice(WORDS) for _ in range(k)).capitalize()

    pol = [Polarity.MAKSIMAL, Polarity.MINIMAL, Polarity.RENTANG, Polarity.YA_TIDAK]
    iki = {}
    for k in range(max(1, n // 4)):  # IKI shared by ~4 pegawai each
        inds = []
        for i in range(indicators):
            p = pol[i % 4]
            target = {Polarity.MAKSIMAL: Target("100", 100.0), Polarity.MINIMAL: Target("0", 0.0),
                      Polarity.RENTANG: Target("80 - 90", low=80.0, high=90.0),
                      Polarity.YA_TIDAK: Target("Ya")}[p]
            inds.append(Indicator(str(i // 2 + 1), text(10), text(12), text(15), text(5), "%",
                                  target, p, list(Aggregation)[i % 3]))
        iki[f"IKI-{k:04d}"] = IKIDefinition(f"IKI-{k:04d}", "Badan Kepegawaian Daerah",
                                             text(4), text(40), tuple(text(12) for _ in range(6)),
                                             "SASARAN", tuple(inds))
    boss = Person("197002021996031002", "Kepala Badan", "Pembina Utama Muda", "IV/c", "Kepala")
    people = []
    for j in range(n):
        nip = f"19{70 + j % 25:02d}0{1 + j % 9}1{j % 9}2000{1 + j % 9:02d}1{j % 1000:03d}"[:18]
        people.append(Assignment(Person(nip, f"Pegawai Sintetis {j}", "Penata", "III/c",
                                        "Analis", "Bidang", "Badan Kepegawaian Daerah"),
                                 f"IKI-{j % len(iki):04d}", boss.nip, boss))
    return Master(Settings(2025, tempat="Tenggarong", tanggal=date(2025, 1, 2)), people, iki)


def bare_xlsxwriter(layouts: list[L.FormLayout], out: Path) -> float:
    """The same cells written by a plain xlsxwriter loop: no planning, templates,
    manifest, ledger or pool."""
    start = time.perf_counter()
    for i, lay in enumerate(layouts):
        wb = xlsxwriter.Workbook(str(out / f"bare{i}.xlsx"), {"in_memory": True})
        fmts = {k: wb.add_format(v) for k, v in L.STYLES.items()}
        ws = wb.add_worksheet("IKI")
        for c, w in enumerate(lay.widths):
            ws.set_column(c, c, w)
        for r, h in lay.heights.items():
            ws.set_row(r, h)
        for cell in lay.cells:
            f = fmts[cell.style]
            if cell.last_row is not None and (cell.last_row, cell.last_col) != (cell.row, cell.col):
                ws.merge_range(cell.row, cell.col, cell.last_row, cell.last_col,
                               "" if cell.value is None else cell.value, f)
            elif cell.formula:
                ws.write_formula(cell.row, cell.col, cell.formula, f, "")
            else:
                ws.write(cell.row, cell.col, cell.value, f)
        for r, c, kind in lay.inputs:
            ws.write_blank(r, c, None, fmts["input_text"])
            if kind != "text":
                ws.data_validation(r, c, r, c, {"validate": "decimal", "criteria": ">=",
                                                "value": 0})
        ws.protect("x")
        wb.close()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=1000)
    args = ap.parse_args()
    master = synthetic_master(args.n)
    cores = os.cpu_count() or 1
    tmp = Path(tempfile.mkdtemp(prefix="iki-bench-"))
    try:
        results = {}
        for jobs in sorted({1, cores}):
            ws = Workspace(tmp / f"ws{jobs}")
            start = time.perf_counter()
            generate_forms(master, tmp / f"forms{jobs}", ws, jobs=jobs)
            results[jobs] = time.perf_counter() - start
            print(f"iki-xlsx generate --jobs {jobs}: {args.n} workbooks in {results[jobs]:.2f} s"
                  f" = {results[jobs] / args.n * 1000:.2f} ms/workbook")
        texts = get_texts()
        layouts = [L.build_layout(f, texts) for f in master.forms()]
        (tmp / "bare").mkdir()
        bare = bare_xlsxwriter(layouts, tmp / "bare")
        print(f"bare xlsxwriter script (1 process): {bare / args.n * 1000:.2f} ms/workbook")
        print(f"ratio iki-xlsx --jobs 1 / bare: {results[1] / bare:.2f}  (goal ≤ 1.5)")
        print(f"{args.n} workbooks with --jobs {cores}: {results[cores]:.2f} s"
              f"  (goal for 1000 on 2 cores: < 10 s)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
