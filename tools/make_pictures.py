"""Pictures for PANDUAN.md: a filled IKI form and the first page of a recap, printed by
LibreOffice exactly as an officer would print them (xlsx → PDF → PNG).

    python tools/make_pictures.py            # writes docs/gambar/formulir.png, rekap.png

Re-run it whenever the form's or the recap's layout changes, and commit the PNGs. Needs
``soffice`` (LibreOffice) and ``pdftoppm`` (poppler-utils) — the tools CI installs for
the print tests; the package itself never needs them. The data is the bundled synthetic
example master; realisasi are made up (deterministic), so re-running gives the same
pictures for the same layout (only the date printed on the recap changes).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from iki_xlsx.collect import collect
from iki_xlsx.define.master import load_master
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.recap.build import build_recap
from iki_xlsx.recap.xlsx import write_recap_xlsx
from iki_xlsx.workspace import Workspace

EXAMPLE = ROOT / "examples" / "master-bkpsdm-kukar.xlsx"
OUT = ROOT / "docs" / "gambar"
# LibreOffice does not recalculate an xlsx on load unless told: this profile setting makes
# the printed CAPAIAN column show the values just typed.
RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode"
 oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def realisasi_for(entry: dict, k: int, i: int) -> object:
    """A made-up but plausible realisasi for period ``i`` of indicator ``k``."""
    if entry["polaritas"] == "ya/tidak":
        return "Ya" if (k + i) % 4 else "Tidak"
    t = entry["target"]
    target = t.get("value") if t.get("value") is not None else t.get("high") or 100
    share = (0.75, 0.9, 1.0, 1.05)[(k + i) % 4]
    if entry.get("agregasi") == "jumlah":  # half the year's target in each of TW I, TW II
        return round(target * share / 2, 1)
    return round(target * share, 1)


def fill_form(src: Path, dst: Path, manifest: dict, periods: int) -> None:
    wb = openpyxl.load_workbook(src)
    ws = wb[manifest.get("sheet", "IKI")]
    for k, entry in enumerate(manifest["indicators"]):
        cells = entry["cells"]["realisasi"]
        for i, period in enumerate(manifest["periods"][:periods]):
            ws[cells[period]] = realisasi_for(entry, k, i)
        ws[entry["cells"]["keterangan"]] = "Laporan dan daftar hadir terlampir"
    dst.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dst)


def to_png(xlsx: Path, png: Path, work: Path, soffice: str, dpi: int) -> None:
    profile = work / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_XCU, encoding="utf-8")
    pdf_dir = work / "pdf"
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(pdf_dir), str(xlsx)],
                   check=True, capture_output=True, timeout=300)
    pdf = pdf_dir / (xlsx.stem + ".pdf")
    stem = work / png.stem
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(stem)], check=True, timeout=120)
    png.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(stem.with_suffix(".png"), png)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--dpi", type=int, default=80)
    parser.add_argument("--soffice", default=shutil.which("soffice") or "soffice")
    args = parser.parse_args(argv)
    if not shutil.which(args.soffice) or not shutil.which("pdftoppm"):
        print("perlu soffice (LibreOffice) dan pdftoppm (poppler-utils)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        loaded = load_master(EXAMPLE)
        ws = Workspace(work / "ws")
        result = generate_forms(loaded.master, work / "forms", ws, jobs=1)
        inbox = work / "masuk"
        for n, planned in enumerate(result.forms):
            if n % 4 == 3:
                continue  # a quarter of the pegawai have not sent their form yet
            fill_form(planned.path, inbox / f"{n:03d}.xlsx", planned.manifest, periods=2)
        collect([inbox], ws, jobs=1)
        recap = build_recap(ws, upto="TW2")
        write_recap_xlsx(recap, work / "rekap.xlsx")
        to_png(inbox / "000.xlsx", args.out / "formulir.png", work, args.soffice, args.dpi)
        to_png(work / "rekap.xlsx", args.out / "rekap.png", work, args.soffice, args.dpi)
    for name in ("formulir.png", "rekap.png"):
        print(args.out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
