"""More of a form's fast paths (forms/package.py, sheetxml.py, helpersheet.py), each
compared byte for byte with what xlsxwriter's own calls write, beside those of
``test_package.py``: printable shared strings, rich strings, the part last met with a
length, the helper sheet's part kept per process."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from test_package import _parts, _same_as_xlsxwriters_own, _shared_strings_part
from xlsxwriter import Workbook

from iki_xlsx.forms.package import PackedWorkbook


def test_printable_shared_strings_are_written_as_xlsxwriter_escapes_them(tmp_path,
                                                                         monkeypatch):
    """A printable string (the manifest's long chunks above all) is written with the XML
    escapes only (forms/package.py, ``_printable_si``): every code point (in strings
    within a cell's limit), every character xlsxwriter or Python counts as whitespace at
    either end, and strings that read like xlsxwriter's own escapes or a raw rich
    string, each the ``<si>`` xlsxwriter writes — long and short, met for the first time
    and again."""
    import sys

    from iki_xlsx.forms import package

    every = "".join(chr(c) for c in range(sys.maxunicode + 1)
                    if not 0xD800 <= c <= 0xDFFF)
    spaces = [chr(c) for c in range(sys.maxunicode + 1)
              if chr(c).isspace() or re.match(r"\s", chr(c))]
    manifest = '{"form_id":"2025-1316ACEE0994","form_z":"eF6tXGFv","nama":"A & B <C>"}' * 40
    odd = [every[i:i + 8000] for i in range(0, len(every), 8000)]  # within a cell's limit
    odd += [every[i:i + 8000][::-1] for i in range(0, len(every), 8000)]
    odd += [manifest, manifest + " ", " " + manifest, manifest + "_x0041_",
           manifest.replace("form_z", "_xABCD_"), manifest + "_x004", "<r>" + manifest,
           "<r><t>" + manifest + "</t></r>", manifest + "\t", manifest + "\x01", "a_xb",
           "& < > \" '", "_", "x" * (package.KEEP_STRING + 1) + "&"]
    odd += [f"{c}{manifest}" for c in spaces] + [f"{manifest}{c}" for c in spaces]
    odd += [f"a{c}b" for c in spaces] + [f"{c}a" for c in spaces] + [f"a{c}" for c in spaces]

    monkeypatch.setattr(package, "_si_xml", {})
    want = _shared_strings_part(tmp_path / "xlsxwriter.xlsx", Workbook, odd)
    assert _shared_strings_part(tmp_path / "first.xlsx", package.PackedWorkbook, odd) == want
    assert _shared_strings_part(tmp_path / "again.xlsx", package.PackedWorkbook, odd) == want
    assert package._printable_si(manifest) is not None  # the fast path was taken


def _rich_runs(path: Path) -> None:
    """Rich strings in a packed workbook (formats made once per process): runs with
    spaces, line breaks, tabs, escapes and control characters at either end, fonts of
    every kind xlsxwriter writes, and parts it takes another way (a run without its own
    format first, a format not made once per process)."""
    from xlsxwriter.format import Format

    from iki_xlsx.forms.sheetxml import DirectSheet

    wb = PackedWorkbook(path)
    base = {"font_name": "Arial", "font_size": 10}
    fonts = [wb.add_format({**base, **props}) for props in (
        {}, {"bold": True, "underline": 1}, {"italic": True, "underline": 2},
        {"font_strikeout": True, "font_script": 1}, {"font_script": 2, "underline": 33},
        {"font_color": "#C00000", "font_outline": True, "font_shadow": True},
        {"font_name": "Calibri", "font_size": 11}, {"underline": 34, "bold": True})]
    cell = wb.add_format({**base, "text_wrap": True, "border": 1})
    ws = wb.add_worksheet("IKI", worksheet_class=DirectSheet)
    texts = [" di depan", "di belakang ", "baris\n", "\tTab", "a & b < c > d", "kendali\x01",
             "\u200bNama Pegawai\u200b", "\u00a0nbsp", "Ñama — ü", "_x0041_", "<r>x</r>",
             "baris\r\n", "a\uffffb"]
    for row, font in enumerate(fonts):
        parts = []
        for k, text in enumerate(texts[row:] + texts[:row]):
            parts += [fonts[(row + k) % len(fonts)], text]
        ws.rich(row, 0, parts, cell)
        ws.rich(row, 1, [font, texts[row], cell, "biasa"], cell)
    ws.rich(20, 0, ["tanpa format dulu", fonts[1], " lalu tebal"], cell)
    ws.rich(21, 0, [Format({"bold": True}), "tidak dibuat sekali", fonts[0], " x"], cell)
    wb.close()


def test_direct_sheet_writes_rich_strings_as_xlsxwriter_does(tmp_path, monkeypatch):
    from iki_xlsx.forms import sheetxml

    monkeypatch.setattr(sheetxml, "_run_fonts", {})
    _same_as_xlsxwriters_own(_rich_runs, tmp_path, monkeypatch, b' t="s"><v>')
    assert sheetxml._run_fonts  # made here (not only through xlsxwriter)


def test_kept_helper_sheets_are_what_xlsxwriter_assembles_for_each_form(
        small_master, tmp_path, monkeypatch):
    """The helper sheet's part is made once per process for the same rows and the same
    sheet around them (forms/helpersheet.py, handed to the packager as bytes): every
    part of every form of the small master, of the same master with its IKIs' fungsi
    doubled (its rows further down) and with each IKI's indikator in reverse order
    (other rows), and with another sheet password (the same rows, another protection),
    generated twice in one process, is byte for byte (all but the time written) what it is when
    xlsxwriter assembles each helper sheet with its rows written in place."""
    from dataclasses import replace

    from xlsxwriter.worksheet import Worksheet

    from iki_xlsx.forms import helpersheet
    from iki_xlsx.forms.generate import generate_forms
    from iki_xlsx.workspace import Workspace

    lower = replace(small_master, iki={code: replace(iki, fungsi=(*iki.fungsi, *iki.fungsi))
                                       for code, iki in small_master.iki.items()})
    turned = replace(small_master, iki={code: replace(iki, indicators=iki.indicators[::-1])
                                        for code, iki in small_master.iki.items()})
    locked_otherwise = replace(small_master, settings=replace(small_master.settings,
                                                              sandi="sandi-lain"))

    def parts(out: Path) -> dict[str, bytes]:
        found = {}  # each master's workspace the same in every run: the same manifests
        for i, master in enumerate((small_master, lower, turned, locked_otherwise)):
            ws = Workspace(tmp_path / f"ws{i}")
            result = generate_forms(master, out / f"formulir{i}", ws, jobs=1)
            ws.close()
            found.update({f"{i} {form.form.key} {name}": data for form in result.forms
                          for name, data in _parts(Path(form.path)).items()
                          if name != "docProps/core.xml"})
        return found

    def rows_in_place(self) -> None:
        self.fh.write(f"<sheetData>{self._rows_xml}</sheetData>")

    with monkeypatch.context() as m:
        m.setattr(helpersheet.HelperSheet, "_assemble_xml_file", Worksheet._assemble_xml_file)
        m.setattr(helpersheet.HelperSheet, "_write_sheet_data", rows_in_place)
        theirs = parts(tmp_path / "a")
    monkeypatch.setattr(helpersheet, "_parts", {})
    first, again = parts(tmp_path / "b"), parts(tmp_path / "c")
    helpers = {data for name, data in theirs.items() if name.endswith("sheet3.xml")}
    assert len(helpers) >= 4 and b"<f t=\"shared\"" in next(iter(helpers))
    assert len(helpersheet._parts) == len(helpers)
    assert first == theirs and again == theirs


def test_a_helper_sheet_outside_a_packed_workbook_writes_its_rows(small_master, tmp_path):
    """A helper sheet hands its part over as bytes only to a packed workbook's packager:
    in xlsxwriter's own workbook it writes its rows itself — the same part."""
    from iki_xlsx.core.texts import get_texts
    from iki_xlsx.forms import layout as L
    from iki_xlsx.forms.helpersheet import HelperSheet

    cells = L.build_layout(small_master.forms()[0], get_texts()).helper_cells

    def write(path: Path, cls) -> bytes:
        wb = cls(str(path), {"in_memory": True}) if cls is Workbook else cls(path)
        sheet = wb.add_worksheet("_hitung", worksheet_class=HelperSheet)
        sheet.put(cells)
        sheet.very_hidden()
        wb.add_worksheet("IKI").activate()
        wb.close()
        return _parts(path)["xl/worksheets/sheet1.xml"]

    plain = write(tmp_path / "plain.xlsx", Workbook)
    assert plain.count(b"<row ") >= len({c.row for c in cells}) > 0
    assert write(tmp_path / "packed.xlsx", PackedWorkbook) == plain


def test_a_part_of_a_kept_parts_length_has_its_own_crc(tmp_path, monkeypatch):
    """The part last met with a length is tried first (forms/package.py, ``_deflated``):
    the same bytes again take its CRC-32 without computing it, other bytes of that
    length get their own CRC-32 and deflate stream — each zip whole and right."""
    import zlib

    from iki_xlsx.forms import package

    monkeypatch.setattr(package, "_cache", package.OrderedDict())
    monkeypatch.setattr(package, "_cached_bytes", 0)
    monkeypatch.setattr(package, "_crc_of_length", {})
    computed = []
    crc32 = zlib.crc32
    monkeypatch.setattr(package.zlib, "crc32", lambda data: computed.append(data) or crc32(data))
    one, two = b"<worksheet>ini</worksheet>", b"<worksheet>itu</worksheet>"
    for name, part in (("a.zip", one), ("b.zip", one), ("c.zip", two), ("d.zip", one),
                       ("e.zip", two), ("f.zip", two)):
        package.write_zip(tmp_path / name, [("xl/worksheets/sheet3.xml", part)])
        with zipfile.ZipFile(tmp_path / name) as z:
            assert z.testzip() is None and z.read("xl/worksheets/sheet3.xml") == part
            assert z.getinfo("xl/worksheets/sheet3.xml").CRC == crc32(part)
    # computed for a (new), c (other bytes), d (other than c), e (other than d) only
    assert computed == [one, two, one, two]
