"""Every workbook iki-xlsx writes prints sensibly on the master's paper: landscape, one
page wide, header rows repeated, page numbers; recap chart categories are text
references; the HTML recap prints only what carries information."""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace

import pytest
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
    path = write_report_xlsx(report, tmp_path / "laporan.xlsx", kertas="F4")
    assert_prints_sensibly(path, 14)
    a4 = write_report_xlsx(report, tmp_path / "laporan-a4.xlsx")
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
