"""An upload, the collect way: each file written (bounded) under a random name into a
private folder of the workspace, then :func:`iki_xlsx.collect.collect` on those paths —
the same reading, judging, recording and keeping of the bytes as ``iki-xlsx collect`` —
and the verdict a pegawai sees: whose form, the values read per indikator and period,
the capaian they give, each problem with its cell and what to do, and a receipt.

The name the browser sends is never used as a path: it is shown back to the uploader
only (cleaned of control characters), never stored.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, Iterable

from ..collect import (
    MAX_FILE_BYTES,
    UPLOAD_LIMITS,
    FileResult,
    Readers,
    collect,
    display_name,
)
from ..core.capaian import capaian_upto
from ..core.matching import indicator_id
from ..core.model import PeriodScheme, format_nip, format_number, whole
from ..core.problems import Status
from ..core.texts import Texts
from ..core.timeline import load_years
from ..forms import form_from_dict
from ..workspace import IssuedFormFull, Workspace, private_dir

INBOX = Path("portal") / "masuk"  # inside the workspace: uploads while they are judged
SUFFIX = ".unggahan"  # never what the browser said; an upload is never read as mail
CHUNK = 64 * 1024
MAX_FILES = 10  # files in one upload (a form is ~20 KB: a pegawai sends one or two)



@dataclass
class Upload:
    """One file as it arrived: where it was written, its receipt."""

    shown_name: str  # what the browser called it, for the uploader's eyes only
    path: Path
    receipt: str
    size: int
    sha256: str
    received_at: datetime  # UTC

    @property
    def local_time(self) -> str:
        """When it arrived, in the server's own time zone (WIB / WITA / WIT)."""
        local = self.received_at.astimezone()
        offset = local.strftime("%z")
        return f"{local:%d-%m-%Y %H:%M:%S} UTC{offset[:3]}:{offset[3:]}"


@dataclass
class ValueRow:
    no: str
    indikator: str
    satuan: str
    target: str
    values: list[str]  # one per period of the form ("" blank)
    capaian: str  # "" when nothing filled
    capaian_period: str
    keterangan: str = ""


@dataclass
class ProblemLine:
    error: bool
    level: str
    where: str
    message: str
    advice: str


@dataclass
class Verdict:
    upload: Upload
    member: str  # inside an uploaded zip archive ("" the file itself)
    status: str  # diterima | diterima_catatan | ditolak
    status_text: str
    nama: str = ""
    nip: str = ""
    jabatan: str = ""
    kode_iki: str = ""
    tahun: int | None = None
    revision: int | None = None
    periods: list[str] = field(default_factory=list)  # labels, in the form's order
    rows: list[ValueRow] = field(default_factory=list)
    problems: list[ProblemLine] = field(default_factory=list)
    known_before: bool = False  # the same content was received earlier
    unused: list[str] = field(default_factory=list)  # values given that do not count
    size: int = 0  # the file's own size (a member of an archive: its own)
    new_form: bool = False  # a form of this workspace new to the ledger (bytes kept)

    @property
    def accepted(self) -> bool:
        return self.status != Status.REJECTED

    @property
    def kept_bytes(self) -> int:
        """What keeping this file cost the workspace: its size, when it is a form of this
        workspace new to the ledger (anything else keeps no bytes)."""
        return self.size if self.new_form else 0


def inbox(ws: Workspace) -> Path:
    return private_dir(ws.path / INBOX, ws.path)


def new_receipt(now: datetime) -> str:
    """A receipt number: the day and 40 random bits (unguessable, never a count)."""
    return f"TT-{now:%Y%m%d}-{secrets.token_hex(5).upper()}"


def save_upload(ws: Workspace, stream: BinaryIO, shown_name: str) -> Upload:
    """Write one uploaded file into the private inbox under a fresh random name (at most
    ``MAX_FILE_BYTES`` + 1 bytes are kept: more is judged too large, as collect does)."""
    now = datetime.now(timezone.utc)
    receipt = new_receipt(now)
    path = inbox(ws) / f"{receipt}{SUFFIX}"
    digest, size = hashlib.sha256(), 0
    with open(path, "xb") as out:
        while True:
            chunk = stream.read(CHUNK)
            if not chunk:
                break
            size += len(chunk)
            digest.update(chunk)
            if size <= MAX_FILE_BYTES + 1:
                out.write(chunk[: max(0, MAX_FILE_BYTES + 1 - (size - len(chunk)))])
    shown = display_name(Path(str(shown_name).replace("\\", "/")).name)[:120] or "-"
    return Upload(shown, path, receipt, size, digest.hexdigest(), now)


def judge_uploads(ws: Workspace, uploads: list[Upload], texts: Texts,
                  readers: Readers | None = None) -> list[Verdict]:
    """Collect the uploaded files (as ``iki-xlsx collect`` would, within the upload's
    limits: at most 20 files read, archives not inside archives, only this workspace's
    forms kept) and say what each gave. The temporary files are removed; collect keeps
    the bytes of forms under berkas/."""
    try:  # uploads are judged side by side, each in its own thread and transactions:
        # none waits for another's files (the ledger keeps concurrent writers apart)
        report = collect([u.path for u in uploads], ws, jobs=1, year=False,
                         mail_files=False, limits=UPLOAD_LIMITS,
                         received_at=min(u.received_at for u in uploads), readers=readers)
    finally:
        for u in uploads:
            u.path.unlink(missing_ok=True)
    by_source = {str(u.path.resolve()): u for u in uploads}
    by_name = {u.path.name: u for u in uploads}
    out = []
    for res in report.results:
        upload = by_source.get(res.source) or by_name.get(Path(res.source).name)
        if upload is None:  # cannot happen: every source is one of ours
            continue
        out.append(verdict(ws, res, upload, texts))
    return out


def verdict(ws: Workspace, res: FileResult, upload: Upload, texts: Texts) -> Verdict:
    t = texts.t
    status_text = t(f"cli.status.{res.status}")
    v = Verdict(upload, display_name(res.member) if res.member else "", str(res.status),
                status_text, known_before=not res.new or bool(res.duplicate_of),
                size=res.size, new_form=res.new and not res.duplicate_of
                and res.form_id is not None)
    issued = ws.issued.form(res.form_id, res.revision) if res.form_id and \
        res.revision is not None else None
    if issued is not None:
        form = form_from_dict(issued.form_json)
        v.nama, v.nip = form.pegawai.nama, format_nip(form.pegawai.nip)
        v.jabatan, v.kode_iki = form.pegawai.jabatan, form.iki.kode
        v.tahun, v.revision = form.settings.tahun, res.revision
        _values(v, res, issued, form, texts)
        v.unused = _not_counted(ws, res, issued, texts)
    elif res.verifications is not None:  # an atasan's review workbook (issue 26)
        v.nama, v.nip = res.nama, format_nip(res.nip or "")
        v.tahun, v.revision = res.tahun, res.revision
    for p in res.problems:
        p = dataclasses.replace(p, file=upload.shown_name)
        where = f"{p.sheet}!{p.cell}" if p.cell else ""
        if p.indicator:
            where = f"{where} · {p.indicator}" if where else p.indicator
        v.problems.append(ProblemLine(p.is_error, t(f"tingkat.{p.severity.value}"), where,
                                      p.message(texts), p.advice(texts)))
    return v


def _values(v: Verdict, res: FileResult, issued: IssuedFormFull, form,
            texts: Texts) -> None:
    """The values the file gave, per indikator and period, and the capaian s.d. the last
    filled period (the recap's rule, with the issued targets)."""
    manifest = issued.manifest
    periods = list(manifest.get("periods") or form.settings.periode.periods)
    v.periods = [_period(p, texts) for p in periods]
    scheme = PeriodScheme(form.settings.periode)
    cap = float(form.settings.batas_capaian or 120)
    got_all = res.realisasi or {}
    for k, (entry, ind) in enumerate(zip(manifest.get("indicators") or [],
                                         form.iki.indicators)):
        got = got_all.get(entry.get("id", indicator_id(k))) or {}
        values = got.get("realisasi") or {}
        filled = [p for p in periods if values.get(p) is not None]
        capaian, upto = "", ""
        if filled:
            try:
                c = capaian_upto(values, filled[-1], ind, scheme, cap,
                                 midyear=form.settings.target_tengah_tahun)
            except ValueError:
                c = None
            capaian = "-" if c is None else format_number(round(c, 2))
            upto = _period(filled[-1], texts)
        notes = got.get("keterangan") or {}
        note = "; ".join(str(x) for x in (notes.values() if isinstance(notes, dict)
                                          else [notes]) if x not in (None, ""))
        v.rows.append(ValueRow(str(ind.no or k + 1), ind.indikator, ind.satuan,
                               ind.target.text, [_shown(values.get(p)) for p in periods],
                               capaian, upto, note[:300]))


def _not_counted(ws: Workspace, res: FileResult, issued: IssuedFormFull,
                 texts: Texts) -> list[str]:
    """The values this file gave that are not the ones that count now (``TW I indikator
    ke-2``): another file of the form saved later gives another (the trusted clock), or
    the officer decided otherwise — so that a pegawai is never told all is well while a
    copy's values stand.
    Files of the current revision only (an earlier revision's are matched by the
    recap)."""
    if res.status == Status.REJECTED or \
            ws.issued.current_revision(res.form_id) != res.revision:
        return []
    shape = (list(issued.manifest.get("periods") or []),
             len(issued.manifest.get("indicators") or []))  # this form's only: cheap
    year = load_years(ws, issued.tahun, [issued], {issued.form_id: shape},
                      names={})[issued.form_id]
    if res.sha256 in year.excluded:
        return []  # set aside by the officer: the verdict's own status says enough
    out = []
    for ind_id, entry in sorted((res.realisasi or {}).items()):
        for period, value in (entry.get("realisasi") or {}).items():
            counted = year.values.get((ind_id, period))
            if value is not None and (counted is None or counted.value != value):
                out.append(texts.t("portal.hasil.sel", periode=_period(period, texts),
                                   ke=int(ind_id) if ind_id.isdigit() else ind_id))
    return out


def _shown(value: object) -> str:
    if value is None:
        return ""
    value = whole(value)
    if isinstance(value, (int, float)):
        return format_number(value)
    return str(value)


def _period(code: str, texts: Texts) -> str:
    key = f"form.periode.{code}"
    return texts.t(key) if texts.has(key) else code


def fingerprint(sha256: str) -> str:
    """The sha256 in groups of eight, easier to read aloud over the phone."""
    return " ".join(sha256[i:i + 8] for i in range(0, len(sha256), 8))


def audit_lines(verdicts: Iterable[Verdict]) -> list[str]:
    """What the audit log says of an upload (no values: receipt, sha, form, status)."""
    return [f"unggah {v.upload.receipt} sha256={v.upload.sha256} ukuran={v.upload.size}"
            f" status={v.status} formulir={v.nip.replace(' ', '') or '-'}"
            f"{' anggota=' + v.member if v.member else ''}" for v in verdicts]
