"""Measure: how well IKI documents printed by several producers import, per layout.

    python benchmarks/bench_import.py                 # every layout (≈ 1 min to make them)
    python benchmarks/bench_import.py --keep DIR      # keep (and reuse) the made files
    python benchmarks/bench_import.py -l writer_split -v   # one layout, every wrong row

The corpus (``tests/pdf_corpus``) prints realistic IKI documents with Chromium,
LibreOffice Writer and Calc and reportlab (with and without borders, A4 and F4, rows split
by page breaks, running headers, page numbers, two documents a page, a signature beside
the table), flattens some with pdftotext, and scans one. Each import is compared field by
field with the documents it was made from. Per layout: table rows exact, wrong rows that
Tinjauan names (*flagged*) and wrong rows nobody is told about (*silent*), header and
signature fields wrong, documents found, and the import's time. A layout whose producer
is not installed is listed with the reason. With ``../shared/seeds``, the time to import
the real decree's text (the seed tests' kukar file; it was a timed test).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from pdf_corpus import BY_NAME, HELD_OUT, LAYOUTS, SCAN, Tally, build, score  # noqa: E402

from iki_xlsx.define.documents import import_documents  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="folder to keep (and reuse) the made files")
    parser.add_argument("-l", "--layout", action="append", help="only these layouts")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every wrong row")
    args = parser.parse_args()
    layouts = [BY_NAME[n] for n in args.layout] if args.layout else LAYOUTS + HELD_OUT + [SCAN]
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        started = time.perf_counter()
        made, missing = build(folder, layouts)
        print(f"corpus made in {time.perf_counter() - started:.0f} s ({folder})\n")
        print(f"{'layout':28} {'rows exact':>12} {'flagged':>8} {'SILENT':>7} "
              f"{'fields wrong':>13} {'docs':>6} {'s':>5}")
        total = Tally()
        for name, item in made.items():
            started = time.perf_counter()
            result = import_documents([item.path])
            seconds = time.perf_counter() - started
            if item.layout.producer == "scan":
                kinds = [x["kind"] for x in result.review]
                print(f"{name:28} {'—':>12} {'':>8} {'':>7} {'':>13} "
                      f"{result.summary['documents']:>6} {seconds:5.1f}  review: {kinds}")
                continue
            t = score(item.docs, result, name)
            total.add(t)
            print(f"{name:28} {f'{t.exact}/{t.rows}':>12} {t.flagged:>8} {t.silent:>7} "
                  f"{f'{t.fields_wrong}/{t.fields}':>13} "
                  f"{f'{t.documents_found}/{t.documents}':>6} {seconds:5.1f}")
            if args.verbose:
                for line in t.wrong:
                    print("    " + line)
        print(f"{'all':28} {f'{total.exact}/{total.rows}':>12} {total.flagged:>8} "
              f"{total.silent:>7} {f'{total.fields_wrong}/{total.fields}':>13} "
              f"{f'{total.documents_found}/{total.documents}':>6}")
        for name, reason in missing.items():
            print(f"{name:28} not made: {reason}")
    seeds = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "kukar-bkpsdm-2025.txt"
    if seeds.is_file():  # the real decree as text: 71 documents, 812 rows (goal < 0.8 s)
        import_documents([seeds])
        started = time.perf_counter()
        import_documents([seeds])
        print(f"\nseed text {seeds.name}: {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
