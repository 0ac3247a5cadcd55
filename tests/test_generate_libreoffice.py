"""Generated forms in a real client: LibreOffice recalculates the live CAPAIAN formulas,
prints the form to PDF, and re-saves it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from libreoffice import CellError, fill_and_save, needs_libreoffice, recalc, to_pdf

from iki_xlsx.collect import verify_file
from iki_xlsx.core.capaian import capaian_upto
from iki_xlsx.core.predikat import PredikatScale

pytestmark = needs_libreoffice

# (NIP, Kode IKI) → scenarios of realisasi per indicator index: {index: {period: value}}
SCENARIOS = {
    ("197001011995031001", "IKI-KEPALA"): [  # rata-rata, minimal with T = 0, terakhir
        {0: {"TW1": 80, "TW2": 90}, 1: {"TW1": 0}, 2: {"TW1": 50, "TW3": 100}, 3: {"TW2": 130}},
        {0: {"TW1": 85}, 1: {"TW1": 0, "TW2": 2}, 2: {}, 3: {"TW1": 0}},
        {},
    ],
    ("198203152006042002", "IKI-SEKRETARIS"): [  # ya/tidak, rentang 80 - 90
        {0: {"TW1": "Tidak", "TW2": "Ya"}, 1: {"TW1": 85}},
        {0: {"TW1": "Ya", "TW4": "Tidak"}, 1: {"TW2": 95}},
        {0: {}, 1: {"TW3": 40}},
    ],
    ("199005202015031003", "IKI-PENGOLAH"): [  # jumlah with s.d. targets, BB (70)
        {0: {"TW1": 3}, 1: {"TW1": 70}},
        {0: {"TW1": 2, "TW2": 3}, 1: {"TW1": 80, "TW2": 60}},
        {0: {"TW1": 3, "TW2": 3, "TW3": 3, "TW4": 5}, 1: {"TW4": 91}},
    ],
}


def _planned(generated, key):
    result, _ = generated
    return next(p for p in result.forms if p.form.key == key)


@pytest.mark.parametrize("key", list(SCENARIOS))
def test_live_capaian_equals_python_after_libreoffice_recalculates(generated, key):
    p = _planned(generated, key)
    form, manifest = p.form, p.manifest
    scale = PredikatScale.from_setting(form.settings.skala_predikat)
    periods = form.settings.periode.periods
    cap = form.settings.batas_capaian
    avg_row = manifest["indicators"][-1]["row"] + 1
    cap_col = re.match(r"[A-Z]+", manifest["indicators"][0]["cells"]["capaian"])[0]
    ket_col = re.match(r"[A-Z]+", manifest["indicators"][0]["cells"]["keterangan"])[0]
    for scenario in SCENARIOS[key]:
        writes, expected = {}, {}
        for i, (ind, entry) in enumerate(zip(form.iki.indicators, manifest["indicators"])):
            values = scenario.get(i, {})
            for period, value in values.items():
                writes[entry["cells"]["realisasi"][period]] = value
            expected[entry["cells"]["capaian"]] = capaian_upto(values, periods[-1], ind,
                                                              form.settings.periode, cap)
        reads = [*expected, f"{cap_col}{avg_row}", f"{ket_col}{avg_row}"]
        got = recalc(p.path, writes=writes, reads=reads, sheet="IKI")
        for ref, want in expected.items():
            value = got[ref]
            assert not isinstance(value, CellError), (ref, value)
            if want is None:
                assert value == "", (scenario, ref, value)
            else:
                assert value == pytest.approx(want, abs=1e-9), (scenario, ref)
        filled = [v for v in expected.values() if v is not None]
        mean = sum(filled) / len(filled) if filled else None
        if mean is None:
            assert got[f"{cap_col}{avg_row}"] == "" and got[f"{ket_col}{avg_row}"] == ""
        else:
            assert got[f"{cap_col}{avg_row}"] == pytest.approx(mean)
            assert got[f"{ket_col}{avg_row}"] == scale.label(mean)


def normalise(text: str) -> str:
    """Without whitespace: LibreOffice wraps after hyphens and slashes ("e-" / "Pantau")
    and inside words longer than the column ("Videotro" / "n"); a cut-off word is still
    missing."""
    return re.sub(r"\s+", "", text)


def visible_pdf_text(pdf: Path) -> str:
    """Text a reader of the printed page sees: PyMuPDF drops glyphs outside clip paths,
    so text cut off by a too-short row is *not* found (pdftotext would still list it)."""
    import pymupdf

    with pymupdf.open(pdf) as doc:
        return normalise(" ".join(page.get_text("text") for page in doc))


def assert_form_printed_whole(form, pdf: Path) -> None:
    text = visible_pdf_text(pdf)
    iki = form.iki
    expected = [iki.tugas, *iki.fungsi, form.pegawai.nama, form.atasan.nama]
    for ind in iki.indicators:
        expected += [ind.indikator, ind.sasaran, ind.penjelasan, ind.sumber_data]
    missing = [t for t in expected if t and normalise(t) not in text]
    assert not missing, f"{pdf.name}: not visible when printed: {missing}"


def test_every_text_visible_when_printed(generated, tmp_path):
    result, _ = generated
    for p in result.forms:
        assert_form_printed_whole(p.form, to_pdf(p.path, tmp_path))


def test_clip_aware_check_catches_a_too_short_row(tmp_path):
    """The check above can fail: a wrapped text in a 13 pt row is cut off in print."""
    import xlsxwriter

    path = tmp_path / "short.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet()
    ws.set_column(0, 0, 20)
    ws.set_row(0, 13)
    text = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima"
    ws.write(0, 0, text, wb.add_format({"text_wrap": True, "valign": "top"}))
    wb.close()
    visible = visible_pdf_text(to_pdf(path, tmp_path))
    assert "alpha" in visible and text not in visible


def test_libreoffice_resave_keeps_manifest_and_locked_content(generated, tmp_path):
    p = _planned(generated, ("198203152006042002", "IKI-SEKRETARIS"))
    _, ws = generated
    cells = p.manifest["indicators"]
    writes = {cells[0]["cells"]["realisasi"]["TW1"]: "Ya",
              cells[1]["cells"]["realisasi"]["TW1"]: 85,
              cells[1]["cells"]["keterangan"]: "Laporan realisasi anggaran TW I"}
    for fmt in ("xlsx", "ods"):
        out = fill_and_save(p.path, writes, tmp_path / f"diisi.{fmt}", fmt=fmt, sheet="IKI")
        assert verify_file(out, ws.key) == [], fmt


def test_libreoffice_resave_keeps_protection_and_hides_manifest(generated, tmp_path):
    """LibreOffice turns very-hidden into hidden and keeps the sheet protection and the
    unlocked cells. Measured with LibreOffice 7.4: it does not import the workbook
    structure protection from xlsx at all (document not protected, the manifest can be
    shown via Sheet > Show Sheet) and writes an empty <workbookProtection/> on re-save.
    Nothing relies on it: the manifest is signed and sheet-protected, and the ledger's
    copy is the truth."""
    import openpyxl

    p = _planned(generated, ("199005202015031003", "IKI-PENGOLAH"))
    ref = p.manifest["indicators"][0]["cells"]["realisasi"]["TW1"]
    out = fill_and_save(p.path, {ref: 3}, tmp_path / "resave.xlsx", fmt="xlsx", sheet="IKI")
    wb = openpyxl.load_workbook(out)
    assert wb["_manifest"].sheet_state in ("hidden", "veryHidden")
    assert wb["_manifest"].protection.sheet and wb["IKI"].protection.sheet
    unlocked = {c.coordinate for row in wb["IKI"].iter_rows() for c in row
                if c.protection.locked is False}
    inputs = {r for e in p.manifest["indicators"]
              for r in [*e["cells"]["realisasi"].values(), e["cells"]["keterangan"]]}
    assert unlocked == inputs
