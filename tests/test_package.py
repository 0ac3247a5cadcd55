"""A form's zip is written by iki-xlsx (forms/package.py) from the parts xlsxwriter
assembles: every reader must find in it exactly what xlsxwriter's own zip holds.

Longer than 400 lines because every fast path of a form's writing (cells, shared strings,
formats, styles, validations, the deflate cache, the manifest's text) has its byte-for-byte
comparison with xlsxwriter's own calls here, beside the others."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from xlsxwriter import Workbook

from iki_xlsx.forms.package import PackedWorkbook


def _fill(wb) -> None:
    wb.set_properties({"title": "Formulir IKI", "created": datetime(2025, 1, 2, 8, 0)})
    ws = wb.add_worksheet("IKI")
    ws.write(0, 0, "Nama pegawai — Ñ")
    for row, text in enumerate((" spasi di depan", "tab\tdi tengah", "kendali\x01", "a & b < c",
                                "Nama pegawai — Ñ", "<r><t>mentah</t></r>"), start=2):
        ws.write_string(row, 0, text)
    bold = wb.add_format({"bold": True})
    ws.write_rich_string(9, 0, bold, "tebal", " biasa")
    ws.write_formula(1, 0, "=1+1", None, 2)
    ws.protect("rahasia")
    hidden = wb.add_worksheet("_hitung")
    hidden.write_formula(0, 0, '=IF(ISTEXT(IKI!A1),"ya","tidak")')
    hidden.very_hidden()


def test_a_packed_workbook_holds_xlsxwriters_parts_in_its_order(tmp_path):
    plain = tmp_path / "xlsxwriter.xlsx"
    wb = Workbook(str(plain), {"in_memory": True})
    _fill(wb)
    wb.close()
    packed = []
    for name in ("first.xlsx", "again.xlsx"):  # the second from compressed parts kept
        wb = PackedWorkbook(tmp_path / name)
        _fill(wb)
        wb.close()
        packed.append(tmp_path / name)
    assert packed[0].read_bytes() == packed[1].read_bytes()
    with zipfile.ZipFile(plain) as want, zipfile.ZipFile(packed[1]) as got:
        assert got.testzip() is None  # every CRC checks
        assert got.namelist() == want.namelist()
        for name in want.namelist():
            assert got.read(name) == want.read(name), name
        assert [(i.compress_type, i.date_time) for i in got.infolist()] == \
            [(i.compress_type, i.date_time) for i in want.infolist()]


def test_forms_sheets_are_the_xml_xlsxwriter_itself_writes(small_master, tmp_path,
                                                             monkeypatch):
    """The IKI sheet's plain cells (FormSheet._write_cell) are written by iki-xlsx: every sheet of every form of the small
    master is byte for byte what xlsxwriter's own cell writer gives."""
    from xlsxwriter.worksheet import Worksheet

    from iki_xlsx.forms.generate import generate_forms
    from iki_xlsx.forms.workbook import FormSheet
    from iki_xlsx.workspace import Workspace

    def sheets(out: Path) -> dict[str, bytes]:
        ws = Workspace(out / "ws")
        result = generate_forms(small_master, out / "formulir", ws, jobs=1)
        ws.close()
        found = {}
        for form in result.forms:
            with zipfile.ZipFile(form.path) as z:
                for name in z.namelist():
                    if name.startswith("xl/worksheets/"):
                        found[f"{form.form.key} {name}"] = z.read(name)
        return found

    ours = sheets(tmp_path / "a")
    monkeypatch.setattr(FormSheet, "_write_cell", Worksheet._write_cell)
    theirs = sheets(tmp_path / "b")
    assert len(ours) >= 8 and ours.keys() == theirs.keys()
    for name, xml in theirs.items():
        assert ours[name] == xml, name


def _xlsxwriter_stores_the_cells(monkeypatch) -> None:
    """DirectSheet (forms/sheetxml.py) as xlsxwriter's own public calls and writers."""
    from xlsxwriter.worksheet import Worksheet

    from iki_xlsx.core.xlsxtext import write_text
    from iki_xlsx.forms.sheetxml import DirectSheet
    from iki_xlsx.forms.workbook import FormSheet

    calls = {
        "blank": lambda ws, r, c, fmt: ws.write_blank(r, c, None, fmt),
        "number": lambda ws, r, c, n, fmt: ws.write_number(r, c, n, fmt),
        "string": lambda ws, r, c, s, fmt: ws.write_string(r, c, s, fmt),
        "text": write_text,
        "rich": lambda ws, r, c, parts, fmt: ws.write_rich_string(r, c, *parts, fmt),
        "formula": lambda ws, r, c, f, fmt, v: ws.write_formula(r, c, f, fmt, v),
        "merged": lambda ws, r0, c0, r1, c1, fmt: ws.merge_range(r0, c0, r1, c1, "", fmt),
        "height": lambda ws, r, h: ws.set_row(r, h),
        "_write_sheet_data": Worksheet._write_sheet_data,
    }
    for name, call in calls.items():
        monkeypatch.setattr(DirectSheet, name, call)
    monkeypatch.setattr(FormSheet, "_write_cell", Worksheet._write_cell)


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def _odd_cells(path: Path) -> None:
    """A DirectSheet holding every kind of cell it stores, and those it hands to
    xlsxwriter."""
    from iki_xlsx.forms.sheetxml import DirectSheet
    from iki_xlsx.forms.workbook import FormSheet

    class Sheet(DirectSheet, FormSheet):
        pass

    wb = Workbook(str(path), {"in_memory": True})
    fmt, bold = wb.add_format({"border": 1}), wb.add_format({"bold": True})
    ws = wb.add_worksheet("IKI", worksheet_class=Sheet)
    ws.set_column(0, 3, 12)
    for row, height in ((0, 30), (3, 15), (17, 40), (40, 20)):
        ws.set_row(row, height)
    ws.set_row(5, 20, None, {"hidden": True})
    ws.merged(0, 0, 1, 3, fmt)
    ws.text(0, 0, "Judul & <sub>", fmt)
    ws.text(2, 0, "<r><t>mentah</t></r>", fmt)
    ws.text(2, 1, "tanpa format", None)
    ws.text(2, 2, "", fmt)
    ws.text(2, 3, "", None)
    ws.text(2, 4, " spasi\tdan kendali\x01", fmt)
    ws.number(4, 0, 85.5, fmt)
    ws.number(4, 1, 3, None)
    ws.number(4, 2, True, fmt)
    ws.formula(6, 0, '=IF(A5>0,"ya & <b>","")', fmt, "")
    ws.formula(6, 1, "=A5*2", fmt, 171)
    ws.formula(6, 2, "=1/0", fmt, "#DIV/0!")
    ws.formula(6, 3, '="x"', fmt, "x")
    ws.formula(6, 4, "=A5>1", fmt, True)
    ws.merged(18, 1, 20, 2, fmt)
    ws.number(18, 1, 7, fmt)
    ws.merged(33, 0, 33, 5, fmt)
    ws.rich(33, 0, [bold, "tebal", fmt, " biasa"], fmt)
    ws.blank(50, 6, fmt)
    ws.string(50, 6, "ditimpa", fmt)
    ws.protect("x")
    wb.close()


def _same_as_xlsxwriters_own(write, tmp_path, monkeypatch, mark: bytes) -> None:
    """A workbook ``write`` makes through DirectSheet has the parts of the one it makes
    through xlsxwriter's own calls (which hold ``mark``: what the test is about)."""
    write(tmp_path / "ours.xlsx")
    _xlsxwriter_stores_the_cells(monkeypatch)
    write(tmp_path / "theirs.xlsx")
    ours, theirs = _parts(tmp_path / "ours.xlsx"), _parts(tmp_path / "theirs.xlsx")
    assert mark in theirs["xl/worksheets/sheet1.xml"]
    assert ours == theirs


def test_direct_sheet_writes_each_kind_of_cell_as_xlsxwriter_does(tmp_path, monkeypatch):
    _same_as_xlsxwriters_own(_odd_cells, tmp_path, monkeypatch, b"<mergeCell ")


def _heights(path: Path) -> None:
    """Row heights set by DirectSheet.height: first on an empty sheet, beside cells,
    past them, fractional, zero (a hidden row: xlsxwriter's own)."""
    from iki_xlsx.forms.sheetxml import DirectSheet

    wb = Workbook(str(path), {"in_memory": True})
    fmt = wb.add_format({"text_wrap": True})
    ws = wb.add_worksheet("Petunjuk", worksheet_class=DirectSheet)
    ws.set_column(2, 2, 40)
    ws.height(3, 30)
    ws.text(3, 2, "baris", fmt)
    for row, height in ((0, 18), (4, 12.75), (5, 0), (9, 409), (70, 33.3)):
        ws.height(row, height)
    ws.text(9, 4, "lain", fmt)
    empty = wb.add_worksheet("kosong", worksheet_class=DirectSheet)
    empty.height(2, 20)
    wb.close()


def test_direct_sheet_row_heights_are_what_set_row_gives(tmp_path, monkeypatch):
    _same_as_xlsxwriters_own(_heights, tmp_path, monkeypatch, b'customHeight="1"')


def test_every_part_of_every_form_is_what_xlsxwriters_own_calls_give(
        small_master, tmp_path, monkeypatch):
    """The IKI sheet's cells are stored and written as XML by iki-xlsx
    (forms/sheetxml.py): every part of every form of the small master, the shared
    strings and the sheets included, is byte for byte what the same cells stored through
    xlsxwriter's own calls give."""
    from iki_xlsx.forms.generate import generate_forms
    from iki_xlsx.workspace import Workspace

    def forms(out: Path) -> dict[str, dict[str, bytes]]:
        ws = Workspace(out / "ws")
        result = generate_forms(small_master, out / "formulir", ws, jobs=1)
        ws.close()
        return {form.form.key: _parts(Path(form.path)) for form in result.forms}

    ours = forms(tmp_path / "a")
    _xlsxwriter_stores_the_cells(monkeypatch)
    theirs = forms(tmp_path / "b")
    assert len(theirs) >= 2 and ours.keys() == theirs.keys()
    mark = b"<si><t>iki-xlsx-manifest</t></si>"
    for key, parts in theirs.items():
        assert list(ours[key]) == list(parts), key
        for name, data in parts.items():
            if name == "xl/sharedStrings.xml":  # the strings of the manifest, signed
                # by each workspace's own key, come last
                assert mark in data and ours[key][name].split(mark)[0] == data.split(mark)[0]
            elif not name.startswith("docProps/"):  # the form id, the time written
                assert ours[key][name] == data, f"{key} {name}"


def test_a_direct_sheet_refuses_cells_stored_by_xlsxwriter_beside_its_own(tmp_path):
    """Cells written by xlsxwriter's write_* calls on a DirectSheet would never reach
    the file: closing says so instead of losing them."""
    from iki_xlsx.forms.sheetxml import DirectSheet

    wb = Workbook(str(tmp_path / "mixed.xlsx"), {"in_memory": True})
    ws = wb.add_worksheet("IKI", worksheet_class=DirectSheet)
    ws.text(0, 0, "disimpan sendiri", wb.add_format({"bold": True}))
    ws.write_string(1, 0, "lewat xlsxwriter")
    with pytest.raises(ValueError, match="would be lost"):
        wb.close()


def test_a_forms_own_parts_are_deflated_fast_and_the_recurring_ones_as_before(generated):
    """The parts that differ in every form (the IKI sheet, the Petunjuk, the shared
    strings, the document properties) are deflated at zlib's fastest level, the others
    (the helper sheet above all, the same in forms whose indikator read alike) at the
    default level: each part's stored bytes are what that level gives."""
    import zlib

    from iki_xlsx.forms import layout as L

    def deflated(data: bytes, level: int) -> bytes:
        packer = zlib.compressobj(level, zlib.DEFLATED, -15)
        return packer.compress(data) + packer.flush()

    result, _ = generated
    form = result.forms[0].path
    with zipfile.ZipFile(form) as z:
        names = {}  # sheet name → its part, from workbook.xml and its relationships
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        for sheet_name, rid in re.findall(r'<sheet name="([^"]+)" sheetId="\d+"[^>]*r:id="(\w+)"',
                                         z.read("xl/workbook.xml").decode()):
            names[sheet_name] = "xl/" + re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"',
                                                  rels).group(1)
        own = {names[L.SHEET_FORM], names[L.SHEET_GUIDE], "xl/sharedStrings.xml",
               "docProps/core.xml", "docProps/custom.xml"}
        assert len(own) == 5 and names[L.SHEET_HELPER] not in own
        with open(form, "rb") as raw:
            for info in z.infolist():
                raw.seek(info.header_offset + 26)
                skip = int.from_bytes(raw.read(2), "little") + int.from_bytes(raw.read(2),
                                                                               "little")
                raw.seek(skip, 1)
                stored = raw.read(info.compress_size)
                level = 1 if info.filename in own else zlib.Z_DEFAULT_COMPRESSION
                assert stored == deflated(z.read(info.filename), level), info.filename


def test_kept_data_validations_are_what_xlsxwriter_writes_for_each_form(
        small_master, tmp_path, monkeypatch):
    """Forms whose REALISASI checks are alike reuse the first one's
    ``<dataValidations>`` (sheetxml.DirectSheet.kept_validations): every sheet of every
    form of the small master and of the same master with each IKI's indikator in reverse
    order (the same kinds of indikator in other rows), generated twice in one process
    (the second time every form's rules kept from the first), is byte for byte what it
    is when xlsxwriter stores and writes each form's rules."""
    from dataclasses import replace

    from iki_xlsx.forms import sheetxml
    from iki_xlsx.forms.generate import generate_forms
    from iki_xlsx.workspace import Workspace

    reversed_ = replace(small_master, iki={
        code: replace(iki, indicators=tuple(reversed(iki.indicators)))
        for code, iki in small_master.iki.items()})

    def sheets(out: Path) -> dict[str, bytes]:
        found = {}
        for i, master in enumerate((small_master, reversed_)):
            ws = Workspace(out / f"ws{i}")
            result = generate_forms(master, out / f"formulir{i}", ws, jobs=1)
            ws.close()
            found.update({f"{i} {form.form.key} {name}": data for form in result.forms
                          for name, data in _parts(Path(form.path)).items()
                          if name.startswith("xl/worksheets/")})
        return found

    with monkeypatch.context() as m:
        m.setattr(sheetxml.DirectSheet, "kept_validations", lambda self, key: False)
        theirs = sheets(tmp_path / "a")
    monkeypatch.setattr(sheetxml, "_kept_validations", {})
    first, again = sheets(tmp_path / "b"), sheets(tmp_path / "c")
    rules = {xml.split(b"<dataValidations")[1].split(b"</dataValidations>")[0]
             for xml in theirs.values() if b"<dataValidations" in xml}
    assert len(rules) >= 2 and len(sheetxml._kept_validations) == len(rules)
    assert first == theirs and again == theirs


def test_kept_conditional_formats_are_what_xlsxwriter_writes_for_each_form(
        small_master, tmp_path, monkeypatch):
    """Forms whose warnings cover the same ranges reuse the first one's
    ``<conditionalFormatting>`` (sheetxml.DirectSheet.kept_conditional_formats): every
    sheet and the styles (their dxf) of every form of the small master and of the same
    master with its IKIs' fungsi doubled (the table further down), generated twice in
    one process, are byte for byte what they are when xlsxwriter stores and writes each
    form's conditional formats."""
    from dataclasses import replace

    from iki_xlsx.forms import sheetxml
    from iki_xlsx.forms.generate import generate_forms
    from iki_xlsx.workspace import Workspace

    lower = replace(small_master, iki={code: replace(iki, fungsi=(*iki.fungsi, *iki.fungsi))
                                       for code, iki in small_master.iki.items()})

    def parts(out: Path) -> dict[str, bytes]:
        found = {}
        for i, master in enumerate((small_master, lower)):
            ws = Workspace(out / f"ws{i}")
            result = generate_forms(master, out / f"formulir{i}", ws, jobs=1)
            ws.close()
            found.update({f"{i} {form.form.key} {name}": data for form in result.forms
                          for name, data in _parts(Path(form.path)).items()
                          if name.startswith("xl/worksheets/") or name == "xl/styles.xml"})
        return found

    with monkeypatch.context() as m:
        m.setattr(sheetxml.DirectSheet, "kept_conditional_formats",
                  lambda self, key, formats: False)
        theirs = parts(tmp_path / "a")
    monkeypatch.setattr(sheetxml, "_kept_conditional", {})
    first, again = parts(tmp_path / "b"), parts(tmp_path / "c")
    kinds = {xml.split(b"<conditionalFormatting", 1)[1].split(b"<dataValidations")[0]
             for xml in theirs.values() if b"<conditionalFormatting" in xml}
    assert len(kinds) >= 2 and len(sheetxml._kept_conditional) == len(kinds)
    assert first == theirs and again == theirs


def test_kept_formats_and_styles_are_what_xlsxwriter_makes_for_each_form(
        small_master, tmp_path, monkeypatch):
    """A form's formats are copied from ones made once per process, and its styles part
    is written again when an earlier workbook's formats were made alike
    (forms/package.py): every part of every form of the small master — with nothing
    kept, then again from what was kept — is byte for byte what xlsxwriter's own
    add_format and styles give."""
    from xlsxwriter import Workbook as Plain

    from iki_xlsx.forms import package
    from iki_xlsx.forms.generate import generate_forms
    from iki_xlsx.workspace import Workspace

    def forms(out: Path) -> dict[str, dict[str, bytes]]:
        ws = Workspace(out / "ws")
        result = generate_forms(small_master, out / "formulir", ws, jobs=1)
        ws.close()
        return {form.form.key: _parts(Path(form.path)) for form in result.forms}

    monkeypatch.setattr(package, "_formats", {})
    monkeypatch.setattr(package, "_styles_xml", {})
    runs = [forms(tmp_path / "first"), forms(tmp_path / "kept")]
    assert package._formats and package._styles_xml  # the second run used them
    monkeypatch.setattr(package.PackedWorkbook, "add_format", Plain.add_format)
    monkeypatch.setattr(package.PackedWorkbook, "_prepare_format_properties",
                        Plain._prepare_format_properties)
    theirs = forms(tmp_path / "xlsxwriter")
    mark = b"<si><t>iki-xlsx-manifest</t></si>"
    for ours in runs:
        assert len(theirs) >= 2 and ours.keys() == theirs.keys()
        for key, parts in theirs.items():
            assert list(ours[key]) == list(parts), key
            for name, data in parts.items():
                if name == "xl/sharedStrings.xml":  # the manifest's strings: own key
                    assert ours[key][name].split(mark)[0] == data.split(mark)[0]
                elif not name.startswith("docProps/"):  # the form id, the time written
                    assert ours[key][name] == data, f"{key} {name}"


def test_a_kept_styles_part_is_the_one_of_formats_used_in_the_same_order(tmp_path):
    """Workbooks adding the same formats but using them in another order (so numbered
    otherwise), one after the other in a process, the first order again at the end:
    each styles part is xlsxwriter's."""
    from iki_xlsx.forms import package

    def fill(wb, order) -> None:
        formats = {name: wb.add_format({name: 1}) for name in ("bold", "italic", "border")}
        formats["also bold"] = wb.add_format({"bold": 1})  # the same key as "bold"
        ws = wb.add_worksheet("IKI")
        for row, name in enumerate((*order, "also bold")):
            ws.write_string(row, 0, name, formats[name])
        ws.conditional_format(0, 1, 5, 1, {"type": "formula", "criteria": "=A1=1",
                                           "format": formats[order[-1]]})

    for i, order in enumerate((("bold", "italic", "border"), ("italic", "bold", "border"),
                               ("border", "bold", "italic"), ("bold", "italic", "border"))):
        plain, packed = tmp_path / f"xlsxwriter{i}.xlsx", tmp_path / f"packed{i}.xlsx"
        wb = Workbook(str(plain), {"in_memory": True})
        fill(wb, order)
        wb.close()
        wb = package.PackedWorkbook(packed)
        fill(wb, order)
        wb.close()
        assert _parts(packed)["xl/styles.xml"] == _parts(plain)["xl/styles.xml"], order
    assert package._styles_xml


def _shared_strings_part(path: Path, cls, texts: list[str]) -> bytes:
    """The shared strings part of a workbook of class ``cls`` (xlsxwriter's ``Workbook``
    or ``PackedWorkbook``) whose IKI sheet holds ``texts``, one a row."""
    wb = cls(str(path), {"in_memory": True}) if cls is Workbook else cls(path)
    ws = wb.add_worksheet("IKI")
    for row, text in enumerate(texts):
        ws.write_string(row, 0, text)
    wb.close()
    return _parts(path)["xl/sharedStrings.xml"]


def test_plain_shared_strings_are_written_as_xlsxwriter_escapes_them(tmp_path, monkeypatch):
    """A string with nothing to escape is written without xlsxwriter's escaping passes
    (forms/package.py): each of these, met for the first time and again, is the
    ``<si>`` xlsxwriter writes."""
    from iki_xlsx.forms import package

    odd = ["biasa", "Nama pegawai — Ñ", " di depan", "di belakang ", "\u00a0nbsp",
           "em\u2003", "tab\tdi tengah", "baris\nbaru", "kendali\x01", "_x0041_ dan _",
           "a & b < c > d", 'kutip "ganda"', "<r><t>mentah</t></r>", "<r>", "bukan\ufffe",
           "x" * (package.KEEP_STRING + 1), "=1+1", "1e3"]

    monkeypatch.setattr(package, "_si_xml", {})
    want = _shared_strings_part(tmp_path / "xlsxwriter.xlsx", Workbook, odd)
    assert _shared_strings_part(tmp_path / "first.xlsx", package.PackedWorkbook, odd) == want
    assert _shared_strings_part(tmp_path / "again.xlsx", package.PackedWorkbook, odd) == want
    assert "x" * (package.KEEP_STRING + 1) not in package._si_xml


def test_sign_text_is_sign_then_to_text(generated):
    """generate signs each manifest and makes its text in one pass
    (manifest.sign_text): the same manifest and the same text as sign, then to_text."""
    import json

    from iki_xlsx.forms.manifest import sign, sign_text, to_text

    result, _ = generated
    key = b"kunci" * 7
    bodies = [{k: v for k, v in json.loads(form.manifest_text).items() if k != "hmac"}
              for form in result.forms]
    bodies += [{}, {"z": 1, "hmac": "lama", "ä": [1.5, None, {"b": 2, "a": "x\\"}], "A": ""},
               {"hmac": "lama"}]
    for body in bodies:
        want = sign(body, key)
        got, text = sign_text(body, key)
        assert got == want and text == to_text(want)
        assert json.loads(text) == want


def test_a_part_is_taken_from_the_cache_only_for_the_same_bytes(tmp_path, monkeypatch):
    """Parts are looked up by length and CRC-32, then compared: a part whose length and
    CRC-32 are those of other bytes kept (a collision, planted here) gets the deflate
    stream of its own bytes, and is kept in their place."""
    import zlib

    from iki_xlsx.forms import package

    ours, other = b"<worksheet>ini</worksheet>", b"<worksheet>itu</worksheet>"
    key = (len(ours), zlib.crc32(ours))
    monkeypatch.setattr(package, "_cache", package.OrderedDict(
        {key: (other, package._compress(other, 6))}))
    monkeypatch.setattr(package, "_cached_bytes", len(other))
    for name in ("first.zip", "again.zip"):
        package.write_zip(tmp_path / name, [("xl/worksheets/sheet1.xml", ours)])
        with zipfile.ZipFile(tmp_path / name) as z:
            assert z.testzip() is None and z.read("xl/worksheets/sheet1.xml") == ours
    assert package._cache[key][0] == ours and package._cached_bytes == len(ours)
