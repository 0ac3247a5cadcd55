"""Benchmark: generate N synthetic forms (25 indicators each, common.synthetic_master)
and compare with a bare xlsxwriter script that writes the same visible cells.

    python benchmarks/bench_generate.py                 # N = 1000, 3 rounds
    python benchmarks/bench_generate.py -n 200 --rounds 5
    python benchmarks/bench_generate.py -n 10000 --rounds 1 --only-jobs 2
    python benchmarks/bench_generate.py -n 1000 --distinct     # no two forms alike

Each round, in processes of their own (common.measure): ``generate_forms`` with --jobs 1,
with --jobs <cores>, and the bare script (its layouts built before its clock starts), each
into a workspace and folder at paths no round used before. Reported per round and as the
median: wall and CPU time (the workers' included) and peak memory (VmHWM); the ratio
generate --jobs 1 / bare is taken per round, on CPU time (the machine is shared: wall
time drifts with the others' load) and on wall time. Goals: ratio ≤ 1.5; 10,000 forms
< 90 s wall with --jobs 2.

generate makes what recurs from form to form once per process (forms/package.py,
helpersheet.py, layout's row helpers). In the synthetic master every IKI's indikator
read alike (the same kinds of target, "%"), so every form's helper sheet is the same:
``--distinct`` gives each pegawai an IKI of their own with targets of its own, the worst
case for that reuse.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import xlsxwriter  # noqa: E402
from common import describe_master, fmt, fresh_path, machine, measure, summary  # noqa: E402
from common import pace_line, synthetic_master  # noqa: E402

from iki_xlsx.core.model import Master, Target  # noqa: E402
from iki_xlsx.core.texts import get_texts  # noqa: E402
from iki_xlsx.forms import layout as L  # noqa: E402
from iki_xlsx.forms.generate import generate_forms  # noqa: E402
from iki_xlsx.workspace import Workspace  # noqa: E402


def distinct_master(n: int) -> Master:
    """The synthetic master with an IKI of each pegawai's own, every number target its
    own too: no two forms' helper sheets alike."""
    master = synthetic_master(n)
    ikis, assignments = {}, []
    for j, a in enumerate(master.assignments):
        kode = f"IKI-P{j:05d}"
        base = master.iki[a.kode_iki]
        ikis[kode] = replace(base, kode=kode, indicators=tuple(
            _own_target(ind, j * len(base.indicators) + i)
            for i, ind in enumerate(base.indicators)))
        assignments.append(replace(a, kode_iki=kode))
    return replace(master, assignments=assignments, iki=ikis)


def _own_target(ind, k: int):
    if ind.target.value is None:  # a range, ya/tidak: as they are
        return ind
    value = 10 + k % 9990
    return replace(ind, target=Target(str(value), float(value)))


def master_of(n: int, distinct: bool) -> Master:
    return distinct_master(n) if distinct else synthetic_master(n)


def run_generate(n: int, out: str, jobs: int, distinct: bool = False) -> dict:
    """The measured work: the master, then every form written and recorded."""

    master = master_of(n, distinct)
    ws = Workspace(Path(out) / "ws")
    result = generate_forms(master, Path(out) / "formulir", ws, jobs=jobs)
    ws.close()
    return {"forms": len(result.forms)}


def bare_layouts(n: int, out: str, distinct: bool = False) -> tuple[list, Path]:
    """Setup of the bare script (not timed): the layouts of the same forms."""
    texts = get_texts()
    Path(out).mkdir(parents=True)
    return [L.build_layout(f, texts) for f in master_of(n, distinct).forms()], Path(out)


def bare_xlsxwriter(state: tuple[list, Path]) -> dict:
    """The same visible cells written by a plain xlsxwriter loop: no planning,
    templates, manifest, helper sheet, ledger or pool."""
    layouts, out = state
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
    return {"forms": len(layouts)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only-jobs", type=int, help="only generate with this many jobs (no bare)")
    ap.add_argument("--distinct", action="store_true",
                    help="every pegawai an IKI of their own (no two forms alike)")
    args = ap.parse_args()
    cores = os.cpu_count() or 1
    print(f"machine: {machine()}")
    print(pace_line("host pace before"), flush=True)
    print(f"master: {describe_master(master_of(args.n, args.distinct))}"
          + (" (--distinct: an IKI and targets of each pegawai's own)" if args.distinct else ""))
    tmp = Path(tempfile.mkdtemp(prefix="iki-bench-generate-"))
    job_counts = [args.only_jobs] if args.only_jobs else sorted({1, cores})
    runs: dict[str, list[dict]] = {f"jobs{j}": [] for j in job_counts}
    if not args.only_jobs:
        runs["bare"] = []
    try:
        for i in range(args.rounds):
            for jobs in job_counts:
                out = fresh_path(tmp, f"generate-j{jobs}")
                r = measure(run_generate, args.n, str(out), jobs, args.distinct)
                if r["out"]["forms"] != args.n:
                    raise SystemExit(f"FAILED: {r['out']['forms']} of {args.n} forms written")
                runs[f"jobs{jobs}"].append(r)
                print(f"round {i + 1} generate --jobs {jobs}: {fmt(r)}", flush=True)
                shutil.rmtree(out)
            if "bare" in runs:
                out = fresh_path(tmp, "bare")
                r = measure(bare_xlsxwriter, args.n, str(out), args.distinct, setup=bare_layouts)
                runs["bare"].append(r)
                print(f"round {i + 1} bare xlsxwriter: {fmt(r)}", flush=True)
                shutil.rmtree(out)
        print(f"\n{args.n} forms, {args.rounds} round(s); medians, each round in brackets:")
        for name, rs in runs.items():
            label = {"bare": "bare xlsxwriter"}.get(name, f"generate --jobs {name[4:]}")
            print(summary(f"  {label:20}", rs, per=args.n, unit="form"))
            print(summary(f"  {label:20}", rs))
        if "bare" in runs:
            for key, what in (("cpu", "CPU"), ("wall", "wall")):
                ratios = [a[key] / b[key] for a, b in zip(runs["jobs1"], runs["bare"])]
                print(f"  ratio generate --jobs 1 / bare ({what}): "
                      f"{statistics.median(ratios):.2f} "
                      f"(per round: {' '.join(f'{x:.2f}' for x in ratios)}; goal ≤ 1.5)")
        top = max(job_counts)
        wall = statistics.median(r["wall"] for r in runs[f"jobs{top}"])
        print(f"  {args.n} forms with --jobs {top}: {wall:.1f} s wall "
              f"(goal for 10,000 on 2 cores: < 90 s)")
        print(pace_line("host pace after"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
