"""Collect returned forms: find every file (folders, zip archives, nested), read it
(:mod:`iki_xlsx.read`), judge it against the ledger, and record it — nothing lost.

Rules that keep officers from being fooled:

* a file is identified by its signed manifest, never by its name or position; its form id
  and revision must be in the ledger, of the expected year, and current;
* what was *issued* is the truth: locked cells are compared with the ledger's copy (not
  with the file's own manifest). A file whose pegawai identity (nama, NIP) or indikator
  texts are not those of the issued form is rejected — a manifest copied into someone
  else's workbook never records a realisasi for the wrong pegawai; an edited target or
  other locked text is reported and the issued content used;
* every value is re-validated (:mod:`iki_xlsx.values`), every capaian recomputed later;
* files are recorded in small transactions (every 100 files or half a second): an
  interrupted collect leaves the ledger consistent and a rerun completes it; collecting
  the same files again changes nothing;
* archives are read in memory, member by member (never extracted: a name such as
  ``../../x.xlsx`` is only a name); sources are streamed, so memory stays bounded by a
  few files per worker whatever the size of the inbox.
"""

from __future__ import annotations

import gc
import io
import json
import os
import sqlite3
import threading
import time
import unicodedata
import uuid
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path, PurePosixPath

from . import layout as L
from .ledger import ACCEPTED, Workspace
from .mail.inbox import FORM_SUFFIXES  # issue 14: what a WhatsApp export may hold
from .manifest import ReadingView, load_view, reading_view
from .model import format_nip
from .problems import Problem
from .read import (MAX_FILE_BYTES, WORKBOOK_PARTS, FileProblem, RawReading, read_bytes,
                   read_path, ref_order, sha256_of, too_large)
from .values import CellInfo, absurd_limit, keterangan_text, parse_realisasi, plain_number

MAX_ARCHIVE_DEPTH = 3  # zip in zip in zip; deeper archives are not opened
MAX_ARCHIVE_MEMBERS = 10_000  # members of one archive
MAX_ARCHIVE_BYTES = 2 * 1024 ** 3  # declared inflated size of all members of one archive
IGNORED_NAMES = {"thumbs.db", "desktop.ini", ".ds_store"}

STATUS_OK, STATUS_NOTE, STATUS_REJECTED = "diterima", "diterima_catatan", "ditolak"


# --------------------------------------------------------------------------- sources

@dataclass
class Source:
    name: str  # what the officer sees: path, or archive.zip › member (control chars shown)
    source: str  # the path given on disk (identity in the ledger)
    member: str = ""  # path inside the archive (chain joined by " › ")
    path: Path | None = None  # a file on disk
    data: bytes | None = None  # an archive member, in memory only
    problem: FileProblem | None = None  # the source could not even be read
    origin: str = ""  # mail provenance (JSON: message_id, date, from, mailbox, path)


def text_of_path(value: str) -> str:
    """A path as storable, printable text: bytes that are not UTF-8 (names from other
    systems) become ``\\xNN`` — the same every time, so a rerun finds the same source."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def display_name(value: str) -> str:
    """What a person is shown: control and direction-override characters (which could
    hide an extension or move the terminal cursor) are written as ``\\uXXXX``."""
    value = text_of_path(value)
    if value.isprintable():
        return value
    return "".join(ch if ch == " " or unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp",
                                                                        "Cs", "Co", "Cn")
                   else f"\\u{ord(ch):04x}" for ch in value)


def iter_sources(inputs: Iterable[Path], mail=None) -> Iterator[Source]:
    """Every candidate file under ``inputs``: files, folders (recursively, sorted) and
    zip archives (members read in memory one at a time, nested archives followed to a
    bounded depth; names such as ``../../x.xlsx`` are only names, nothing is extracted
    to disk). The same file given twice (or inside a folder also given) comes once."""
    seen: set[tuple[str, str]] = set()
    for src in _iter_sources(inputs, mail):
        key = (src.source, src.member)
        if key in seen:
            continue
        seen.add(key)
        yield src


def _iter_sources(inputs: Iterable[Path], mail=None) -> Iterator[Source]:
    for item in inputs:
        item = Path(item)
        if item.is_dir():
            for path, real in _walk(item):
                if mail is not None and mail.handles(path):  # issue 14: .eml / mbox
                    yield from mail.sources(path)
                elif not _ignored(path.name):
                    yield _from_file(path, real)
        elif item.is_file():
            if mail is not None and mail.handles(item):  # issue 14: .eml / mbox
                yield from mail.sources(item)
                continue
            yield _from_file(item)
        else:
            name = text_of_path(str(item))
            yield Source(display_name(name), name, problem=FileProblem("berkas_tidak_ada"))


def _walk(folder: Path) -> list[tuple[Path, str | None]]:
    """Regular files under ``folder``, sorted, each with its real path when it is known
    without asking the file system again (a file that is not a link, in a folder whose
    real path is known); symlinked folders are not followed (a link loop must not hang
    collect), unreadable folders are skipped."""
    out = []
    for root, dirs, files in os.walk(folder, onerror=lambda e: None):
        dirs.sort()
        try:
            real_root = os.path.realpath(root)
        except (OSError, ValueError):
            real_root = None
        for name in files:
            full = os.path.join(root, name)
            if os.path.isfile(full):
                real = os.path.join(real_root, name) \
                    if real_root and not os.path.islink(full) else None
                out.append((Path(full), real))
    out.sort(key=lambda item: item[0])
    return out


def estimate_sources(inputs: Iterable[Path]) -> int:
    """How many sources :func:`iter_sources` will yield, from the folder listings and the
    archives' central directories only (nested archives count as one): for progress."""
    n = 0
    for item in inputs:
        item = Path(item)
        paths = [p for p, _ in _walk(item) if not _ignored(p.name)] if item.is_dir() \
            else [item]
        for path in paths:
            n += 1
            try:
                if path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
                    with zipfile.ZipFile(path) as zf:
                        n += max(0, sum(1 for i in zf.infolist() if not i.is_dir()) - 1)
            except (OSError, zipfile.BadZipFile, ValueError, EOFError, NotImplementedError):
                pass
    return n


def _ignored(name: str) -> bool:
    """Office lock files (``~$x.xlsx``) and OS litter are not submissions."""
    return name.lower() in IGNORED_NAMES or name.startswith("~$")


def _from_file(path: Path, real: str | None = None) -> Source:
    """A file given or found in a folder (a zip archive of forms is opened only once the
    reader has said it is one: :func:`archive_sources`). Its real path is its identity
    in the ledger."""
    if real is None:
        try:
            real = str(path.resolve())
        except (OSError, RuntimeError):
            real = os.path.abspath(path)
    return Source(display_name(str(path)), text_of_path(real), path=path)


def archive_sources(src: Source) -> Iterator[Source]:
    """The members of a zip archive given as a file (the reader found it is one)."""
    try:
        zf = zipfile.ZipFile(src.path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        yield Source(src.name, src.source, problem=FileProblem("zip_rusak"))
        return
    with zf:
        yield from _from_archive(zf, src.source, [], 1, src.name)


def _is_archive(zf: zipfile.ZipFile) -> bool:
    """The reader's rule: a zip without any workbook's own parts is an archive."""
    return not (set(zf.namelist()) & WORKBOOK_PARTS)


def _from_archive(zf: zipfile.ZipFile, src: str, chain_: list[str], depth: int,
                  shown: str) -> Iterator[Source]:
    label = " › ".join([shown, *map(display_name, chain_)])
    try:
        infos = [i for i in zf.infolist() if not i.is_dir()]
    except Exception:
        yield Source(label, src, " › ".join(chain_), problem=FileProblem("zip_rusak"))
        return
    if len(infos) > MAX_ARCHIVE_MEMBERS:
        yield Source(label, src, " › ".join(chain_),
                     problem=FileProblem("zip_bom", {"reason": f"{len(infos)} isi"}))
        return
    if sum(i.file_size for i in infos) > MAX_ARCHIVE_BYTES:
        yield Source(label, src, " › ".join(chain_), problem=FileProblem(
            "zip_bom", {"reason": f"{sum(i.file_size for i in infos) // 2**20} MB"}))
        return
    counts: dict[str, int] = {}
    # issue 14: a WhatsApp chat export (``_chat.txt`` beside what was sent): its chat text,
    # photos and voice notes are skipped quietly, its forms and archives read as usual
    whatsapp = any(PurePosixPath(i.filename).name == "_chat.txt" for i in infos)
    for info in infos:
        if whatsapp and PurePosixPath(info.filename).suffix.lower() not in FORM_SUFFIXES:
            continue
        counts[info.filename] = counts.get(info.filename, 0) + 1
        # the same name twice in one archive: both are read, told apart by their order
        raw_name = info.filename if counts[info.filename] == 1 else \
            f"{info.filename} #{counts[info.filename]}"
        member_chain = [*chain_, raw_name]
        member = " › ".join(member_chain)
        name = " › ".join([shown, *map(display_name, member_chain)])
        if _ignored(Path(info.filename).name):
            continue
        if info.flag_bits & 0x1:
            yield Source(name, src, member, problem=FileProblem("berkas_terenkripsi"))
            continue
        if info.file_size > MAX_FILE_BYTES:
            yield Source(name, src, member, problem=too_large(info.file_size))
            continue
        try:
            with zf.open(info) as fh:
                blob = fh.read(MAX_FILE_BYTES + 1)
        except Exception as exc:
            code = "berkas_terenkripsi" if "encrypt" in str(exc).lower() else "zip_rusak"
            yield Source(name, src, member, problem=FileProblem(code))
            continue
        if len(blob) > MAX_FILE_BYTES:
            yield Source(name, src, member, problem=FileProblem("zip_bom",
                                                                {"reason": info.filename}))
            continue
        if blob.startswith(b"PK"):
            try:
                inner = zipfile.ZipFile(io.BytesIO(blob))
                nested = _is_archive(inner)
            except Exception:
                nested = False
            if nested:
                if depth >= MAX_ARCHIVE_DEPTH:
                    yield Source(name, src, member, problem=FileProblem("arsip_terlalu_dalam"))
                else:
                    yield from _from_archive(inner, src, member_chain, depth + 1, shown)
                continue
        yield Source(name, src, member, data=blob)


# --------------------------------------------------------------------------- results

@dataclass
class FileResult:
    name: str
    source: str
    member: str
    sha256: str
    size: int
    status: str
    problems: list[Problem] = field(default_factory=list)
    form_id: str | None = None
    revision: int | None = None
    nip: str | None = None
    nama: str = ""
    kode_iki: str = ""
    tahun: int | None = None
    realisasi: dict | None = None
    filled: int = 0
    last_period: int = -1
    modified_at: str | None = None
    kind: str = "other"
    duplicate_of: str | None = None  # same content seen before (under this name)
    new: bool = True
    superseded_by: str | None = None  # another file of the same form is the one used
    recorded: bool = True  # False: an internal error; not recorded, a rerun retries it

    def entry(self) -> dict:
        """The ledger row of this file."""
        return {"sha256": self.sha256, "size": self.size, "kind": self.kind,
                "form_id": self.form_id, "revision": self.revision, "nip": self.nip,
                "tahun": self.tahun, "status": self.status,
                "problems": [p.to_dict() for p in self.problems
                             if p.code != "digantikan"],
                "realisasi": self.realisasi, "filled": self.filled,
                "last_period": self.last_period, "modified_at": self.modified_at}


def _status(problems: list[Problem]) -> str:
    if any(p.is_error for p in problems):
        return STATUS_REJECTED
    return STATUS_NOTE if problems else STATUS_OK


def _norm(value: object) -> str:
    """A cell value compared as people see it: numbers without a trailing .0, text
    with its whitespace collapsed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        value = int(value)
    return " ".join(str(value).split())


def _digits(value: object) -> str:
    return "".join(ch for ch in str(value or "") if ch.isdigit())


def _col(ref: str) -> str:
    return ref.rstrip("0123456789")


def _row(ref: str) -> int:
    return int(ref[len(_col(ref)):] or 0)


ISSUED_CACHE = 256  # issued forms kept decoded while judging (a form usually comes once)


class Judge:
    """Judges raw readings against the ledger (issued forms cached per run)."""

    def __init__(self, ws: Workspace, tahun: int | None):
        self.ws = ws
        self.tahun = tahun
        self._issued: dict[tuple[str, int], dict | None] = {}
        self._latest: dict[str, int | None] | None = None
        self._identity_cells: dict[tuple[str, int], dict[str, str]] = {}

    def issued(self, form_id: str, revision: int,
               raw: RawReading | None = None) -> dict | None:
        """The ledger's copy of an issued form, with ``view``: the :class:`ReadingView`
        of its manifest. A form issued by an earlier version has no stored view: it is
        made from the manifest (the one ``raw`` decoded, when the two texts are the
        same)."""
        key = (form_id, revision)
        if key not in self._issued:
            if len(self._issued) >= ISSUED_CACHE:
                self._issued.clear()
            row = self.ws.issued_for_reading(form_id, revision)
            if row is not None:
                data = row.pop("reading")
                if data is None:
                    text = self.ws.issued_manifest_text(form_id, revision)
                    same = raw is not None and raw.manifest is not None and \
                        "indicators" in raw.manifest and raw.manifest_text == text
                    data = reading_view(raw.manifest if same else json.loads(text))
                row["view"] = load_view(data)
            self._issued[key] = row
        return self._issued[key]

    def latest_revision(self, form_id: str) -> int | None:
        if self._latest is None:
            self._latest = self.ws.latest_revisions()
        if form_id not in self._latest:  # issued after this run started
            self._latest[form_id] = self.ws.latest_revision(form_id)
        return self._latest[form_id]

    def judge(self, raw: RawReading, src: Source) -> FileResult:
        res = FileResult(src.name, src.source, src.member, raw.sha256, raw.size, STATUS_OK,
                         kind=raw.kind, modified_at=raw.modified_at)
        problems = res.problems

        def add(code, cell="", indicator="", **params):
            problems.append(Problem(code, params, file=src.name,
                                    sheet="IKI" if cell else "", cell=cell,
                                    indicator=indicator))

        for fp in raw.problems:
            add(fp.code, fp.cell, **fp.params)
        if raw.fatal:
            res.status = _status(problems)
            return res
        m = raw.manifest  # its shape was checked by the reader
        res.form_id, res.nip, res.nama = m["form_id"], m["nip"], str(m.get("nama", ""))
        if not raw.key_match:
            add("ruang_kerja_lain")
        elif not raw.signature_ok:
            add("tanda_tangan_salah")
        if problems:
            res.status = _status(problems)
            return res
        res.revision, res.tahun, res.kode_iki = m["revision"], m["tahun"], m["kode_iki"]
        issued = self.issued(res.form_id, res.revision, raw)
        if issued is None:
            add("formulir_tidak_dikenal", form_id=res.form_id)
        elif self.tahun is not None and res.tahun != self.tahun:
            add("tahun_lain", tahun=res.tahun, expected=self.tahun)
        else:
            latest = self.latest_revision(res.form_id)
            if latest is not None and res.revision < latest:
                add("revisi_lama", revision=res.revision, latest=latest)
        if problems:
            res.status = _status(problems)
            return res
        # The ledger's copy is the truth from here on (names, cells, targets).
        res.nip, res.nama, res.kode_iki = issued["nip"], issued["nama"], issued["kode_iki"]
        raw.split(issued["view"].inputs)
        self._compare_locked(raw, issued, add)
        if not any(p.is_error for p in problems):
            read_values(raw, issued["view"], lambda: indicator_texts(issued), res, add)
        res.status = _status(problems)
        return res

    # -- the issued content against the file's
    def _compare_locked(self, raw: RawReading, issued: dict, add) -> None:
        """The issued locked content (ledger copy) against the file's, cell by cell:
        identity, then table rows, then everything else."""
        want: dict = issued["locked_cells"]
        got = raw.locked
        if got != want and self._compare_cells(got, issued, add):
            return  # not this pegawai's form, or not its table: nothing else matters
        if raw.protected is False:
            add("proteksi_dibuka")
        if raw.formulas_missing:
            add("rumus_diubah", cell=raw.formulas_missing[0], cells=raw.formulas_missing[:8],
                count=len(raw.formulas_missing))

    def _compare_cells(self, got: dict, issued: dict, add) -> bool:
        """Locked cells that differ: True when the file is not this form at all."""
        want: dict = issued["locked_cells"]
        if self._identity(got, issued, add) or self._rows(got, issued, add):
            return True
        changed = sorted((r for r in want if got.get(r) != want[r]), key=ref_order)
        extra = sorted((r for r in got if r not in want), key=ref_order)
        rows = {e.row: text for e, text in zip(issued["view"].indicators,
                                                  indicator_texts(issued))}
        targets = {f"{TARGET_COL}{row}": text for row, text in rows.items()}
        for ref in changed:
            if ref in targets:
                add("target_diubah", cell=ref, indicator=targets[ref],
                    found=_show(got.get(ref)), issued=_show(want[ref]))
        others = [r for r in changed if r not in targets]
        if others:
            add("isi_terkunci_berubah", cell=others[0], cells=others[:8], count=len(others))
        misplaced = [r for r in extra if _row(r) in rows]
        for ref in misplaced[:10]:
            add("realisasi_salah_kolom", cell=ref, indicator=rows[_row(ref)],
                value=_show(got[ref]))
        outside = [r for r in extra if r not in misplaced[:10]]
        if outside:
            add("isian_di_luar", cell=outside[0], cells=outside[:8], count=len(outside))
        return False

    def identity_cells(self, issued: dict) -> dict[str, str]:
        """The issued form's cells that name its pegawai: ref → "nama" | "nip"."""
        key = (issued["form_id"], issued["revision"])
        cells = self._identity_cells.get(key)
        if cells is None:
            nama, nip = _norm(issued["nama"]), issued["nip"]
            shown = format_nip(nip)
            cells = {}
            for ref, value in issued["locked_cells"].items():
                if not isinstance(value, str):
                    continue
                if nama in value and _norm(value.lstrip(":")) == nama:
                    cells[ref] = "nama"
                elif len(nip) >= 9 and (shown in value or nip in value) \
                        and _digits(value) == nip:
                    cells[ref] = "nip"
            self._identity_cells[key] = cells
        return cells

    def _identity(self, got: dict, issued: dict, add) -> bool:
        """Whose form is this? The pegawai's nama and NIP cells must be those issued
        (found where issued, or in the same column when rows moved)."""
        want = issued["locked_cells"]
        cells = self.identity_cells(issued)
        differ = [ref for ref in cells if got.get(ref) != want[ref]
                  and _norm(got.get(ref)) != _norm(want[ref])]
        if not differ:
            return False
        by_col: dict[str, set[str]] = {}
        for ref, value in got.items():
            by_col.setdefault(_col(ref), set()).add(_norm(value))
        wrong = sorted((ref for ref in differ
                        if _norm(want[ref]) not in by_col.get(_col(ref), ())), key=ref_order)
        if not wrong:
            return False
        nip = issued["nip"]
        found_nip = next((d for ref in wrong if cells[ref] == "nip"
                          for d in [_digits(got.get(ref))] if len(d) == 18), "")
        found_nama = next((_norm(got.get(ref)).lstrip(": ") for ref in wrong
                           if cells[ref] == "nama" and got.get(ref) is not None), "")
        found = ", ".join(x for x in (found_nama, f"NIP {format_nip(found_nip)}"
                                      if found_nip else "") if x) or "kosong"
        owner = ""
        if found_nip and found_nip != nip:
            others = self.ws.forms_of_nip(found_nip, issued["tahun"])
            if others:
                owner = "; ".join(f"{o['nama']} (NIP {format_nip(o['nip'])}, {o['kode_iki']})"
                                  for o in others[:3])
        add("identitas_tidak_cocok", cell=wrong[0], found=found,
            issued=f"{issued['nama']} (NIP {format_nip(nip)})", owner=owner)
        return True

    def _rows(self, got: dict, issued: dict, add) -> bool:
        """Rows inserted, deleted, or indikator texts that are not the issued ones."""
        want = issued["locked_cells"]
        entries = [(f"{INDICATOR_COL}{e.row}", text)
                   for e, text in zip(issued["view"].indicators, indicator_texts(issued))]
        if all(got.get(ref) == text for ref, text in entries):
            return False
        col_c: dict[str, list[int]] = {}
        for ref, value in got.items():
            if _col(ref) == INDICATOR_COL:
                col_c.setdefault(_norm(value), []).append(_row(ref))
        shifted, missing = [], []
        for ref, text in entries:
            if _norm(got.get(ref)) == _norm(text):
                continue
            rows = sorted(col_c.get(_norm(text), ()))
            if rows:
                near = min(rows, key=lambda r: abs(r - _row(ref)))
                shifted.append((ref, f"{INDICATOR_COL}{near}", text, near - _row(ref)))
            else:
                missing.append((ref, text))
        if not shifted and not missing:
            return False
        # The first locked cell under the table tells whether rows went missing.
        last = max(_row(ref) for ref, _ in entries)
        below = sorted((r for r in want if _row(r) > last and _col(r) == "A"), key=ref_order)
        delta = 0
        if below:
            anchor = below[0]
            if _norm(got.get(anchor)) != _norm(want[anchor]):
                rows = [_row(r) for r, v in got.items()
                        if _col(r) == "A" and _norm(v) == _norm(want[anchor])]
                if rows:
                    delta = min(rows, key=lambda r: abs(r - _row(anchor))) - _row(anchor)
        if missing and (delta < 0 or any(d < 0 for *_, d in shifted)):
            ref, text = missing[0]
            add("baris_dihapus", cell=ref, indicator=text,
                count=-delta if delta < 0 else len(missing))
        elif shifted:
            ref, found, text, _ = shifted[0]
            add("baris_bergeser", cell=ref, indicator=text, found=found, count=len(shifted))
        else:
            ref, text = missing[0]
            owner = self._owner_of_table(got, issued, entries)
            add("indikator_tidak_cocok", cell=ref, indicator=text,
                found=_show(got.get(ref)), owner=owner)
        return True

    def _owner_of_table(self, got: dict, issued: dict, entries) -> str:
        """Another form of the same pegawai whose indikator texts the file shows."""
        texts = [_norm(got.get(ref)) for ref, _ in entries]
        for other in self.ws.forms_of_nip(issued["nip"], issued["tahun"]):
            if other["form_id"] == issued["form_id"]:
                continue
            full = self.issued(other["form_id"], other["revision"])
            inds = [_norm(text) for text in indicator_texts(full)] if full else []
            if inds[: len(texts)] == texts or (texts and texts[0] in inds):
                return f"{other['nama']} ({other['kode_iki']})"
        return ""


INDICATOR_COL = L.col_name([k for k, _ in L.COLUMNS].index("indikator"))  # "C"
TARGET_COL = L.col_name([k for k, _ in L.COLUMNS].index("target"))  # "G"


def indicator_texts(issued: dict) -> list[str]:
    """The indikator texts of an issued form, in order (from its locked cells)."""
    cells = issued["locked_cells"]
    return [str(cells.get(f"{INDICATOR_COL}{e.row}", "")) for e in issued["view"].indicators]


def read_values(raw: RawReading, view: ReadingView, names: Callable[[], list[str]],
                res: FileResult, add) -> None:
    """Parse every realisasi and keterangan cell of the form into ``res``. ``names``
    gives the indicators' names for problem messages (asked only when there is one)."""
    periods = view.periods
    inputs, cell_info = raw.inputs, raw.cell_info
    values: dict = {}
    filled, last = 0, -1
    named: list[str] = []

    def name_of(k: int) -> str:
        if not named:
            named.extend(names())
        return named[k] if k < len(named) else ""

    for k, entry in enumerate(view.indicators):
        yes_no = entry.polaritas == "ya/tidak"
        target = entry.target
        limit = -1.0 if yes_no else absurd_limit(target)  # -1: no number is plain
        real = {}
        for i, (period, ref) in enumerate(zip(periods, entry.realisasi)):
            value, info = inputs.get(ref), cell_info.get(ref)
            if info is None:  # a plain cell: blank (not submitted) or, most often, a number
                number = plain_number(value, limit) if value is not None else None
                if number is not None or value is None:
                    real[period] = number
                    if number is not None:
                        filled += 1
                        last = i if i > last else last
                    continue
                info = _PLAIN
            parsed = parse_realisasi(value, info, yes_no=yes_no, target=target)
            real[period] = parsed.value
            code = parsed.problem or parsed.note
            if code:
                add(code, cell=ref, indicator=name_of(k), value=_show(value),
                    period=period)
            if parsed.value is not None:
                filled += 1
                last = i if i > last else last
        ket_ref = entry.keterangan
        ket_info = cell_info.get(ket_ref, _PLAIN)
        keterangan = None if ket_info.error else keterangan_text(inputs.get(ket_ref))
        if ket_info.formula:
            add("keterangan_rumus", cell=ket_ref, indicator=name_of(k),
                value=_show(keterangan))
        values[entry.id] = {"realisasi": real, "keterangan": keterangan}
    res.realisasi, res.filled, res.last_period = values, filled, last
    if filled == 0:
        add("belum_diisi")


_PLAIN = CellInfo()


def _show(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        value = int(value)
    text = display_name(str(value))
    return text if len(text) <= 60 else text[:57] + "…"


# --------------------------------------------------------------------------- reading

def _read_source(args: tuple[Source, bytes | None, str | None]) -> RawReading:
    """Read one source (in a worker process, or in this one)."""
    src, key, key_id = args
    if src.problem is not None:  # could not even be listed or opened
        raw = RawReading(sha256_of(f"{src.source}\0{src.member}".encode()), 0)
        raw.problems.append(src.problem)
        return raw
    try:
        if src.path is not None:
            return read_path(src.path, key, key_id)
        return read_bytes(src.data or b"", key, key_id)
    except OSError as exc:  # vanished or locked since it was listed
        raw = RawReading(sha256_of(f"{src.source}\0{src.member}".encode()), 0)
        raw.problems.append(FileProblem("berkas_tidak_terbaca",
                                        {"reason": exc.strerror or str(exc)}))
        return raw


def _read_chunk(chunk: list[tuple[Source, bytes | None, str | None]]) -> list[RawReading]:
    return [_read_source(args) for args in chunk]


def _fewer_collections() -> tuple[int, ...]:
    """Collect the young generation every 50,000 allocations instead of 700 (returns
    the thresholds before). Each file allocates a few thousand short-lived objects
    without cycles: the default, with the old generation collected ever more often as
    results pile up, cost ~3% of a collect of 1,000 files."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], 50_000), *before[1:])
    return before


def _worker_init(parent: int) -> None:
    """Workers end themselves when collect is gone (killed, even with SIGKILL): a pool
    worker would otherwise wait for work forever. They read files only: the young
    generation is collected less often (see :func:`collect`)."""
    _fewer_collections()

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def _new_pool(jobs: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init,
                               initargs=(os.getpid(),))


def _read_alone(args) -> RawReading:
    """Read one source in a process of its own: a file that crashes its reader (a bug in
    a native library) is reported instead of taking collect down."""
    pool = _new_pool(1)
    try:
        return pool.submit(_read_source, args).result()
    except BrokenProcessPool:
        src = args[0]
        raw = RawReading(sha256_of(f"{src.source}\0{src.member}".encode()), 0)
        raw.problems.append(FileProblem("berkas_rusak", {"reason": "pembaca berhenti"}))
        return raw
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def read_expanding(sources: Iterable[Source], key: bytes | None, key_id: str | None,
                   jobs: int) -> Iterator[tuple[Source, RawReading]]:
    """:func:`read_all`, with the members of a zip archive given as a file read in its
    place (the reader tells an archive from a workbook by the central directory it parses
    anyway, so a file is opened as a zip once)."""
    for src, raw in read_all(sources, key, key_id, jobs):
        if raw.kind == "archive" and src.path is not None:
            yield from read_all(archive_sources(src), key, key_id, jobs)
        else:
            yield src, raw


def read_all(sources: Iterable[Source], key: bytes | None, key_id: str | None,
             jobs: int) -> Iterator[tuple[Source, RawReading]]:
    """(source, reading) in the order of ``sources``. With several jobs, a bounded
    window of chunks is in flight: memory does not grow with the number of files."""
    it = iter(sources)
    head = list(islice(it, 16))
    if jobs == 1 or len(head) < 16:
        for src in chain(head, it):
            yield src, _read_source((src, key, key_id))
        return
    size = 8
    pool = _new_pool(jobs)
    pending: deque = deque()
    stream = chain(head, it)

    def refill() -> None:
        while len(pending) < jobs * 3:
            chunk = list(islice(stream, size))
            if not chunk:
                return
            pending.append((chunk, pool.submit(_read_chunk, [(s, key, key_id)
                                                              for s in chunk])))

    try:
        refill()
        while pending:
            chunk, future = pending.popleft()
            try:
                raws = future.result()
            except BrokenProcessPool:
                pool.shutdown(wait=True, cancel_futures=True)
                raws = [_read_alone((s, key, key_id)) for s in chunk]
                pool = _new_pool(jobs)
                pending = deque((c, pool.submit(_read_chunk, [(s, key, key_id) for s in c]))
                                for c, _ in pending)
            yield from zip(chunk, raws)
            refill()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# --------------------------------------------------------------------------- run

@dataclass
class CollectReport:
    results: list[FileResult]
    not_submitted: list[dict]  # issued forms (latest revision) without a submission
    tahun: int | None
    run_id: str
    mail: dict | None = None  # issue 14: messages read, with / without a form (MailStats)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status and not r.duplicate_of)

    @property
    def exit_code(self) -> int:
        """0 when every file was accepted without problems, else 1."""
        return 0 if all(r.status == STATUS_OK and r.recorded for r in self.results) else 1


def collect(inputs: list[Path], ws: Workspace, *, tahun: int | None = None,
            jobs: int | None = None,
            progress: Callable[[int, int], None] | None = None,
            imap=None) -> CollectReport:
    """Collect every file under ``inputs`` (and the IMAP folder ``imap``, an
    :class:`iki_xlsx.mail.imap.ImapSpec`) into the ledger of ``ws`` and report."""
    from .mail.sources import MailInputs  # issue 14: mail inputs

    mail = MailInputs(imap)
    years = ws.years()
    if tahun is None and years:
        tahun = years[-1]
    key, key_id = (ws.key, ws.key_id) if ws.has_key() else (None, None)
    judge = Judge(ws, tahun)
    run_id = uuid.uuid4().hex
    results: list[FileResult] = []
    seen_this_run: dict[str, tuple[str, str, str]] = {}  # sha → (source, member, name)
    jobs = max(1, jobs or os.cpu_count() or 1)
    total = estimate_sources(inputs) if progress else 0
    done = 0
    recorder = _Recorder(ws, run_id)
    known_shas = ws.known_shas()  # one query instead of one per new file
    gc_threshold = _fewer_collections()
    try:
        sources = chain(iter_sources(inputs, mail), mail.imap_sources())
        for src, raw in read_expanding(sources, key, key_id, jobs):
            if raw.sha256 in recorder.shas:
                recorder.flush()  # the same content again: judged from the ledger
            res = _judged(ws, judge, src, raw, seen_this_run, known_shas)
            if res.recorded:
                recorder.add(res, src)
            results.append(res)
            mail.seen(res, src)  # issue 14: provenance notes, added below
            seen_this_run.setdefault(raw.sha256, (src.source, src.member, src.name))
            done += 1
            if progress:
                total = max(total, done)
                progress(done, total)
    except BaseException:
        with suppress(Exception):  # keep what was judged before an interrupt
            recorder.flush()
        raise
    finally:
        gc.set_threshold(*gc_threshold)
    recorder.flush()
    forms = ws.issued_forms(tahun, full=False)
    current = ws.current_submissions(tahun, full=False, forms=forms)
    _mark_superseded(ws, results, current, seen_this_run)
    mail.annotate(ws)  # issue 14: sender / attachment-name notes (report only)
    missing = [f for f in forms if f["form_id"] not in current]
    return CollectReport(results, missing, tahun, run_id,
                         mail.stats.to_dict() if mail.used else None)


BATCH_FILES = 100  # files recorded in one transaction, at most …
BATCH_SECONDS = 0.5  # … or what was judged in this time


class _Recorder:
    """Judged files waiting to be written: a transaction per batch (few hundred
    microseconds each) instead of per file. A crash loses at most the last batch, which
    a rerun records; the ledger is never half-written."""

    def __init__(self, ws: Workspace, run_id: str):
        self.ws, self.run_id = ws, run_id
        self.pending: list[tuple[FileResult, Source]] = []
        self.shas: set[str] = set()
        self.since = time.monotonic()

    def add(self, res: FileResult, src: Source) -> None:
        self.pending.append((res, src))
        self.shas.add(res.sha256)
        if len(self.pending) >= BATCH_FILES or time.monotonic() - self.since >= BATCH_SECONDS:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            new = self.ws.record_files([(res.entry(), src.source, src.member, src.origin)
                                        for res, src in self.pending], self.run_id)
            for (res, _), is_new in zip(self.pending, new):
                res.new = is_new
        self.pending, self.shas, self.since = [], set(), time.monotonic()


def _judged(ws: Workspace, judge: Judge, src: Source, raw: RawReading,
            seen_this_run: dict, known_shas: set[str] | None = None) -> FileResult:
    try:
        sha = raw.sha256
        known = ws.known_file(sha) if known_shas is None or sha in known_shas \
            or sha in seen_this_run else None
        if known is None:
            return judge.judge(raw, src)
        res = _from_ledger(known, src)
        issued = judge.issued(res.form_id, res.revision) if res.form_id and \
            res.revision is not None else None
        if issued:
            res.nama, res.kode_iki = issued["nama"], issued["kode_iki"]
        first = seen_this_run.get(raw.sha256) or _first_sighting(ws, raw.sha256)
        if first and first[:2] != (src.source, src.member):
            res.duplicate_of = first[2]
        return res
    except sqlite3.Error:
        raise  # the ledger itself: not a verdict about this file
    except Exception as exc:  # a bug of ours must not stop the batch nor freeze a verdict
        if os.environ.get("IKI_XLSX_DEBUG"):
            raise
        res = FileResult(src.name, src.source, src.member, raw.sha256, raw.size,
                         STATUS_REJECTED, kind=raw.kind, recorded=False, new=False)
        res.problems.append(Problem("berkas_rusak", {"reason": f"galat internal "
                                                               f"{type(exc).__name__}"},
                                    file=src.name))
        return res


def _mark_superseded(ws: Workspace, results: list[FileResult], current: dict,
                     seen_this_run: dict) -> None:
    """Accepted files of a form whose current submission is another file say which."""
    names: dict[str, str] = {}
    for r in results:
        cur = current.get(r.form_id) if r.form_id else None
        if cur is None or r.status not in ACCEPTED or cur["sha256"] == r.sha256 \
                or r.revision != cur["revision"]:
            continue
        sha = cur["sha256"]
        if sha not in names:
            first = seen_this_run.get(sha) or _first_sighting(ws, sha)
            names[sha] = first[2] if first else sha[:12]
        r.superseded_by = names[sha]
        r.problems.append(Problem("digantikan", {"by": names[sha]}, file=r.name))


def _first_sighting(ws: Workspace, sha: str) -> tuple[str, str, str] | None:
    seen = ws.sightings(sha)
    if not seen:
        return None
    s = seen[0]
    name = f"{s['source']} › {s['member']}" if s["member"] else s["source"]
    return s["source"], s["member"], display_name(name)


def _from_ledger(row: dict, src: Source) -> FileResult:
    """A file whose content was collected before: its verdict comes from the ledger."""
    problems = []
    for p in row["problems"] or []:
        fields = {k: p.get(k) for k in ("code", "params", "file", "sheet", "cell", "row",
                                        "column", "indicator")}
        fields["params"] = fields["params"] or {}
        problems.append(Problem(**{k: v for k, v in fields.items() if v is not None}))
    return FileResult(src.name, src.source, src.member, row["sha256"], row["size"],
                      row["status"], problems, row["form_id"], row["revision"], row["nip"],
                      "", "", row["tahun"], row["realisasi"], row["filled"],
                      row["last_period"], row["modified_at"], row["kind"], new=False)


# --------------------------------------------------------------------------- check

def check_file(path: Path, ws: Workspace | None, *, tahun: int | None = None) -> FileResult:
    """The checks of collect for one file, without recording anything. Without a
    workspace key the signature cannot be checked (the result says so)."""
    name = text_of_path(str(path))
    src = Source(display_name(name), name, path=path)
    if not path.is_file():
        raw = RawReading("", 0)
        raw.problems.append(FileProblem("berkas_tidak_ada"))
        return Judge(ws, tahun).judge(raw, src) if ws else _bare(raw, src)
    if ws is None or not ws.has_key():
        raw = _read_source((src, None, None))
        return _bare(raw, src)
    raw = _read_source((src, ws.key, ws.key_id))
    if tahun is None and ws.years():
        tahun = ws.years()[-1]
    return Judge(ws, tahun).judge(raw, src)


def _bare(raw: RawReading, src: Source) -> FileResult:
    """Without the key: file checks and values only, and a note that the signature and
    the issued content could not be checked."""
    res = FileResult(src.name, src.source, src.member, raw.sha256, raw.size, STATUS_OK,
                     kind=raw.kind)
    for fp in raw.problems:
        res.problems.append(Problem(fp.code, fp.params, file=src.name))
    if not raw.fatal:
        m = raw.manifest
        res.form_id, res.revision, res.nip = m["form_id"], m["revision"], m["nip"]
        res.nama, res.tahun = str(m.get("nama", "")), m["tahun"]
        res.problems.append(Problem("tanpa_kunci", file=src.name))
        if raw.protected is False:
            res.problems.append(Problem("proteksi_dibuka", file=src.name))

        def add(code, cell="", indicator="", **params):
            res.problems.append(Problem(code, params, file=src.name, sheet="IKI" if cell else "",
                                        cell=cell, indicator=indicator))

        view = load_view(reading_view(m))
        read_values(raw, view, lambda: [f"No. {e.no} ({e.id})" for e in view.indicators],
                    res, add)
    res.status = _status(res.problems)
    return res
