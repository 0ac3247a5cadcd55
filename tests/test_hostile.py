"""Hostile and broken input: collect over the whole corpus (tests/corpus/build.py) with
the good files among it. No traceback, every bad file rejected (or noted) for its own
stated reason and cell, every good file collected with the right values for the right
pegawai, nothing lost, nothing written to disk."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from corpus.build import (
    ARCHIVE,
    KEPALA,
    SEKRETARIS,
    Corpus,
    build,
    declare_size,
    libreoffice_files,
    ods,
    rewrite,
)
from filling import zip_of
from libreoffice import fill_and_save, needs_libreoffice

from iki_xlsx.collect import collect, display_name, read_bytes, text_of_path
from iki_xlsx.collect.container import MAX_SHEET_CELLS, Parts, Rejected, _prolog
from iki_xlsx.collect.report import to_json, write_report_xlsx
from iki_xlsx.collect.xlsx import check_sheet_area
from iki_xlsx.core.problems import KINDS
from iki_xlsx.core.clock import normal_time
from iki_xlsx.core.timeline import load_years
from iki_xlsx.workspace import Workspace

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, small_master) -> Corpus:
    root = tmp_path_factory.mktemp("korpus")
    c = build(root, small_master)
    shutil.copytree(c.ws.path, root / "ws-awal")  # the ledger before any collect
    return c


@pytest.fixture
def fresh(corpus, tmp_path) -> Workspace:
    """A workspace with the corpus's forms issued and nothing collected yet."""
    shutil.copytree(corpus.ws.path.parent / "ws-awal", tmp_path / "ws")
    return Workspace(tmp_path / "ws")


def rel(corpus: Corpus, name: str) -> str:
    prefix = display_name(str(corpus.inbox)) + os.sep
    assert name.startswith(prefix), name
    return name[len(prefix):]


def persisted(r) -> set[tuple[str, str]]:
    return {(p.code, p.cell) for p in r.problems}


def test_corpus_nothing_lost_nobody_fooled(corpus, fresh, tmp_path):
    report = collect([corpus.inbox], fresh, jobs=2)
    got = {rel(corpus, r.name): r for r in report.results}
    want = {display_name(c.name): c for c in corpus.cases}
    assert sorted(got) == sorted(want)  # every file reported, once
    assert len(report.results) == len(want)
    groups: dict[str, list] = {}
    for name, c in want.items():
        r = got[name]
        assert (r.status, persisted(r)) == (c.status, c.problems), name
        for p in r.problems:
            assert p.message() and (p.advice() or not p.is_error), (name, p.code)
        if c.group:
            groups.setdefault(c.group, []).append(bool(r.duplicate_of))
        else:
            assert bool(r.duplicate_of) == c.duplicate, name
        row = fresh.files.get(r.sha256)
        assert row is not None and row.status == c.status, name  # recorded, as reported
        if c.status == "ditolak":
            assert row.realisasi is None and r.realisasi is None, name
            continue
        assert (r.nip, r.kode_iki) == c.form, name
        form_id = corpus.forms[c.form].form_id
        assert r.form_id == form_id
        for ind, periods in (c.values or {}).items():
            periods = dict(periods)
            if "ket" in periods:
                assert r.realisasi[ind]["keterangan"] == periods.pop("ket"), name
            for period, value in periods.items():
                assert r.realisasi[ind]["realisasi"][period] == value, (name, ind, period)
    assert all(flags.count(False) == 1 for flags in groups.values()), groups
    # What counts, cell by cell: the value of the accepted file saved last (the time it
    # was collected when it does not say; then by sha256) — computed here from what each
    # file reported.
    accepted = [r for r in report.results if r.status != "ditolak" and not r.duplicate_of]
    expected = {}
    for r in sorted(accepted, key=lambda r: (r.saved_at or normal_time(fresh.files.get(
            r.sha256).first_seen), r.sha256)):
        for ind, entry in (r.realisasi or {}).items():
            for period, value in entry["realisasi"].items():
                if value is not None:
                    expected[(r.form_id, ind, period)] = value
    years = load_years(fresh, 2025, fresh.issued.forms(2025))
    counted = {(form_id, ind, period): v.value for form_id, year in years.items()
               for (ind, period), v in year.values.items()}
    assert counted == expected and expected
    assert {k[0] for k in counted} == {corpus.forms[k].form_id for k in corpus.good}
    assert report.exit_code == 1

    # The reasons a person reads name whose the cells are, and what was found.
    copied = got["manifest-disalin.xlsx"].problems[0]
    assert "Andi Pratama" in copied.message() and "Nur Aini" in copied.params["owner"]
    assert "Realisasi tidak dicatat" in copied.message()
    other = got["manifest-disalin-jabatan.xlsx"].problems[0]
    assert other.params["owner"] == "Sri Lestari, S.E., M.M. (IKI-PENGOLAH)"
    gone = got["baris-dihapus.xlsx"].problems[0]
    assert gone.indicator.startswith("Jumlah temuan BPK") and gone.params["count"] == 1
    junk = got["sampah-10000-baris.xlsx"].problems[0]
    assert junk.params["count"] == 20_000
    assert got["keterangan-rumus.xlsx"].realisasi["01"]["keterangan"] == "klik"

    # Reports for people and programs: user text stays text.
    out = write_report_xlsx(report, tmp_path / "laporan.xlsx")
    wb = openpyxl.load_workbook(out)
    for cell in (c for row in wb["Berkas"].iter_rows() for c in row):
        assert cell.data_type in ("s", "n") and not str(cell.value or "").startswith("=")
    data = json.loads(to_json(report))
    assert data["ringkasan"]["berkas"] == len(want)
    older = next(f for f in data["berkas"] if f["berkas"].endswith("pengolah-tw1.xlsx"))
    # Values, not files: the TW1 file is not set aside by the later TW2 file, its values
    # count wherever no later-saved file gives another.
    assert older["status"] == "diterima" and older["masalah"] == []

    # Collecting again changes nothing, and says the same.
    files = fresh.files.all()
    again = collect([corpus.inbox], fresh, jobs=1)
    assert fresh.files.all() == files
    assert [(r.name, r.status, persisted(r)) for r in again.results] == \
        [(r.name, r.status, persisted(r)) for r in report.results]
    assert not any(r.new for r in again.results)


def test_archives_are_never_extracted(corpus, tmp_path, monkeypatch):
    """Members are read in memory: no file appears anywhere — not beside the archive, not
    in the working folder, not where ../../ points, not in the temporary folder."""
    ws_dir = tmp_path / "ws"
    shutil.copytree(corpus.ws.path.parent / "ws-awal", ws_dir)
    box = tmp_path / "a" / "b" / "kotak"
    box.mkdir(parents=True)
    shutil.copy(corpus.inbox / ARCHIVE, box / ARCHIVE)
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    monkeypatch.chdir(box)

    def forbidden(*a, **k):
        raise AssertionError("a zip member was extracted")

    monkeypatch.setattr(zipfile.ZipFile, "extract", forbidden)
    monkeypatch.setattr(zipfile.ZipFile, "extractall", forbidden)
    before = sorted(p for p in tmp_path.rglob("*") if ws_dir not in p.parents)
    report = collect([Path(ARCHIVE)], Workspace(ws_dir), jobs=1)
    assert len(report.results) == 8
    after = sorted(p for p in tmp_path.rglob("*") if ws_dir not in p.parents)
    assert after == before
    assert not list(private_tmp.iterdir())


def test_cli_over_the_corpus_json(corpus, fresh, tmp_path):
    """The command as an officer runs it: exit 1 (problems), no traceback, a report."""
    done = subprocess.run(
        [sys.executable, "-m", "iki_xlsx.cli", "collect", str(corpus.inbox), "-w",
         str(fresh.path), "--report", str(tmp_path / "lap.xlsx"), "--json", "-j", "2"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path, check=False)
    assert done.returncode == 1, done.stderr[-3000:]
    assert "Traceback" not in done.stderr and "Galat" not in done.stderr, done.stderr[-3000:]
    assert json.loads(done.stdout)["ringkasan"]["berkas"] == len(corpus.cases)
    assert (tmp_path / "lap.xlsx").is_file()


def test_cli_over_the_corpus_table(corpus, fresh, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "iki_xlsx.cli", "collect", str(corpus.inbox), "-w",
         str(fresh.path), "--report", str(tmp_path / "lap.xlsx"), "-j", "2"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path, check=False,
        env={**os.environ, "COLUMNS": "300"})
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr[-3000:]
    assert "Galat" not in done.stderr, done.stderr[-3000:]
    assert "'[/] [red]x' bukan angka" in done.stdout


@needs_libreoffice
def test_files_written_by_libreoffice(corpus, fresh, tmp_path):
    """A genuinely encrypted .xlsx, a genuine .xls, an .ods without its manifest, and
    formulas typed in LibreOffice (=1/0 as realisasi, links and DDE in keterangan)."""
    cases = libreoffice_files(tmp_path, corpus.forms)
    inbox = tmp_path / "masuk-lo"
    s = corpus.forms[SEKRETARIS]
    m = s.manifest["indicators"]
    for fmt in ("xlsx", "ods"):
        fill_and_save(s.path, {m[0]["cells"]["realisasi"]["TW1"]: "Ya",
                               m[1]["cells"]["realisasi"]["TW1"]: {"formula": "=1/0"},
                               m[1]["cells"]["realisasi"]["TW2"]: 85,
                               m[0]["cells"]["keterangan"]: {
                                   "formula": '=HYPERLINK("http://contoh.invalid";"klik")'},
                               m[1]["cells"]["keterangan"]: {
                                   "formula": "=DDE(\"cmd\";\"/C calc\";\"A0\")"}},
                      inbox / f"rumus.{fmt}", fmt=fmt, sheet="IKI")
    report = collect([inbox], fresh, jobs=1)
    got = {Path(r.name).name: r for r in report.results}
    for c in cases:
        assert (got[c.name].status, persisted(got[c.name])) == (c.status, c.problems), c.name
    for fmt in ("xlsx", "ods"):
        r = got[f"rumus.{fmt}"]
        assert r.status == "diterima_catatan", (fmt, persisted(r))
        assert persisted(r) == {("realisasi_galat", m[1]["cells"]["realisasi"]["TW1"]),
                                ("keterangan_rumus", m[0]["cells"]["keterangan"]),
                                ("keterangan_rumus", m[1]["cells"]["keterangan"])}, fmt
        assert r.realisasi["02"]["realisasi"]["TW2"] == 85.0
        assert r.realisasi["01"]["keterangan"] == "klik"


# --------------------------------------------------------------------------- units

def test_display_names_show_what_hides():
    assert display_name("IKI x\u202eslx.exe") == "IKI x\\u202eslx.exe"
    assert display_name("\x1b[31mmerah") == "\\u001b[31mmerah"
    assert display_name("Ñandú 😀 تقرير") == "Ñandú 😀 تقرير"
    bad = os.fsdecode(b"nama-\xff.xlsx")
    assert text_of_path(bad) == "nama-\\xff.xlsx" == display_name(bad)
    assert text_of_path(bad) == text_of_path(os.fsdecode(b"nama-\xff.xlsx"))  # stable


@pytest.mark.parametrize("head, verdict", [
    (b'<?xml version="1.0"?><worksheet/>', False),
    (b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- x --><w/>', False),
    (b'<?xml version="1.0"?><!-- <!DOCTYPE --><!DOCTYPE w [<!ENTITY a "b">]><w/>', True),
    (b"<?xml version='1.0'?>   <!DOCTYPE x SYSTEM 'file:///etc/passwd'>", True),
    ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w><w/>'.encode("utf-16"), True),
    (b'<?xml version="1.0"?><!-', None),  # cut: inflate more
    (b'<?xml version="1.0"?><!DOC', None),
    (b"<?xml version", None),
])
def test_prolog_scan(head, verdict):
    assert _prolog(head) is verdict


def test_long_prolog_is_rejected_not_scanned_forever(corpus):
    data = rewrite(corpus.forms[KEPALA].path, edit={"xl/workbook.xml": lambda x: x.replace(
        b"?>", b"?>" + b"<!--" + b"x" * 200_000 + b"-->", 1)})
    assert [p.code for p in read_bytes(data, None, None).problems] == ["xml_entitas"]
    ok = rewrite(corpus.forms[KEPALA].path, edit={"xl/workbook.xml": lambda x: x.replace(
        b"?>", b"?>" + b"<!--" + b"x" * 5000 + b"-->", 1)})
    assert read_bytes(ok, None, None).problems == []


def test_sheet_area_bound():
    row = b'<row r="%d"><c r="%s%d"><v>1</v></c></row>'
    check_sheet_area(b"<sheetData>" + row % (1, b"A", 1) + row % (999, b"ZZ", 999) + b"</")
    check_sheet_area(b"<sheetData>" + row % (1, b"A", 1) + row % (50_000, b"M", 50_000))
    for far in (row % (1, b"XFD", 1) + row % (400, b"A", 400),
                row % (1_048_576, b"E", 1_048_576),  # 5 columns × 1M rows
                b"<row\nr = '2000000'><c/></row>",  # odd spacing and quotes count too
                row % (1, b"A", 1) + b'<row r="9999999"><c><v>1</v></c></row>'):
        with pytest.raises(Rejected) as err:
            check_sheet_area(b"<sheetData>" + row % (1, b"A", 1) + far)
        assert err.value.problem.code == "lembar_terlalu_luas"
    assert MAX_SHEET_CELLS == 5_000_000


def test_sheet_area_counts_cells_written_without_references():
    """A value reader places a row or cell without an r attribute right after the
    previous one: a first row of 16,384 such cells and 400 more rows span 6.5 million
    cells without a single far reference (at a million rows, calamine would abort the
    whole collect trying to allocate them)."""
    cell = b"<c><v>1</v></c>"
    wide = b"<sheetData><row>" + cell * 16_384 + b"</row>" + b"<row>" + cell + b"</row>" * 1
    with pytest.raises(Rejected) as err:
        check_sheet_area(wide + (b"<row>" + cell + b"</row>") * 400 + b"</sheetData>")
    assert err.value.problem.code == "lembar_terlalu_luas"
    assert err.value.problem.params["cols"] == "XFD"
    # the same shape, small enough, and a sheet mixing both spellings, pass
    check_sheet_area(b"<sheetData><row>" + cell * 300 + b"</row>"
                     + (b"<row>" + cell + b"</row>") * 5000 + b"</sheetData>")
    check_sheet_area(b'<sheetData><row r="2"><c r="B2"><v>1</v></c>' + cell * 3
                     + b"</row><row>" + cell + b"</row></sheetData>")


def test_a_part_that_lies_about_its_size_is_a_bomb():
    honest = zip_of({"a.xml": b"<a/>" + b" " * 10_000})
    lying = declare_size(honest, "a.xml", 100)
    zf = zipfile.ZipFile(__import__("io").BytesIO(lying))
    with pytest.raises(Rejected) as err:
        Parts(lying, zf).read("a.xml")
    assert err.value.problem.code == "zip_bom"
    short = declare_size(honest, "a.xml", 20_000)
    with pytest.raises(Rejected) as err:
        Parts(short, zipfile.ZipFile(__import__("io").BytesIO(short))).read("a.xml")
    assert err.value.problem.code == "zip_rusak"


def test_ods_repeats_are_bounded_before_reading():
    cell = ('<table:table-cell table:number-columns-repeated="{c}" office:value-type="float" '
            'office:value="1"><text:p>1</text:p></table:table-cell>')
    table = ('<table:table table:name="IKI"><table:table-row table:number-rows-repeated="{r}">'
             + cell + "</table:table-row>"
             '<table:table-row table:number-rows-repeated="1048000"><table:table-cell '
             'table:number-columns-repeated="1024"/></table:table-row></table:table>')
    small = read_bytes(ods(table.format(r=100, c=100)), None, None)
    assert [p.code for p in small.problems] == ["tanpa_manifest"]  # read, and empty rows free
    big = read_bytes(ods(table.format(r=10_000, c=1000)), None, None)
    assert [p.code for p in big.problems] == ["lembar_terlalu_luas"]


def test_every_returned_file_code_has_a_message_and_advice():
    from iki_xlsx.core.texts import get_texts

    texts = get_texts()
    start = list(KINDS).index("berkas_kosong")
    for code in list(KINDS)[start:]:
        assert texts.has(f"masalah.{code}"), code
        if KINDS[code].value == "error":
            assert texts.has(f"masalah.{code}_saran"), code


def _fill_inbox(corpus, inbox: Path, n: int) -> list[Path]:
    inbox.mkdir()
    src = corpus.inbox / "baik-kepala.xlsx"
    paths = []
    for i in range(n):  # distinct contents: one byte of zip comment apart
        data = bytearray(src.read_bytes())
        data[-2:] = (i + 1).to_bytes(2, "little")  # comment length → a comment of i+1 bytes
        paths.append(inbox / f"k{i:02d}.xlsx")
        paths[-1].write_bytes(bytes(data) + b"x" * (i + 1))
    return paths


@pytest.mark.skipif(sys.platform != "linux", reason="patches the forked pool workers")
def test_a_file_that_kills_its_reader_is_reported_not_fatal(corpus, fresh, tmp_path,
                                                           monkeypatch):
    """A native reader crashing on one file (simulated: the worker process dies) costs
    that file only: it is reported, the rest of the batch is collected."""
    import iki_xlsx.collect.pool as collect_module

    paths = _fill_inbox(corpus, tmp_path / "masuk", 20)
    poison = paths[7].read_bytes()
    real_read_path = collect_module.read_path

    def dying(path, key, key_id):
        if Path(path).read_bytes() == poison:
            os._exit(3)  # as a segfault in a native library would end the worker
        return real_read_path(path, key, key_id)

    monkeypatch.setattr(collect_module, "read_path", dying)
    report = collect([tmp_path / "masuk"], fresh, jobs=2)
    got = {Path(r.name).name: r for r in report.results}
    assert len(got) == 20
    assert [(p.code, p.params) for p in got["k07.xlsx"].problems] == [
        ("berkas_rusak", {"reason": "pembaca berhenti"})]
    assert all(r.status == "diterima" for n, r in got.items() if n != "k07.xlsx")


def test_an_internal_error_is_reported_and_not_frozen_in_the_ledger(corpus, fresh, tmp_path,
                                                                    monkeypatch):
    """A bug of ours on one file: that file says so (and is not recorded, so that the next
    run, with the bug fixed, judges it); the batch goes on."""
    from iki_xlsx.collect import Judge

    paths = _fill_inbox(corpus, tmp_path / "masuk", 3)
    real_judge = Judge.judge

    def buggy(self, raw, src):
        if src.name.endswith("k01.xlsx"):
            raise KeyError("oops")
        return real_judge(self, raw, src)

    monkeypatch.setattr(Judge, "judge", buggy)
    monkeypatch.delenv("IKI_XLSX_DEBUG", raising=False)
    report = collect([tmp_path / "masuk"], fresh, jobs=1)
    bad = next(r for r in report.results if r.name.endswith("k01.xlsx"))
    assert bad.status == "ditolak" and not bad.recorded and report.exit_code == 1
    assert bad.problems[0].params == {"reason": "galat internal KeyError"}
    assert fresh.files.get(bad.sha256) is None
    monkeypatch.setattr(Judge, "judge", real_judge)
    again = collect([tmp_path / "masuk"], fresh, jobs=1)
    fixed = next(r for r in again.results if r.name.endswith("k01.xlsx"))
    assert fixed.status == "diterima" and fixed.new and len(paths) == 3
