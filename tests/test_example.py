"""The bundled example: the README's main job runs on it, it covers what the product must
handle, it ships no real identity, and every form made from it prints whole."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from libreoffice import FONTS, needs_libreoffice, run
from test_generate_libreoffice import assert_form_printed_whole
from test_import_seeds import real_identities_in
from typer.testing import CliRunner

from iki_xlsx.cli import app
from iki_xlsx.core.model import Aggregation, Polarity
from iki_xlsx.define.master import load_master

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "master-bkpsdm-kukar.xlsx"


@pytest.fixture(scope="module")
def example():
    loaded = load_master(EXAMPLE)
    assert loaded.ok, [f"{p.location()}: {p.message()}" for p in loaded.errors]
    return loaded.master


def test_example_covers_the_domain(example):
    assert len(example.iki) >= 25
    indicators = [i for d in example.iki.values() for i in d.indicators]
    assert {i.polaritas for i in indicators} == set(Polarity)
    assert {i.agregasi for i in indicators} == set(Aggregation)
    assert any(len(d.indicators) > len({(i.no, i.sasaran) for i in d.indicators})
               for d in example.iki.values()), "a sasaran with several indikator"
    users: dict[str, int] = {}
    for a in example.assignments:
        users[a.kode_iki] = users.get(a.kode_iki, 0) + 1
    assert max(users.values()) >= 3, "an IKI shared by several pegawai"
    nips = [a.pegawai.nip for a in example.assignments]
    assert len(nips) > len(set(nips)), "a pegawai with a second (Plt.) IKI"
    assert any(a.atasan is not None and not a.atasan_nip for a in example.assignments), \
        "a superior outside the sheet (the Bupati)"


def test_example_ships_no_real_identity(example):
    """No pegawai or atasan of the example has a real person's NIP or name (normalised,
    with and without honorifics), checked against the digests of the real people of the
    seed documents (tests/data/seeds/real-identities.sha256): no real data needed."""
    people = [a.pegawai for a in example.assignments] + [
        a.atasan for a in example.assignments if a.atasan is not None]
    real = [(p.nama, p.nip, kinds) for p in people
            if (kinds := real_identities_in(p.nama, p.nip))]
    assert real == []


def test_readme_main_job(tmp_path):
    """`iki-xlsx generate examples/master-bkpsdm-kukar.xlsx -o output/forms`, elsewhere."""
    out, ws = tmp_path / "forms", tmp_path / "ws"
    result = CliRunner().invoke(app, ["generate", str(EXAMPLE), "-o", str(out),
                                      "-w", str(ws)])
    assert result.exit_code == 0, result.output
    forms = list(out.rglob("*.xlsx"))
    assert len(forms) == 75  # 74 forms + daftar-distribusi.xlsx
    assert "74 formulir dibuat" in result.output


@needs_libreoffice
def test_every_example_form_prints_whole(example, tmp_path):
    from iki_xlsx.forms.generate import generate_forms
    from iki_xlsx.workspace import Workspace

    result = generate_forms(example, tmp_path / "forms", Workspace(tmp_path / "ws"))
    pdfs = tmp_path / "pdf"
    run([{"path": str(p.path), "save": [{"path": str(pdfs / f"{i}.pdf"), "format": "pdf"}]}
         for i, p in enumerate(result.forms)])
    for i, p in enumerate(result.forms):
        assert_form_printed_whole(p.form, pdfs / f"{i}.pdf")
        assert_signature_on_one_page(p.form, pdfs / f"{i}.pdf")
        assert_signature_placed_well(p.form, pdfs / f"{i}.pdf")
    assert_printed_with_the_font_under_test(pdfs / "0.pdf")


def assert_printed_with_the_font_under_test(pdf) -> None:
    """``IKI_TEST_FONTS=dejavu`` really printed without Liberation (the wider fallback);
    otherwise Arial is Liberation Sans where it is installed."""
    import shutil
    import subprocess

    import pymupdf

    with pymupdf.open(pdf) as doc:
        fonts = " ".join(f[3] for page in doc for f in page.get_fonts())
    if FONTS == "dejavu":
        assert "DejaVu" in fonts and "Liberation" not in fonts, fonts
    elif shutil.which("fc-list") and "Liberation Sans" in subprocess.run(
            ["fc-list"], capture_output=True, text=True).stdout:
        assert "Liberation" in fonts, fonts


def assert_signature_placed_well(form, pdf) -> None:
    """The place/date line is visible (not clipped by the repeated header), and the
    block is alone on its page only when the page before had no room for it."""
    import pymupdf
    from test_generate_libreoffice import normalise

    from iki_xlsx.core.sheets import MARGINS

    with pymupdf.open(pdf) as doc:
        pages = [page for page in doc if "PETUNJUK PENGISIAN" not in page.get_text()]
        k = max(i for i, page in enumerate(pages) if "Pejabat Penilai Kinerja," in
                page.get_text())
        page = pages[k]
        date_line = form.settings.tempat + ","
        assert normalise(date_line) in normalise(page.get_text()), (pdf.name, "date line")
        if k == 0 or "Rata-rata capaian" in page.get_text():
            return  # the table ends on the signature's page: not alone
        top = page.search_for(date_line)[0].y0
        nip = page.search_for(f"NIP. {form.pegawai.nip_text}")[-1].y1
        prev = pages[k - 1]
        limit = prev.rect.height - MARGINS["bottom"] * 72
        used = max(b[3] for b in prev.get_text("blocks") if b[3] < limit)
        assert nip - top > limit - used - 2, (pdf.name, "signature alone on a page",
                                              nip - top, limit - used)


def assert_signature_on_one_page(form, pdf) -> None:
    """layout.md: the signature block is never split across pages."""
    import pymupdf

    with pymupdf.open(pdf) as doc:
        pages = [page.get_text() for page in doc]
    pages = [t for t in pages if "PETUNJUK PENGISIAN" not in t]  # the IKI sheet only
    first = [k for k, t in enumerate(pages) if "Pejabat Penilai Kinerja," in t]
    last = [k for k, t in enumerate(pages) if f"NIP. {form.pegawai.nip_text}" in t]
    assert first and last and first[-1] == last[-1], (form.pegawai.nama, first, last)


def test_example_validates_without_warnings(example):
    """Every pegawai has a unit kerja, every atasan a jabatan: nothing prints blank. The
    one suggestion: most indikator are jumlah with a yearly target only (issue 22)."""
    loaded = load_master(EXAMPLE)
    assert [p.code for p in loaded.problems] == ["target_periode_disarankan"]
    assert loaded.problems[0].params["n"] > 300
    forms = example.forms()
    assert all(f.pegawai.unit_kerja for f in forms)
    assert all(f.atasan.jabatan for f in forms)
    assert len({f.pegawai.unit_kerja for f in forms}) >= 4  # the recap per unit has rows


def test_every_example_form_keeps_its_input_rows_reachable(example, tmp_path):
    """Frozen rows (if any) total at most 150 pt on every form: on a 1366×768 screen the
    realisasi rows can be scrolled to. No row is over Excel's 409 pt, no ':-'."""
    import zipfile

    from iki_xlsx.core.texts import get_texts
    from iki_xlsx.forms.layout import build_layout

    texts = get_texts()
    result = None
    for form in example.forms():
        lay = build_layout(form, texts)
        assert max(lay.heights.values()) <= 409
        assert not any(isinstance(c.value, str) and c.value.startswith((":-", ": -"))
                       or c.value == ": " for c in lay.cells)
    from iki_xlsx.forms.generate import generate_forms
    from iki_xlsx.workspace import Workspace

    result = generate_forms(example, tmp_path / "f", Workspace(tmp_path / "ws"), jobs=1)
    for p in result.forms:
        with zipfile.ZipFile(p.path) as z:
            xml = z.read("xl/worksheets/sheet1.xml").decode()
        m = re.search(r'<pane [^>]*ySplit="(\d+)"', xml)
        frozen = int(m.group(1)) if m else 0
        heights = p.layout.heights
        assert sum(heights.get(r, 12.75) for r in range(frozen)) <= 150, p.path.name
