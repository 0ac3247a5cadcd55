"""Every workbook iki-xlsx writes prints sensibly on the master's paper: landscape, one
page wide, header rows repeated, page numbers; recap chart categories are text
references; the HTML recap prints only what carries information.

And as a reader sees it: every sheet of every workbook (the form, the distribution list,
the blank and the imported master, the collect report, the recap, the reminder list)
printed by LibreOffice and read back from the PDF — on the master's paper, no text over
another nor across a cell border into the next row, every cell's text whole. CI runs
this module again with ``IKI_TEST_FONTS=dejavu`` (DejaVu Sans instead of Liberation
Sans for Arial: wider, as on a machine without fonts-liberation)."""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from libreoffice import needs_libreoffice
from test_recap import setup  # noqa: F401  (the fixture, shared)
from test_recap_html import _chromium, needs_chromium

from iki_xlsx.collect import collect
from iki_xlsx.collect.report import write_report_xlsx
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.recap.build import build_recap
from iki_xlsx.recap.html import write_recap_html
from iki_xlsx.recap.xlsx import write_recap_xlsx
from iki_xlsx.workspace import Workspace


def sheets_xml(path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist()
                if n.startswith("xl/worksheets/sheet")}


def assert_prints_sensibly(path, paper: int, *, skip: tuple[str, ...] = ()) -> None:
    with zipfile.ZipFile(path) as z:
        workbook = z.read("xl/workbook.xml").decode("utf-8")
    for name, xml in sheets_xml(path).items():
        if any(name.endswith(s) for s in skip):
            continue
        page = re.search(r"<pageSetup [^>]*/>", xml)
        assert page, name
        assert f'paperSize="{paper}"' in page.group(0), (name, page.group(0))
        assert 'orientation="landscape"' in page.group(0), name
        assert 'fitToHeight="0"' in page.group(0) and "<pageSetUpPr fitToPage=\"1\"" in xml
        assert "&amp;P" in xml, (name, "page numbers")
    assert "_xlnm.Print_Titles" in workbook  # header rows repeated


@pytest.fixture
def f4_master(small_master):
    return replace(small_master, settings=replace(small_master.settings, kertas="F4"))


def test_distribution_list_and_collect_report_print_on_the_masters_paper(f4_master, tmp_path):
    ws = Workspace(tmp_path / "ws")
    result = generate_forms(f4_master, tmp_path / "forms", ws, jobs=1)
    assert_prints_sensibly(result.distribution, 14)
    inbox = tmp_path / "masuk"
    inbox.mkdir()
    report = collect([inbox], ws, jobs=1)
    assert report.kertas == "F4"  # the master's, as generate recorded it
    assert_prints_sensibly(write_report_xlsx(report, tmp_path / "laporan.xlsx"), 14)
    a4 = write_report_xlsx(report, tmp_path / "laporan-a4.xlsx", kertas="A4")
    assert_prints_sensibly(a4, 9)


def test_recap_prints_and_its_charts_label_categories_with_text(setup, tmp_path):  # noqa: F811
    ws, _ = setup
    recap = build_recap(ws, upto="TW2")
    path = write_recap_xlsx(recap, tmp_path / "rekap.xlsx")
    assert_prints_sensibly(path, {"A4": 9, "F4": 14}[recap.kertas])
    with zipfile.ZipFile(path) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2
    for xml in charts:
        cat = re.search(r"<c:cat>(.*?)</c:cat>", xml, re.S).group(1)
        assert cat.startswith("<c:strRef>") and "<c:numRef>" not in cat, cat[:200]
        assert "<c:strCache>" in cat and "<c:pt idx=\"0\"><c:v>" in cat


def test_html_recap_details_only_forms_with_values(setup, tmp_path):  # noqa: F811
    """Issue 22: every active form with a value is detailed (also one late for the
    recap period); the forms without any are counted in one line, not printed empty."""
    ws, _ = setup
    recap = build_recap(ws, upto="TW2")
    text = write_recap_html(recap, tmp_path / "r.html").read_text("utf-8")
    details = text.split('<h2 class="baru">Rincian per Indikator</h2>')[1]
    assert details.count("<h3>") == sum(1 for f in recap.forms if f.active and f.filled)
    for f in recap.forms:
        if not f.filled:
            assert f"{f.nama} · {f.jabatan}</h3>" not in details
    assert "formulir tanpa realisasi s.d. periode ini tidak dirinci" in details


@needs_chromium
def test_html_recap_prints_no_empty_page(setup, tmp_path):  # noqa: F811
    """Printed by Chromium: every page carries text; the not-submitted forms add no
    page of empty per-indikator tables."""
    import pymupdf

    ws, _ = setup
    recap = build_recap(ws, upto="TW2")
    html = write_recap_html(recap, tmp_path / "r.html")
    pdf = tmp_path / "r.pdf"
    done = _chromium(f"--print-to-pdf={pdf}", "--no-pdf-header-footer",
                     html.resolve().as_uri(), profile=tmp_path / "profile")
    assert pdf.is_file(), done.stderr.decode(errors="replace")[-2000:]
    with pymupdf.open(pdf) as doc:
        pages = [page.get_text() for page in doc]
        width, height = doc[0].rect.width, doc[0].rect.height
    assert width > height  # landscape
    assert all(p.strip() for p in pages)
    rincian = [i for i, p in enumerate(pages) if "Rincian per Indikator" in p]
    assert rincian
    tail = "".join(pages[rincian[0]:])
    shown = [f for f in recap.forms if f.active and f.filled]
    assert all(f.nama in tail for f in shown)
    names = {f.nama for f in shown}
    for f in recap.not_submitted:
        if f.nama not in names:  # (a pegawai may have returned another form)
            assert f.nama not in tail.split("Rincian per Indikator", 1)[1]
    # summary + per pegawai + a page of details per ~3 returned forms at most
    assert len(pages) <= 3 + len(recap.submitted) + 2, len(pages)


# --------------------------------------------------------------------------- on paper

LONG_NOTE = ("Laporan kegiatan bulan Januari sampai Maret telah disampaikan kepada atasan "
             "langsung beserta bukti dukung berupa daftar hadir, notulen rapat dan "
             "dokumentasi kegiatan di aula kantor")


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> dict[str, tuple]:
    """Every kind of workbook iki-xlsx writes, from a quarter of work on the small master
    (paper F4, one Plt. form ended at TW I): name → (path, the paper it must print on)."""
    import shutil

    import yaml
    from filling import fill
    from mailtools import master_with_contacts

    from iki_xlsx.core.texts import get_texts
    from iki_xlsx.define import import_documents, load_master, write_master
    from iki_xlsx.mail.remind import remind
    from iki_xlsx.year import exclude_file

    root = tmp_path_factory.mktemp("cetak")
    path = master_with_contacts(root / "master.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["pegawai"][2]["selesai"] = "TW1"  # Sri's Plt. form ends: the Selesai sheet
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    master = load_master(path).master
    ws = Workspace(root / "ws")
    generated = generate_forms(master, root / "forms", ws, jobs=1)
    inbox = root / "masuk"
    for n, planned in enumerate(generated.forms):
        cells = planned.manifest["indicators"]
        values = {}
        for k, entry in enumerate(cells):
            refs = entry["cells"]["realisasi"]
            values[refs["TW1"]] = (3, "85,5", "belum ada datanya", 1000)[(n + k) % 4]
            values[refs["TW2"]] = 2 + k
            values[entry["cells"]["keterangan"]] = LONG_NOTE
        fill(planned.path, inbox / f"{n}.xlsx", values)
        if n == 0:  # a correction saved later: the changes and Riwayat sheets
            values[cells[0]["cells"]["realisasi"]["TW2"]] = 7
            fill(planned.path, inbox / "0-koreksi.xlsx", values)
    report = collect([inbox], ws, jobs=1)
    exclude_file(ws, str(inbox / "1.xlsx"), "diisi rekan untuk pegawai lain")
    texts = get_texts()
    report_path = write_report_xlsx(report, root / "laporan-pengumpulan.xlsx", texts)
    recap = write_recap_xlsx(build_recap(ws, upto="TW2"), root / "rekap.xlsx", texts)
    reminders = remind(ws, texts, "TW2", root / "pengingat", sender="iki@contoh.go.id",
                       settings={"batas": "10 Juli 2025", "pengirim": "BKPSDM"},
                       forms_dir=root / "forms")
    imported = import_documents([Path(__file__).parent / "data" / "import" /
                                 "tab-target-rumus.txt"])
    kosong = write_master(root / "master-kosong.xlsx")
    impor = write_master(root / "master-impor.xlsx", imported.master,
                         review=imported.review, notes=imported.notes,
                         inferred=imported.inferred)
    ws.close()
    kepala = next(p.path for p in generated.forms if p.form.iki.kode == "IKI-KEPALA")
    shutil.copy(kepala, root / "formulir-kepala.xlsx")
    return {"formulir": (root / "formulir-kepala.xlsx", "F4"),
            "distribusi": (generated.distribution, "F4"),
            "master-kosong": (kosong, "A4"),
            "master-impor": (impor, imported.master.settings.kertas),
            "laporan-pengumpulan": (report_path, "F4"),
            "rekap": (recap, "F4"),
            "pengingat": (reminders.files[0], "F4")}


@pytest.fixture(scope="module")
def printed(workbooks, tmp_path_factory):
    from printed import print_all

    pdfs = print_all([path for path, _ in workbooks.values()], tmp_path_factory.mktemp("pdf"))
    return {name: (path, pdfs[path], paper) for name, (path, paper) in workbooks.items()}


WORKBOOKS = ("formulir", "distribusi", "master-kosong", "master-impor",
             "laporan-pengumpulan", "rekap", "pengingat")


@needs_libreoffice
@pytest.mark.parametrize("name", WORKBOOKS)
def test_prints_on_the_masters_paper(printed, name):
    from printed import paper

    _, pdf, expected = printed[name]
    assert paper(pdf) == {expected}


@needs_libreoffice
@pytest.mark.parametrize("name", WORKBOOKS)
def test_no_text_prints_over_another_or_into_the_next_row(printed, name):
    from printed import overprints, spills

    _, pdf, _ = printed[name]
    assert overprints(pdf) == []
    assert spills(pdf) == []


@needs_libreoffice
@pytest.mark.parametrize("name", WORKBOOKS)
def test_every_cell_prints_whole(printed, name):
    from printed import hidden_texts

    path, pdf, _ = printed[name]
    assert hidden_texts(path, pdf) == []


@needs_libreoffice
def test_the_sheets_that_wrap_most_are_printed(printed):
    """The checks above read what they should: the recap's Per Indikator and Masalah
    rows, the report's problems and the reminder's links are on the pages."""
    from printed import normalise, visible_text

    assert normalise(LONG_NOTE) in visible_text(printed["rekap"][1])
    assert normalise("diisi rekan untuk pegawai lain") in visible_text(printed["rekap"][1])
    assert normalise("bukan angka") in visible_text(printed["laporan-pengumpulan"][1])
    assert normalise("Kirim WhatsApp") in visible_text(printed["pengingat"][1])


@needs_libreoffice
def test_printed_with_the_font_under_test(printed):
    """``IKI_TEST_FONTS=dejavu`` really printed Arial's text in DejaVu Sans; otherwise in
    Liberation Sans where it is installed."""
    import shutil
    import subprocess

    from libreoffice import FONTS
    from printed import fonts

    used = fonts(printed["rekap"][1])
    if FONTS == "dejavu":
        assert "DejaVu" in used and "Liberation" not in used and "Nimbus" not in used, used
    elif shutil.which("fc-list") and "Liberation Sans" in subprocess.run(
            ["fc-list"], capture_output=True, text=True).stdout:
        assert "Liberation" in used, used


@needs_libreoffice
def test_the_checks_catch_rows_without_height(tmp_path):
    """The checks can fail: wrapped text in rows left at the default height (as the
    recap's Per Indikator and Masalah rows were) prints over the next row's text and
    across its border; in rows too short it is cut off."""
    import xlsxwriter
    from printed import hidden_texts, overprints, print_all, spills

    path = tmp_path / "rapat.xlsx"
    wb = xlsxwriter.Workbook(path)
    grid = wb.add_format({"text_wrap": True, "valign": "top", "border": 1,
                          "border_color": "#A6A6A6", "font_name": "Arial", "font_size": 10})
    ws = wb.add_worksheet()
    ws.set_column(0, 1, 20)
    for r in range(6):
        ws.write(r, 0, f"baris {r} " + LONG_NOTE, grid)
        ws.write(r, 1, f"kolom kedua {r}", grid)
    ws.set_row(6, 13)
    ws.write(6, 0, "terpotong " + LONG_NOTE, grid)
    wb.close()
    pdf = print_all([path], tmp_path)[path]
    assert overprints(pdf) or spills(pdf)
    assert "A7" in [ref for _, ref, _ in hidden_texts(path, pdf)]


@needs_libreoffice
@pytest.mark.slow
def test_the_example_masters_recap_prints_readably(tmp_path):
    """The measurement of issue 22 again: a quarter of the bundled example (74 pegawai,
    every form returned with a keterangan, some values refused). Per Indikator and
    Masalah printed 9 pages of text over text; every row now fits its text."""
    from filling import fill
    from printed import hidden_texts, overprints, paper, print_all, spills

    from iki_xlsx.define import load_master

    example = load_master(Path(__file__).parent.parent / "examples" /
                          "master-bkpsdm-kukar.xlsx").master
    ws = Workspace(tmp_path / "ws")
    generated = generate_forms(example, tmp_path / "forms", ws)
    for n, planned in enumerate(generated.forms):
        values = {}
        for k, entry in enumerate(planned.manifest["indicators"]):
            values[entry["cells"]["realisasi"]["TW1"]] = (2, "85,5", "x", 1000)[(n + k) % 4]
            values[entry["cells"]["keterangan"]] = LONG_NOTE
        fill(planned.path, tmp_path / "masuk" / f"{n}.xlsx", values)
    collect([tmp_path / "masuk"], ws)
    path = write_recap_xlsx(build_recap(ws, upto="TW1"), tmp_path / "rekap.xlsx")
    ws.close()
    pdf = print_all([path], tmp_path / "pdf")[path]
    assert paper(pdf) == {"F4"}
    assert overprints(pdf) == [] and spills(pdf) == []
    assert hidden_texts(path, pdf) == []
