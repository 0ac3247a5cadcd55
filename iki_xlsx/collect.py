"""Collect returned forms: find every file (folders, zip archives, nested), read it
(:mod:`iki_xlsx.read`), judge it against the ledger, and record it — nothing lost.

Rules that keep officers from being fooled:

* a file is identified by its signed manifest, never by its name or position; its form id
  and revision must be in the ledger, of the expected year, and current;
* what was *issued* is the truth: locked cells are compared with the ledger's copy (not
  with the file's own manifest), an edited target is reported and the issued one used;
* every value is re-validated (:mod:`iki_xlsx.values`), every capaian recomputed later;
* each file is recorded in its own transaction: an interrupted collect leaves the ledger
  consistent and a rerun completes it; collecting the same files again changes nothing.
"""

from __future__ import annotations

import io
import os
import uuid
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from .ledger import Workspace
from .problems import Problem
from .read import (MAX_FILE_BYTES, FileProblem, RawReading, read_bytes, read_path, sha256_of,
                   sniff)
from .values import CellInfo, keterangan_text, parse_realisasi

MAX_ARCHIVE_DEPTH = 3
MAX_ARCHIVE_MEMBERS = 10_000
MAX_ARCHIVE_BYTES = 2 * 1024 ** 3  # declared inflated size of all members of one archive
IGNORED_NAMES = {"thumbs.db", "desktop.ini", ".ds_store"}

STATUS_OK, STATUS_NOTE, STATUS_REJECTED = "diterima", "diterima_catatan", "ditolak"


# --------------------------------------------------------------------------- sources

@dataclass
class Source:
    name: str  # what the officer sees: path, or archive.zip › member
    source: str  # the path given on disk
    member: str = ""  # path inside the archive (chain joined by " › ")
    path: Path | None = None  # a file on disk
    data: bytes | None = None  # an archive member, in memory only
    problem: FileProblem | None = None  # the source could not even be read


def iter_sources(inputs: list[Path]) -> Iterator[Source]:
    """Every candidate file under ``inputs``: files, folders (recursively, sorted) and
    zip archives (members read in memory, nested archives followed to a bounded depth;
    names such as ``../../x.xlsx`` are only names, nothing is extracted to disk)."""
    for item in inputs:
        item = Path(item)
        if item.is_dir():
            for path in sorted(p for p in item.rglob("*") if p.is_file()):
                if not _ignored(path.name):
                    yield from _from_file(path)
        elif item.is_file():
            yield from _from_file(item)
        else:
            yield Source(str(item), str(item), problem=FileProblem("berkas_tidak_ada"))


def _ignored(name: str) -> bool:
    """Office lock files (``~$x.xlsx``) and OS litter are not submissions."""
    return name.lower() in IGNORED_NAMES or name.startswith("~$")


def _from_file(path: Path) -> Iterator[Source]:
    src = str(path.resolve())  # identity in the ledger; the name shown stays as given
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
        size = path.stat().st_size
    except OSError as exc:
        yield Source(src, src, problem=FileProblem("berkas_tidak_terbaca",
                                                   {"reason": exc.strerror or str(exc)}))
        return
    if head.startswith(b"PK") and size <= MAX_ARCHIVE_BYTES and _is_archive_path(path):
        yield from _from_archive(path.read_bytes(), src, [], 1, str(path))
    else:
        yield Source(str(path), src, path=path)


def _is_archive_path(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return _is_archive(zf)
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _is_archive(zf: zipfile.ZipFile) -> bool:
    names = set(zf.namelist())
    return not ({"mimetype", "[Content_Types].xml", "xl/workbook.xml"} & names)


def _from_archive(data: bytes, src: str, chain: list[str], depth: int,
                  shown: str) -> Iterator[Source]:
    label = " › ".join([shown, *chain])
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, ValueError, OSError):
        yield Source(label, src, " › ".join(chain), problem=FileProblem("zip_rusak"))
        return
    if len(infos) > MAX_ARCHIVE_MEMBERS or sum(i.file_size for i in infos) > MAX_ARCHIVE_BYTES:
        yield Source(label, src, " › ".join(chain),
                     problem=FileProblem("zip_bom", {"reason": f"{len(infos)} isi"}))
        return
    for info in infos:
        member_chain = [*chain, info.filename]
        member = " › ".join(member_chain)
        name = f"{shown} › {member}"
        if _ignored(Path(info.filename).name):
            continue
        if info.file_size > MAX_FILE_BYTES:
            yield Source(name, src, member, problem=FileProblem(
                "berkas_terlalu_besar", {"mb": round(info.file_size / 2**20, 1),
                                         "max_mb": MAX_FILE_BYTES // 2**20}))
            continue
        try:
            with zf.open(info) as fh:
                blob = fh.read(MAX_FILE_BYTES + 1)
        except Exception:
            yield Source(name, src, member, problem=FileProblem("zip_rusak"))
            continue
        if len(blob) > MAX_FILE_BYTES:
            yield Source(name, src, member, problem=FileProblem("zip_bom",
                                                                {"reason": info.filename}))
            continue
        if blob.startswith(b"PK"):
            try:
                inner = zipfile.ZipFile(io.BytesIO(blob))
                nested = _is_archive(inner)
            except (zipfile.BadZipFile, ValueError):
                nested = False
            if nested:
                if depth >= MAX_ARCHIVE_DEPTH:
                    yield Source(name, src, member, problem=FileProblem("arsip_terlalu_dalam"))
                else:
                    yield from _from_archive(blob, src, member_chain, depth + 1, shown)
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

    def entry(self) -> dict:
        """The ledger row of this file."""
        return {"sha256": self.sha256, "size": self.size, "kind": self.kind,
                "form_id": self.form_id, "revision": self.revision, "nip": self.nip,
                "tahun": self.tahun, "status": self.status,
                "problems": [p.to_dict() for p in self.problems], "realisasi": self.realisasi,
                "filled": self.filled, "last_period": self.last_period,
                "modified_at": self.modified_at}


def _status(problems: list[Problem]) -> str:
    if any(p.is_error for p in problems):
        return STATUS_REJECTED
    return STATUS_NOTE if problems else STATUS_OK


class Judge:
    """Judges raw readings against the ledger (issued forms cached per run)."""

    def __init__(self, ws: Workspace, tahun: int | None):
        self.ws = ws
        self.tahun = tahun
        self._issued: dict[tuple[str, int], dict | None] = {}
        self._latest: dict[str, int] = {}

    def issued(self, form_id: str, revision: int) -> dict | None:
        key = (form_id, revision)
        if key not in self._issued:
            self._issued[key] = self.ws.issued(form_id, revision)
        return self._issued[key]

    def latest_revision(self, form_id: str) -> int | None:
        if form_id not in self._latest:
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
        m = raw.manifest
        res.form_id, res.nip, res.nama = m.get("form_id"), m.get("nip"), str(m.get("nama", ""))
        if not raw.key_match:
            add("ruang_kerja_lain")
        elif not raw.signature_ok:
            add("tanda_tangan_salah")
        if problems:
            res.status = _status(problems)
            return res
        res.revision, res.tahun, res.kode_iki = m["revision"], m["tahun"], m.get("kode_iki", "")
        try:
            issued = self.issued(res.form_id, int(res.revision))
        except (TypeError, ValueError):
            issued = None
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
        self._compare_locked(raw, issued, add)
        if not any(p.is_error for p in problems):
            names = [ind["indikator"] for ind in issued["form_json"]["iki"]["indicators"]]
            read_values(raw, issued["manifest"], names, res, add)
        res.status = _status(problems)
        return res

    @staticmethod
    def _compare_locked(raw: RawReading, issued: dict, add) -> None:
        """The issued locked content (ledger copy) against the file's, cell by cell."""
        want: dict = issued["locked_cells"]
        got = raw.locked
        manifest = issued["manifest"]
        # Rows inserted or deleted: an indikator text found on another row.
        form = issued["form_json"]
        shifted = []
        for ind, entry in zip(form["iki"]["indicators"], manifest["indicators"]):
            ref = f"C{entry['row']}"
            if got.get(ref) != ind["indikator"]:
                rows = [r for r, v in got.items() if v == ind["indikator"] and r.startswith("C")]
                if rows:
                    shifted.append((ref, rows[0], ind["indikator"]))
        if shifted:
            ref, found, text = shifted[0]
            add("baris_bergeser", cell=ref, indicator=text, found=found, count=len(shifted))
            return
        changed = sorted((r for r in want if got.get(r) != want[r]), key=_ref_order)
        extra = sorted((r for r in got if r not in want), key=_ref_order)
        targets = {f"G{e['row']}": ind["indikator"]
                   for ind, e in zip(form["iki"]["indicators"], manifest["indicators"])}
        for ref in changed:
            if ref in targets:
                add("target_diubah", cell=ref, indicator=targets[ref],
                    found=_show(got.get(ref)), issued=_show(want[ref]))
        others = [r for r in changed if r not in targets]
        if others:
            add("isi_terkunci_berubah", cell=others[0], cells=others[:8], count=len(others))
        if extra:
            add("isian_di_luar", cell=extra[0], cells=extra[:8], count=len(extra))
        if raw.protected is False:
            add("proteksi_dibuka")
        if raw.formulas_missing:
            add("rumus_diubah", cell=raw.formulas_missing[0], cells=raw.formulas_missing[:8],
                count=len(raw.formulas_missing))



def read_values(raw: RawReading, manifest: dict, names: list[str], res: FileResult,
                add) -> None:
    """Parse every realisasi and keterangan cell the manifest names into ``res``."""
    periods = manifest["periods"]
    values: dict = {}
    filled, last = 0, -1
    for name, entry in zip(names, manifest["indicators"]):
        yes_no = entry["polaritas"] == "ya/tidak"
        target = entry["target"].get("value")
        if target is None and entry["target"].get("high") is not None:
            target = entry["target"]["high"]
        real = {}
        for i, period in enumerate(periods):
            ref = entry["cells"]["realisasi"][period]
            parsed = parse_realisasi(raw.inputs.get(ref), raw.cell_info.get(ref, CellInfo()),
                                     yes_no=yes_no, target=target)
            real[period] = parsed.value
            code = parsed.problem or parsed.note
            if code:
                add(code, cell=ref, indicator=name, value=_show(raw.inputs.get(ref)),
                    period=period)
            if parsed.value is not None:
                filled += 1
                last = max(last, i)
        ket_ref = entry["cells"]["keterangan"]
        values[entry["id"]] = {"realisasi": real,
                               "keterangan": keterangan_text(raw.inputs.get(ket_ref))}
    res.realisasi, res.filled, res.last_period = values, filled, last
    if filled == 0:
        add("belum_diisi")


def _ref_order(ref: str) -> tuple[int, str]:
    digits = "".join(ch for ch in ref if ch.isdigit())
    letters = "".join(ch for ch in ref if ch.isalpha())
    return int(digits or 0), f"{len(letters)}{letters}"


def _show(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


# --------------------------------------------------------------------------- run

@dataclass
class CollectReport:
    results: list[FileResult]
    not_submitted: list[dict]  # issued forms (latest revision) without a submission
    tahun: int | None
    run_id: str

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status and not r.duplicate_of)

    @property
    def exit_code(self) -> int:
        """0 when every file was accepted without problems, else 1."""
        return 0 if all(r.status == STATUS_OK for r in self.results) else 1


def _read_source(args: tuple[Source, bytes | None, str | None]) -> RawReading:
    src, key, key_id = args
    if src.path is not None:
        return read_path(src.path, key, key_id)
    return read_bytes(src.data or b"", key, key_id)


def collect(inputs: list[Path], ws: Workspace, *, tahun: int | None = None,
            jobs: int | None = None,
            progress: Callable[[int, int], None] | None = None) -> CollectReport:
    """Collect every file under ``inputs`` into the ledger of ``ws`` and report."""
    years = ws.years()
    if tahun is None and years:
        tahun = years[-1]
    key, key_id = (ws.key, ws.key_id) if ws.has_key() else (None, None)
    judge = Judge(ws, tahun)
    run_id = uuid.uuid4().hex
    sources = list(iter_sources(inputs))
    results: list[FileResult] = []
    seen_this_run: dict[str, tuple[str, str, str]] = {}  # sha → (source, member, name)
    todo: list[Source] = []
    for src in sources:
        if src.problem is not None:
            raw = RawReading(sha256_of(src.source.encode() + src.member.encode()), 0)
            raw.problems.append(src.problem)
            results.append(_record(ws, judge.judge(raw, src), src, run_id))
        else:
            todo.append(src)
    jobs = max(1, jobs or os.cpu_count() or 1)
    args = [(s, key, key_id) for s in todo]
    if jobs == 1 or len(todo) < 16:
        raws = map(_read_source, args)
        pool = None
    else:
        pool = ProcessPoolExecutor(max_workers=jobs)
        raws = pool.map(_read_source, args, chunksize=max(1, min(16, len(todo) // (jobs * 4))))
    try:
        for done, (src, raw) in enumerate(zip(todo, raws), start=1):
            known = ws.known_file(raw.sha256)
            if known is not None:
                res = _from_ledger(known, src, raw)
                issued = judge.issued(res.form_id, res.revision) if res.form_id else None
                if issued:
                    res.nama, res.kode_iki = issued["nama"], issued["kode_iki"]
                first = seen_this_run.get(raw.sha256) or _first_sighting(ws, raw.sha256)
                if first and first[:2] != (src.source, src.member):
                    res.duplicate_of = first[2]
            else:
                res = judge.judge(raw, src)
            results.append(_record(ws, res, src, run_id))
            seen_this_run.setdefault(raw.sha256, (src.source, src.member, src.name))
            if progress:
                progress(done, len(todo))
    finally:
        if pool is not None:
            pool.shutdown()
    current = ws.current_submissions(tahun)
    missing = [f for f in ws.issued_forms(tahun, full=False) if f["form_id"] not in current]
    return CollectReport(results, missing, tahun, run_id)


def _record(ws: Workspace, res: FileResult, src: Source, run_id: str) -> FileResult:
    res.new = ws.record_file(res.entry(), src.source, src.member, run_id)
    return res


def _first_sighting(ws: Workspace, sha: str) -> tuple[str, str, str] | None:
    seen = ws.sightings(sha)
    if not seen:
        return None
    s = seen[0]
    name = f"{s['source']} › {s['member']}" if s["member"] else s["source"]
    return s["source"], s["member"], name


def _from_ledger(row: dict, src: Source, raw: RawReading) -> FileResult:
    """A file whose content was collected before: its verdict comes from the ledger."""
    problems = []
    for p in row["problems"] or []:
        fields = {k: p.get(k) for k in ("code", "params", "file", "sheet", "cell", "row",
                                        "column", "indicator")}
        fields["params"] = fields["params"] or {}
        problems.append(Problem(**{k: v for k, v in fields.items() if v is not None}))
    nama = ""
    return FileResult(src.name, src.source, src.member, row["sha256"], row["size"],
                      row["status"], problems, row["form_id"], row["revision"], row["nip"],
                      nama, "", row["tahun"], row["realisasi"], row["filled"],
                      row["last_period"], row["modified_at"], row["kind"], new=False)


# --------------------------------------------------------------------------- check

def check_file(path: Path, ws: Workspace | None, *, tahun: int | None = None) -> FileResult:
    """The checks of collect for one file, without recording anything. Without a
    workspace key the signature cannot be checked (the result says so)."""
    src = Source(str(path), str(path), path=path)
    if not path.is_file():
        raw = RawReading("", 0)
        raw.problems.append(FileProblem("berkas_tidak_ada"))
        return Judge(ws, tahun).judge(raw, src) if ws else _bare(raw, src)
    if ws is None or not ws.has_key():
        raw = read_path(path, None, None)
        return _bare(raw, src)
    raw = read_path(path, ws.key, ws.key_id)
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
        res.form_id, res.revision, res.nip = m.get("form_id"), m.get("revision"), m.get("nip")
        res.nama, res.tahun = str(m.get("nama", "")), m.get("tahun")
        res.problems.append(Problem("tanpa_kunci", file=src.name))
        if raw.protected is False:
            res.problems.append(Problem("proteksi_dibuka", file=src.name))

        def add(code, cell="", indicator="", **params):
            res.problems.append(Problem(code, params, file=src.name, sheet="IKI" if cell else "",
                                        cell=cell, indicator=indicator))

        try:
            names = [f"No. {e.get('no', '')} ({e['id']})" for e in m["indicators"]]
            read_values(raw, m, names, res, add)
        except (KeyError, TypeError, AttributeError):
            add("manifest_rusak")
    res.status = _status(res.problems)
    return res
