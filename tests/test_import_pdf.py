"""`iki-xlsx import dokumen.pdf`: IKI documents written as .docx (python-docx) and printed
to PDF by LibreOffice Writer import field by field as the .docx itself does — tables with
and without rulings, NO/SASARAN merged over several indicators and cut by page breaks,
header rows repeated on every page, running page headers, other column orders and titles.
Also: a scanned PDF (no text) and a broken one are reported, not guessed.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from iki_xlsx.cli import app
from iki_xlsx.define.documents import import_documents

iki_documents = pytest.importorskip("iki_documents")

needs_libreoffice = pytest.mark.libreoffice  # iki_documents.to_pdf skips without soffice


@pytest.fixture(scope="session")
def printed():
    """name → (.docx, .pdf) of every case in ``iki_documents.CASES`` (one soffice run,
    shared with test_import_flat)."""
    return iki_documents.printed()


def differences(expected: list, got: list) -> list:
    out = [(e, g) for e, g in zip(expected, got) if e != g]
    if len(expected) != len(got):
        out.append((f"{len(expected)} fields", f"{len(got)} fields"))
    return out


@needs_libreoffice
@pytest.mark.parametrize("name", [c[0] for c in iki_documents.CASES])
def test_pdf_imports_as_the_docx_does(printed, name):
    docx, pdf = printed[name]
    from_docx, from_pdf = import_documents([docx]), import_documents([pdf])
    expected = iki_documents.fields(from_docx)
    assert from_docx.summary["indikator"] >= 15  # the tables do run over several pages
    assert differences(expected, iki_documents.fields(from_pdf)) == []
    assert sorted(r["kind"] for r in from_pdf.review) == sorted(
        r["kind"] for r in from_docx.review)


@needs_libreoffice
def test_pdf_pages_and_merged_cells(printed):
    """What the PDF adds to the .docx: pages. The running page header is no table row, the
    sasaran of a NO whose merged cell a page break cut stays one sasaran."""
    _, pdf = printed["target_last"]
    r = import_documents([pdf])
    assert not {"baris_tidak_dikenali", "nomor_kosong", "sasaran_kosong"} & {
        x["kind"] for x in r.review}
    texts = [i.sasaran for d in r.master.iki.values() for i in d.indicators]
    assert not any("Lampiran" in t for t in texts)
    assert r.summary["documents"] == 3


@needs_libreoffice
def test_perangkat_daerah_spellings_are_merged_and_listed(printed):
    _, pdf = printed["other"]
    r = import_documents([pdf])
    names = {d.perangkat_daerah for d in r.master.iki.values()}
    assert names == {"Dinas Kesehatan Kab. Contoh"}  # the first of equally common spellings
    merged = sorted(x["message"] for x in r.review if x["kind"] == "perangkat_daerah_disamakan")
    assert len(merged) == 3
    assert any('"Dinas Kesehatn Kabupaten Contoh"' in m for m in merged)
    assert any('"DINAS KESEHATAN KABUPATEN CONTOH"' in m for m in merged)


@needs_libreoffice
def test_cli_imports_a_pdf(printed, tmp_path):
    _, pdf = printed["kukar"]
    out = tmp_path / "master.xlsx"
    result = CliRunner().invoke(app, ["import", str(pdf), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 dokumen IKI" in result.output
    wb = openpyxl.load_workbook(out, read_only=True)
    rows = list(wb["Indikator"].iter_rows(values_only=True))
    assert any("Persentase layanan kepegawaian yang diselesaikan tepat waktu bidang 1"
               in (c or "") for row in rows for c in row if isinstance(c, str))


def test_scanned_pdf_is_reported(tmp_path):
    """A PDF holding only an image of the page: said plainly, nothing guessed (no OCR)."""
    from PIL import Image

    scan = tmp_path / "sk-pindaian.pdf"
    Image.new("RGB", (600, 800), "white").save(scan)
    r = import_documents([scan])
    assert r.summary["documents"] == 0
    [row] = [x for x in r.review if x["file"] == scan.name]
    assert row["kind"] == "pdf_tanpa_teks"
    assert "tanpa OCR" in row["message"] and ".docx" in row["action"]


def test_cli_scan_exits_with_the_reason(tmp_path):
    """``iki-xlsx import`` of a scan: the Indonesian reason, no master, exit status 1."""
    from PIL import Image

    scan = tmp_path / "sk-pindaian.pdf"
    Image.new("RGB", (600, 800), "white").save(scan)
    out = tmp_path / "master.xlsx"
    result = CliRunner().invoke(app, ["import", str(scan), "-o", str(out)])
    assert result.exit_code == 1
    assert "sk-pindaian.pdf: PDF ini (1 halaman) tidak memuat teks" in result.output
    assert "master tidak ditulis" in result.output
    assert not out.exists()


def test_broken_pdf_is_reported(tmp_path):
    broken = tmp_path / "rusak.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer garbage")
    r = import_documents([broken])
    assert [x["kind"] for x in r.review] == ["pdf_tidak_terbaca"]
    assert "PDF ini tidak dapat dibuka" in r.review[0]["message"]


def test_pdf_without_extension_is_still_read_as_pdf(tmp_path):
    from PIL import Image

    scan = tmp_path / "lampiran"
    Image.new("RGB", (60, 80), "white").save(scan, format="PDF")
    r = import_documents([Path(scan)])
    assert [x["kind"] for x in r.review] == ["pdf_tanpa_teks"]
