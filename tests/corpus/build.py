"""The corpus of hostile and broken returned files, made from scratch by this script.

Nothing here is an opaque binary: every bad file is made on the fly from forms the test
generates, with the recipe next to its expectation. :func:`build` writes them into an
inbox beside good files and returns one :class:`Case` per file: the exact problems
(code and cell) collect must report, its status, and — for files that are collected —
the values it must record and for which pegawai.

Run it by hand to look at the files::

    python tests/corpus/build.py /tmp/korpus      # then: iki-xlsx collect /tmp/korpus/masuk -w /tmp/korpus/ws
"""

from __future__ import annotations

import io
import json
import os
import shutil
import struct
import subprocess
import sys
import warnings
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/: filling, conftest data

from filling import fill, zip_of

from iki_xlsx.forms import layout as L
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.workspace import Workspace

KEPALA = ("197001011995031001", "IKI-KEPALA")
SEKRETARIS = ("198203152006042002", "IKI-SEKRETARIS")
PLT = ("198203152006042002", "IKI-PENGOLAH")  # Sri Lestari's second (acting) form
ANDI = ("199005202015031003", "IKI-PENGOLAH")
NUR = ("199107112019032011", "IKI-PENGOLAH")

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"
ARCHIVE = "lampiran.zip"


@dataclass
class Case:
    name: str  # the file's name in the inbox (archive members: "lampiran.zip › member")
    status: str  # diterima | diterima_catatan | ditolak
    problems: set[tuple[str, str]] = field(default_factory=set)  # exact (code, cell)
    form: tuple[str, str] | None = None  # whose form it is recorded for
    values: dict | None = None  # indicator id → {period: value} (and "ket": keterangan)
    what: str = ""  # the recipe, in words
    duplicate: bool = False  # same content as a file listed before it
    group: str = ""  # files with the same content: exactly one of them is not a duplicate
    used: bool | None = None  # (unused since values count cell by cell, not per file)


@dataclass
class Corpus:
    ws: Workspace
    inbox: Path
    cases: list[Case]
    forms: dict  # (nip, kode) → PlannedForm of the latest revision
    good: dict  # (nip, kode) → the case name that must be each form's current submission

    def case(self, name: str) -> Case:
        return next(c for c in self.cases if c.name == name)


# --------------------------------------------------------------------------- zip tools

def rewrite(src: Path | bytes, dst: Path | None = None, *, edit: dict | None = None,
            add: dict | None = None, drop: tuple = ()) -> bytes:
    """A copy of zip ``src`` with members edited (name → fn(bytes) → bytes), added and
    dropped; written to ``dst`` when given."""
    data = src.read_bytes() if isinstance(src, Path) else src
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, \
            zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        missing = set(edit or ()) - set(zin.namelist())
        assert not missing, f"no such member: {missing}"
        for item in zin.infolist():
            if item.filename in drop:
                continue
            body = zin.read(item.filename)
            if edit and item.filename in edit:
                body = edit[item.filename](body)
            zout.writestr(item, body, compress_type=zipfile.ZIP_DEFLATED)
        for name, body in (add or {}).items():
            zout.writestr(name, body)
    out = buf.getvalue()
    if dst is not None:
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_bytes(out)
    return out


def declare_size(data: bytes, member: str, size: int, flag: int = 0) -> bytes:
    """Patch the uncompressed size a zip declares for ``member`` (local header and
    central directory) — the sizes a bomb lies about — and OR ``flag`` into its flags."""
    raw = bytearray(data)
    name = member.encode()
    for sig, size_at, name_len_at, name_at, flag_at in ((b"PK\x03\x04", 22, 26, 30, 6),
                                                        (b"PK\x01\x02", 24, 28, 46, 8)):
        pos = 0
        while (i := raw.find(sig, pos)) >= 0:
            n = struct.unpack_from("<H", raw, i + name_len_at)[0]
            if raw[i + name_at: i + name_at + n] == name:
                if size >= 0:
                    struct.pack_into("<I", raw, i + size_at, size)
                raw[i + flag_at] |= flag
            pos = i + 4
    return bytes(raw)


def sheet_xml_edit(fn):
    return {"xl/worksheets/sheet1.xml": fn}


def ods(content_body: str, *, meta_inf: bool = True, prolog: str = "") -> bytes:
    """A minimal OpenDocument spreadsheet with one content.xml body."""
    content = (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
               'office:version="1.2"><office:body><office:spreadsheet>'
               f'{content_body}</office:spreadsheet></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
                '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIME}"/>'
                '<manifest:file-entry manifest:full-path="content.xml" '
                'manifest:media-type="text/xml"/></manifest:manifest>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), ODS_MIME)  # stored, first: as ODF wants
        z.writestr("content.xml", content)
        if meta_inf:
            z.writestr("META-INF/manifest.xml", manifest)
    return buf.getvalue()


def ods_table(name: str, rows: list[list[str]]) -> str:
    cells = "".join("<table:table-row>" + "".join(
        f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
        for v in row) + "</table:table-row>" for row in rows)
    return f'<table:table table:name="{name}">{cells}</table:table>'


# --------------------------------------------------------------------------- forms

def real(m: dict, i: int, period: str) -> str:
    return m["indicators"][i]["cells"]["realisasi"][period]


def ket(m: dict, i: int) -> str:
    return m["indicators"][i]["cells"]["keterangan"]


def row(m: dict, i: int) -> int:
    return m["indicators"][i]["row"]


def typed(m: dict, values: dict[int, list]) -> dict[str, object]:
    """{indicator index: [TW1, TW2, …]} → {cell: value}."""
    out = {}
    for i, vals in values.items():
        for period, v in zip(m["periods"], vals):
            out[real(m, i, period)] = v
    return out


def expect(m: dict, values: dict[int, list]) -> dict:
    """The realisasi collect records for ``values`` (numbers as floats, blanks None)."""
    out = {}
    for i, vals in values.items():
        vals = list(vals) + [None] * (len(m["periods"]) - len(vals))
        out[m["indicators"][i]["id"]] = {
            p: (float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
            for p, v in zip(m["periods"], vals)}
    return out


def copy_manifest(src: Path, into: Path, dst: Path) -> Path:
    """``into``'s workbook carrying ``src``'s manifest sheet (cell by cell): a signature
    that is valid, on cells that belong to someone else."""
    theirs = openpyxl.load_workbook(src)[L.SHEET_MANIFEST]
    wb = openpyxl.load_workbook(into)
    mine = wb[L.SHEET_MANIFEST]
    for r in range(1, max(theirs.max_row, mine.max_row) + 1):
        mine.cell(r, 1).value = theirs.cell(r, 1).value
    dst.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dst)
    return dst


# --------------------------------------------------------------------------- build

def build(root: Path, master) -> Corpus:
    """Generate forms for ``master`` in ``root/ws`` (with a second revision of
    IKI-PENGOLAH and a form from another workspace) and write the corpus into
    ``root/masuk``."""
    root.mkdir(parents=True, exist_ok=True)
    ws = Workspace(root / "ws")
    first = {p.form.key: p for p in generate_forms(master, root / "f1", ws, jobs=1).forms}
    d = master.iki["IKI-PENGOLAH"]
    revised = replace(master, iki={**master.iki, "IKI-PENGOLAH": replace(
        d, tugas=d.tugas + " dan pelaporan")})
    forms = {**first, **{p.form.key: p for p in generate_forms(revised, root / "f2", ws,
                                                               jobs=1).forms}}
    other = {p.form.key: p for p in generate_forms(master, root / "f-lain",
                                                   Workspace(root / "ws-lain"),
                                                   jobs=1).forms}
    inbox = root / "masuk"
    inbox.mkdir()
    cases: list[Case] = []
    k, s = forms[KEPALA], forms[SEKRETARIS]
    km, sm = k.manifest, s.manifest
    work = root / "kerja"
    work.mkdir()

    def put(name: str, data: bytes) -> Path:
        path = inbox / name
        path.write_bytes(data)
        return path

    def case(name, status, problems=(), **kw) -> Case:
        c = Case(name, status, set(problems), **kw)
        cases.append(c)
        return c

    # ---- good files: every period filled; each is its form's current submission
    k_full = {0: [80, 82.5, 84, 86], 1: [0, 0, 1, 0], 2: [100, 100, 100, 100],
              3: [90, 95, 97, 100]}
    fill(k.path, inbox / "baik-kepala.xlsx", typed(km, k_full))
    case("baik-kepala.xlsx", "diterima", form=KEPALA, values=expect(km, k_full), used=True,
         what="formulir Kepala, semua periode terisi")
    s_full = {0: ["Ya", "Ya", "Tidak", "Ya"], 1: [85, "86,5", 87, 88]}
    fill(s.path, inbox / "baik-sekretaris.xlsx", typed(sm, s_full))
    s_expect = expect(sm, s_full)
    s_expect["02"]["TW2"] = 86.5
    case("baik-sekretaris.xlsx", "diterima", form=SEKRETARIS, values=s_expect, used=True,
         what="formulir Sekretaris: Ya/Tidak dan rentang, angka dengan koma")

    # ---- two different files for the same form: the later content wins, the other says so
    am = forms[ANDI].manifest
    fill(forms[ANDI].path, inbox / "pengolah-tw1.xlsx", typed(am, {0: [3], 1: [70]}))
    case("pengolah-tw1.xlsx", "diterima", form=ANDI, values=expect(am, {0: [3], 1: [70]}),
         used=False, what="Andi, hanya TW1: nilainya tetap dipakai, TW2 dari berkas lain")
    fill(forms[ANDI].path, inbox / "pengolah-tw2.xlsx", typed(am, {0: [3, 3], 1: [70, 72]}))
    case("pengolah-tw2.xlsx", "diterima", form=ANDI, values=expect(am, {0: [3, 3], 1: [70, 72]}),
         used=True, what="Andi, TW1 dan TW2")

    # ---- the same file twice, under two names
    s_tw1 = {0: ["Ya"], 1: [84]}
    twin = fill(s.path, inbox / "kembar-1.xlsx", typed(sm, s_tw1))
    shutil.copy(twin, inbox / "kembar-2.xlsx")
    case("kembar-1.xlsx", "diterima", form=SEKRETARIS, values=expect(sm, s_tw1), used=False)
    case("kembar-2.xlsx", "diterima", form=SEKRETARIS, values=expect(sm, s_tw1), used=False,
         duplicate=True, what="salinan persis kembar-1.xlsx")

    # ---- unusual file names (good content: Kepala, TW1 only)
    k_tw1 = {0: [81], 1: [0], 2: [99], 3: [91]}
    k_tw1_cells = typed(km, k_tw1)
    base_tw1 = fill(k.path, work / "kepala-tw1.xlsx", k_tw1_cells)
    names = ["IKI Kepala — تقرير 😀 Ñandú (revisi 2).xlsx",
             "x\u202eslx.exe",  # right-to-left override: shows as "exe.xlsx"
             "A" * 230 + ".xlsx",  # near the 255-byte limit of a name
             "\x1b[31mmerah [bold]tebal.xlsx"]  # terminal escape, console markup
    for name in names:
        shutil.copy(base_tw1, inbox / name)
        case(name, "diterima", form=KEPALA, values=expect(km, k_tw1), used=False,
             group="kepala-tw1", what="nama berkas unicode/panjang/kontrol")
    if sys.platform.startswith("linux"):  # bytes that are not UTF-8 in a file name
        shutil.copy(base_tw1, os.fsencode(inbox) + b"/nama-\xff\xfe-latin1.xlsx")
        case("nama-\\xff\\xfe-latin1.xlsx", "diterima", form=KEPALA, values=expect(km, k_tw1),
             used=False, group="kepala-tw1", what="nama berkas bukan UTF-8")

    # ---- accepted with a note: the issued content is used
    g = f"G{row(km, 0)}"
    fill(k.path, inbox / "target-diubah.xlsx", {**k_tw1_cells, g: 1}, unprotect=True)
    case("target-diubah.xlsx", "diterima_catatan", {("target_diubah", g), ("proteksi_dibuka", "")},
         form=KEPALA, values=expect(km, k_tw1), used=False,
         what="proteksi dibuka dan target diubah: target resmi tetap dipakai")
    n = f"N{row(km, 0)}"
    fill(k.path, inbox / "salah-kolom.xlsx", {**typed(km, {1: [0]}), n: 81}, unprotect=True)
    case("salah-kolom.xlsx", "diterima_catatan",
         {("realisasi_salah_kolom", n), ("proteksi_dibuka", "")}, form=KEPALA,
         values=expect(km, {0: [None], 1: [0]}), used=False,
         what="realisasi diketik di kolom N (di kanan KETERANGAN)")
    path = fill(k.path, work / "gabung.xlsx", k_tw1_cells, unprotect=True)
    wb = openpyxl.load_workbook(path)
    sh = wb["IKI"]
    r3, r4 = row(km, 2), row(km, 3)
    sh.unmerge_cells(f"A{r3}:A{r4}")  # the sasaran group of indicators 3 and 4
    sh.unmerge_cells(f"B{r3}:B{r4}")
    tw1, tw2 = real(km, 0, "TW1"), real(km, 0, "TW2")
    sh.merge_cells(f"{tw1}:{tw2}")  # two realisasi cells merged: the first keeps its value
    wb.save(inbox / "sel-digabung.xlsx")
    case("sel-digabung.xlsx", "diterima_catatan", {("proteksi_dibuka", "")}, form=KEPALA,
         values=expect(km, k_tw1), used=False,
         what="sel sasaran dipisah, dua sel realisasi digabung")
    wb = openpyxl.load_workbook(path)
    wb["IKI"].merge_cells(f"C{row(km, 0)}:D{row(km, 0)}")  # hides the penjelasan text
    wb.save(inbox / "gabung-terkunci.xlsx")
    case("gabung-terkunci.xlsx", "diterima_catatan",
         {("isi_terkunci_berubah", f"D{row(km, 0)}"), ("proteksi_dibuka", "")}, form=KEPALA,
         values=expect(km, k_tw1), used=False, what="sel terkunci digabung: teksnya hilang")
    last = max(int(m) for m in [km["indicators"][-1]["row"]]) + 15
    junk = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>sampah %d</t></is></c>'
                    b'<c r="H%d"><v>%d</v></c></row>' % (r, r, r, r, r)
                    for r in range(last, last + 10_000))
    rewrite(base_tw1, inbox / "sampah-10000-baris.xlsx", edit=sheet_xml_edit(
        lambda x: x.replace(b"</sheetData>", junk + b"</sheetData>")))
    case("sampah-10000-baris.xlsx", "diterima_catatan", {("isian_di_luar", f"A{last}")},
         form=KEPALA, values=expect(km, k_tw1), used=False,
         what="10.000 baris sampah di bawah tabel")
    h = real(km, 0, "TW1")
    markup = real(km, 2, "TW1")
    fill(k.path, inbox / "markup.xlsx", {**typed(km, {1: [0]}), markup: "[/] [red]x"})
    case("markup.xlsx", "diterima_catatan", {("realisasi_tidak_terbaca", markup)}, form=KEPALA,
         values=expect(km, {1: [0], 2: [None]}), used=False,
         what="realisasi '[/] [red]x': teks yang bagi konsol adalah markup")

    def cell_xml(ref: str, inner: bytes) -> callable:
        def edit(xml: bytes) -> bytes:
            import re

            new, count = re.subn(  # an empty input cell, as openpyxl writes it (<c …/>
                # with lxml installed, <c …></c> without)
                rb'<c r="' + ref.encode() + rb'"([^>]*?)\s*(?:/>|></c>)',
                lambda m: b'<c r="' + ref.encode() + b'"' + re.sub(rb'\s*t="\w+"', b"", m[1])
                + inner, xml)
            assert count == 1, ref
            return new
        return edit

    err = cell_xml(h, b' t="e"><f>1/0</f><v>#DIV/0!</v></c>')
    rewrite(fill(k.path, work / "bagi-nol.xlsx", typed(km, {1: [0]})),
            inbox / "rumus-bagi-nol.xlsx", edit=sheet_xml_edit(err))
    case("rumus-bagi-nol.xlsx", "diterima_catatan", {("realisasi_galat", h)}, form=KEPALA,
         values=expect(km, {0: [None], 1: [0]}), used=False,
         what="realisasi =1/0 (hasil tersimpan #DIV/0!)")
    fill(k.path, inbox / "rumus-tanpa-nilai.xlsx", {**typed(km, {1: [0]}), h: "=40+41"})
    case("rumus-tanpa-nilai.xlsx", "diterima_catatan", {("realisasi_rumus_tanpa_nilai", h)},
         form=KEPALA, values=expect(km, {0: [None], 1: [0]}), used=False,
         what="rumus yang belum pernah dihitung (ditulis oleh program, bukan Excel)")
    k1, k2 = ket(sm, 0), ket(sm, 1)
    link = cell_xml(k1, b' t="str"><f>HYPERLINK("http://contoh.invalid/x","klik")</f>'
                        b'<v>klik</v></c>')
    dde = cell_xml(k2, b' t="e"><f>cmd|\' /C calc\'!A0</f><v>#REF!</v></c>')
    rewrite(fill(s.path, work / "ket.xlsx", typed(sm, s_tw1)), inbox / "keterangan-rumus.xlsx",
            edit=sheet_xml_edit(lambda x: dde(link(x))))
    v = expect(sm, s_tw1)
    v["01"]["ket"], v["02"]["ket"] = "klik", None
    case("keterangan-rumus.xlsx", "diterima_catatan",
         {("keterangan_rumus", k1), ("keterangan_rumus", k2)}, form=SEKRETARIS, values=v,
         used=False, what="=HYPERLINK(...) dan =cmd|' /C calc'!A0 di KETERANGAN")

    # ---- rejected: not a spreadsheet at all
    put("kosong.xlsx", b"")
    case("kosong.xlsx", "ditolak", {("berkas_kosong", "")})
    put("teks.xlsx", b"Ini surat, bukan Excel.\n")
    case("teks.xlsx", "ditolak", {("bukan_spreadsheet", "")}, what="teks diberi nama .xlsx")
    data = k.path.read_bytes()
    put("terpotong.xlsx", data[: len(data) // 2])
    case("terpotong.xlsx", "ditolak", {("zip_rusak", "")}, what="lampiran e-mail terpotong")
    put("lama.xls", OLE + b"\0" * 2048)
    case("lama.xls", "ditolak", {("format_xls", "")}, what="wadah OLE tanpa enkripsi (.xls)")
    put("sandi.xlsx", OLE + b"\0" * 64 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 512)
    case("sandi.xlsx", "ditolak", {("berkas_terenkripsi", "")},
         what="wadah OLE dengan EncryptedPackage (lihat juga uji LibreOffice)")
    put("scan.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    case("scan.pdf", "ditolak", {("format_pdf", "")})
    rewrite(k.path, inbox / "makro.xlsm", add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"},
            edit={"[Content_Types].xml": lambda x: x.replace(
                b"</Types>", b'<Default Extension="bin" ContentType="application/'
                             b'vnd.ms-office.vbaProject"/></Types>').replace(
                b"sheet.main+xml", b"sheet.macroEnabled.main+xml")})
    case("makro.xlsm", "ditolak", {("format_xlsm", "")}, what="formulir + vbaProject.bin")
    put("biner.xlsb", zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\0"}))
    case("biner.xlsb", "ditolak", {("format_xlsb", "")})
    put("dokumen.docx", zip_of({"[Content_Types].xml": b"<Types/>",
                                "word/document.xml": b"<w:document/>"}))
    case("dokumen.docx", "ditolak", {("bukan_spreadsheet", "")})

    # ---- rejected: zip bombs, bounded before anything is inflated (or as it inflates)
    put("bom-ukuran-dinyatakan.xlsx", declare_size(rewrite(
        k.path, add={"xl/media/gambar.bin": b"\0" * 1000}), "xl/media/gambar.bin",
        0xF000_0000))
    case("bom-ukuran-dinyatakan.xlsx", "ditolak", {("zip_bom", "")},
         what="sebuah bagian menyatakan 3,75 GB")
    put("bom-rasio.xlsx", rewrite(k.path, add={"xl/media/nol.bin": b"\0" * (40 << 20)}))
    case("bom-rasio.xlsx", "ditolak", {("zip_bom", "")},
         what="40 MB nol yang dimampatkan menjadi ~40 KB (rasio > 250)")
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    lie = rewrite(k.path, edit=sheet_xml_edit(lambda x: x.replace(
        b"<sheetData>", b"<sheetData>" + b" " * (64 << 20))))
    put("bom-dusta-sheet.xlsx", declare_size(lie, "xl/worksheets/sheet1.xml", len(sheet)))
    case("bom-dusta-sheet.xlsx", "ditolak", {("zip_bom", "")},
         what="sheet IKI mengaku sebesar aslinya, padahal mengembang 64 MB")
    strings = zipfile.ZipFile(io.BytesIO(data)).read("xl/sharedStrings.xml")
    lie = rewrite(k.path, edit={"xl/sharedStrings.xml": lambda x: x.replace(
        b"</sst>", b"<si><t>x</t></si>" * 2_000_000 + b"</sst>")})
    put("bom-dusta-teks.xlsx", declare_size(lie, "xl/sharedStrings.xml", len(strings)))
    case("bom-dusta-teks.xlsx", "ditolak", {("zip_bom", "")},
         what="sharedStrings mengaku kecil, mengembang 34 MB (dibaca calamine)")
    put("bom-banyak-bagian.xlsx", rewrite(k.path, add={f"xl/media/b{i}.bin": b""
                                                        for i in range(1200)}))
    case("bom-banyak-bagian.xlsx", "ditolak", {("zip_bom", "")}, what="1.200 bagian")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        put("bagian-ganda.xlsx", rewrite(k.path, add={"xl/worksheets/sheet1.xml": sheet}))
    case("bagian-ganda.xlsx", "ditolak", {("bagian_ganda", "")},
         what="dua bagian bernama xl/worksheets/sheet1.xml: pembaca bisa memilih yang lain")
    put("lembar-luas.xlsx", rewrite(base_tw1, edit=sheet_xml_edit(lambda x: x.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'))))
    case("lembar-luas.xlsx", "ditolak", {("lembar_terlalu_luas", "")},
         what="satu sel di XFD1048576: pembaca nilai akan menyiapkan 17 miliar sel")
    put("lembar-luas.ods", ods(
        '<table:table table:name="IKI"><table:table-row table:number-rows-repeated="1048576">'
        '<table:table-cell table:number-columns-repeated="16384" office:value-type="float" '
        'office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>'
        '</table:table>'))
    case("lembar-luas.ods", "ditolak", {("lembar_terlalu_luas", "")},
         what="ODS: sel berulang 1.048.576 × 16.384")

    # ---- rejected: XML entities (expansion, external)
    laughs = b'<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">' + b"".join(  # a×10, b = 10 a, …
        b'<!ENTITY %c "%s">' % (98 + i, b"&%c;" % (97 + i) * 10) for i in range(9)) + b"]>"

    def with_dtd(dtd: bytes, ref: bytes):
        def edit(x: bytes) -> bytes:
            head, rest = x.split(b"?>", 1)
            return head + b"?>" + dtd + rest.replace(b"<t>", b"<t>" + ref, 1)
        return edit

    rewrite(k.path, inbox / "entitas-berlipat.xlsx",
            edit={"xl/sharedStrings.xml": with_dtd(laughs, b"&j;")})
    case("entitas-berlipat.xlsx", "ditolak", {("xml_entitas", "")},
         what="billion laughs di sharedStrings")
    rewrite(k.path, inbox / "entitas-luar.xlsx", edit={"xl/workbook.xml": lambda x: x.replace(
        b"?>", b'?><!DOCTYPE workbook [<!ENTITY x SYSTEM "file:///etc/passwd">]>', 1)})
    case("entitas-luar.xlsx", "ditolak", {("xml_entitas", "")},
         what="entitas eksternal file:///etc/passwd di workbook.xml")
    put("entitas.ods", ods(ods_table("IKI", [["&x;"]]),
                           prolog='<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'))
    case("entitas.ods", "ditolak", {("xml_entitas", "")}, what="ODS dengan entitas eksternal")

    # ---- rejected: not our form, or not this form any more
    put("tanpa-manifest.ods", ods(ods_table("IKI", [["INDIKATOR KINERJA INDIVIDU"],
                                                    ["Realisasi", "85"]])))
    case("tanpa-manifest.ods", "ditolak", {("tanpa_manifest", "")},
         what="ODS buatan sendiri: tidak ada manifest iki-xlsx")
    put("ods-tanpa-daftar-isi.ods", ods(ods_table("IKI", [["x"]]), meta_inf=False))
    case("ods-tanpa-daftar-isi.ods", "ditolak", {("ods_tanpa_manifest", "")},
         what="ODS tanpa META-INF/manifest.xml")
    wb = openpyxl.load_workbook(base_tw1)
    del wb[L.SHEET_MANIFEST]
    wb.save(inbox / "manifest-dihapus.xlsx")
    case("manifest-dihapus.xlsx", "ditolak", {("tanpa_manifest", "")})
    wb = openpyxl.load_workbook(base_tw1)
    wb[L.SHEET_MANIFEST]["A2"] = wb[L.SHEET_MANIFEST]["A2"].value[:-40]
    wb.save(inbox / "manifest-rusak.xlsx")
    case("manifest-rusak.xlsx", "ditolak", {("manifest_rusak", "")}, what="JSON terpotong")
    nm = forms[NUR].manifest
    nur = fill(forms[NUR].path, work / "nur.xlsx", typed(nm, {0: [4], 1: [75]}))
    copy_manifest(forms[ANDI].path, nur, inbox / "manifest-disalin.xlsx")
    case("manifest-disalin.xlsx", "ditolak", {("identitas_tidak_cocok", "C13")},
         what="manifest Andi (tanda tangan sah) di berkas Nur Aini")
    pm = forms[PLT].manifest
    plt = fill(forms[PLT].path, work / "plt.xlsx", typed(pm, {0: [4], 1: [75]}))
    copy_manifest(s.path, plt, inbox / "manifest-disalin-jabatan.xlsx")
    case("manifest-disalin-jabatan.xlsx", "ditolak",
         {("indikator_tidak_cocok", f"C{row(sm, 0)}")},
         what="manifest formulir Sekretaris di berkas Plt. (orang sama, IKI lain)")
    shutil.copy(first[ANDI].path, inbox / "revisi-lama.xlsx")
    case("revisi-lama.xlsx", "diterima_catatan", {("revisi_lama", ""), ("belum_diisi", "")},
         form=ANDI, used=False,
         what="revisi 1 IKI-PENGOLAH (kosong): diterima dengan catatan, nilainya tetap dipakai")
    shutil.copy(other[KEPALA].path, inbox / "ruang-kerja-lain.xlsx")
    case("ruang-kerja-lain.xlsx", "ditolak", {("ruang_kerja_lain", "")})
    def forged(x: bytes) -> bytes:
        assert b'"nip":"%s"' % KEPALA[0].encode() in x
        return x.replace(b'"nip":"%s"' % KEPALA[0].encode(), b'"nip":"%s"' % NUR[0].encode())

    rewrite(k.path, inbox / "manifest-dipalsukan.xlsx", edit={"xl/sharedStrings.xml": forged})
    case("manifest-dipalsukan.xlsx", "ditolak", {("tanda_tangan_salah", "")},
         what="NIP di manifest diganti: tanda tangan tidak cocok")
    wb = openpyxl.load_workbook(base_tw1)
    wb["IKI"].insert_rows(row(km, 0))
    wb.save(inbox / "baris-disisipkan.xlsx")
    case("baris-disisipkan.xlsx", "ditolak", {("baris_bergeser", f"C{row(km, 0)}")})
    wb = openpyxl.load_workbook(base_tw1)
    wb["IKI"].delete_rows(row(km, 1))
    wb.save(inbox / "baris-dihapus.xlsx")
    case("baris-dihapus.xlsx", "ditolak", {("baris_dihapus", f"C{row(km, 1)}")})
    buf = io.BytesIO(base_tw1.read_bytes())
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_STORED) as z:
        z.writestr("xl/media/foto.jpg", os.urandom(50 << 20))
    put("besar-50mb.xlsx", buf.getvalue())
    case("besar-50mb.xlsx", "ditolak", {("berkas_terlalu_besar", "")},
         what="formulir dengan foto 50 MB")

    # ---- an archive: nested, traversal, absolute and duplicate names, too deep, encrypted
    nur_full = {0: [3, 3, 3, 3], 1: [70, 71, 72, 73]}
    plt_full = {0: [3, 3, 3, 4], 1: [80, 80, 80, 80]}
    nur_good = fill(forms[NUR].path, work / "nur-full.xlsx", typed(nm, nur_full)).read_bytes()
    plt_good = fill(forms[PLT].path, work / "plt-full.xlsx", typed(pm, plt_full)).read_bytes()
    deep = zip_of({"tersembunyi.xlsx": nur_good})
    for level in ("c.zip", "b.zip", "a.zip"):  # a.zip › b.zip › c.zip › tersembunyi.xlsx
        deep = zip_of({level: deep})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the duplicate name is the point
        z.writestr("../../keluar.xlsx", nur_good)
        z.writestr("/etc/mutlak.xlsx", b"bukan excel")
        z.writestr("dalam.zip", zip_of({"plt.xlsx": plt_good}))
        z.writestr("dobel.xlsx", nur.read_bytes())
        z.writestr("dobel.xlsx", plt.read_bytes())
        z.writestr("sangat-dalam.zip", deep)
        z.writestr("terkunci.xlsx", base_tw1.read_bytes())
        z.writestr("[/]aneh\u202e.xlsx", b"juga bukan excel")
    put(ARCHIVE, declare_size(buf.getvalue(), "terkunci.xlsx", -1, flag=0x1))
    a = ARCHIVE
    case(f"{a} › ../../keluar.xlsx", "diterima", form=NUR, values=expect(nm, nur_full),
         used=True, what="nama anggota ../../: hanya nama, tidak pernah diekstrak")
    case(f"{a} › /etc/mutlak.xlsx", "ditolak", {("bukan_spreadsheet", "")})
    case(f"{a} › dalam.zip › plt.xlsx", "diterima", form=PLT, values=expect(pm, plt_full),
         used=True, what="zip di dalam zip")
    case(f"{a} › dobel.xlsx", "diterima", form=NUR, values=expect(nm, {0: [4], 1: [75]}),
         used=False, what="dua anggota bernama sama: keduanya dibaca")
    case(f"{a} › dobel.xlsx #2", "diterima", form=PLT, values=expect(pm, {0: [4], 1: [75]}),
         used=False)
    case(f"{a} › sangat-dalam.zip › a.zip › b.zip", "ditolak", {("arsip_terlalu_dalam", "")},
         what="zip bersarang lebih dari 3 tingkat")
    case(f"{a} › terkunci.xlsx", "ditolak", {("berkas_terenkripsi", "")},
         what="anggota zip yang dienkripsi")
    case(f"{a} › [/]aneh\u202e.xlsx", "ditolak", {("bukan_spreadsheet", "")},
         what="nama anggota dengan markup konsol dan karakter arah teks")
    put("arsip-bom.zip", zip_of({f"f{i}.txt": b"" for i in range(10_001)}))
    case("arsip-bom.zip", "ditolak", {("zip_bom", "")}, what="arsip dengan 10.001 anggota")
    put("arsip-anggota-besar.zip", declare_size(zip_of({"besar.xlsx": b"x"}), "besar.xlsx",
                                                100 << 20))
    case("arsip-anggota-besar.zip › besar.xlsx", "ditolak", {("berkas_terlalu_besar", "")},
         what="anggota arsip yang mengaku 100 MB: tidak dibaca")
    put("arsip-bom-ukuran.zip", declare_size(zip_of({"besar.xlsx": b"x"}), "besar.xlsx",
                                             0xFFFF_0000))
    case("arsip-bom-ukuran.zip", "ditolak", {("zip_bom", "")},
         what="arsip yang isinya mengaku 4 GB")
    good = {KEPALA: "baik-kepala.xlsx", SEKRETARIS: "baik-sekretaris.xlsx",
            ANDI: "pengolah-tw2.xlsx", NUR: f"{a} › ../../keluar.xlsx",
            PLT: f"{a} › dalam.zip › plt.xlsx"}
    shutil.rmtree(work)
    return Corpus(ws, inbox, cases, forms, good)


def libreoffice_files(root: Path, forms: dict, python: str = "/usr/bin/python3") -> list[Case]:
    """Files a real LibreOffice writes: a genuine password-encrypted .xlsx, a genuine
    .xls, a form saved as .ods and as .ods without its META-INF/manifest.xml."""
    k = forms[KEPALA]
    inbox = root / "masuk-lo"
    inbox.mkdir(parents=True, exist_ok=True)
    jobs = [{"src": str(k.path), "out": str(inbox / "sandi-asli.xlsx"), "format": "xlsx",
             "password": "rahasia"},
            {"src": str(k.path), "out": str(inbox / "asli.xls"), "format": "xls"},
            {"src": str(k.path), "out": str(root / "kepala.ods"), "format": "ods"}]
    done = subprocess.run([python, str(HERE / "lo_make.py"), json.dumps(jobs)],
                          capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"lo_make.py: {done.stdout} {done.stderr[-2000:]}")
    rewrite(root / "kepala.ods", inbox / "tanpa-daftar-isi.ods", drop=("META-INF/manifest.xml",))
    return [Case("sandi-asli.xlsx", "ditolak", {("berkas_terenkripsi", "")},
                 what="disimpan LibreOffice dengan sandi pembuka"),
            Case("asli.xls", "ditolak", {("format_xls", "")},
                 what="disimpan LibreOffice sebagai Excel 97-2003"),
            Case("tanpa-daftar-isi.ods", "ditolak", {("ods_tanpa_manifest", "")},
                 what="formulir .ods dari LibreOffice, META-INF/manifest.xml dihapus")]


if __name__ == "__main__":
    from iki_xlsx.define.master import load_master

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "korpus")
    shutil.rmtree(out, ignore_errors=True)
    corpus = build(out, load_master(HERE.parent / "data" / "master-kecil.yaml").master)
    for c in corpus.cases:
        print(f"{c.status:18} {sorted(c.problems)!s:60} {c.name}  {c.what}")
