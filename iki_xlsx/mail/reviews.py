"""Sending the atasan their review workbooks (issue 26): ``distribute --verifikasi
FOLDER`` sends each atasan the latest workbook of a period from that folder (the send
log sends it once per revision), ``remind --verifikasi FOLDER`` again to each atasan
whose bawahan still have values waiting for the period. One message per workbook, as
:mod:`.distribute` sends the forms (``.eml`` or SMTP, rate-limited, logged)."""

from __future__ import annotations

from pathlib import Path

from ..core.texts import Texts
from ..core.timeline import MENUNGGU, ULANG, FormYear
from ..forms import book_key
from ..workspace import IssuedReview, MailForm, Workspace
from .distribute import DistributeResult, SmtpSpec, deliver
from .message import Outgoing


def as_mail_form(review: IssuedReview) -> MailForm:
    """A review workbook in the shape a message is built from (its atasan as recipient,
    its id and revision for the send log, its file)."""
    return MailForm(review.review_id, review.revision, review.atasan_nip, "",
                    review.tahun, review.atasan_nama, "", "", "", "", "", "",
                    review.file_path, review.issued_at, review.issued_at, None, None, None)


def found_reviews(ws: Workspace, tahun: int | None = None,
                  period: str | None = None) -> list[IssuedReview]:
    """The latest review workbook of each atasan for ``period`` (default: the period of
    the workbooks made last)."""
    latest = ws.reviews.latest(tahun)
    if period is None and latest:
        period = max(latest, key=lambda r: r.issued_at).period
    return [r for r in latest if r.period == period]


def waiting_atasan(years: dict[str, FormYear], forms: list[MailForm], period: str) -> set[str]:
    """The atasan, in the capacity their workbook is for (:func:`iki_xlsx.forms.book_key`),
    with a bawahan whose value of ``period`` waits for them or needs verifying again."""
    out = set()
    for f in forms:
        year = years.get(f.form_id)
        if year is None or (year.active is not None and period not in year.active):
            continue
        if any(year.verification(ind, p) in (MENUNGGU, ULANG)
               for ind, p in year.values if p == period):
            out.add(book_key({"nip": f.atasan_nip, "nama": f.atasan_nama,
                              "jabatan": f.atasan_jabatan}))
    return out


def send_reviews(ws: Workspace, reviews: list[IssuedReview], folder: Path, texts: Texts,
                 *, sender: str, settings: dict, eml_dir: Path, smtp: SmtpSpec | None,
                 dry_run: bool, stamp: str = "",
                 result: DistributeResult | None = None) -> DistributeResult:
    """One message per review workbook to its atasan (the workbook attached); the send
    log keeps one per workbook revision (``stamp``: per reminder day too)."""
    result = result or DistributeResult(dry_run=dry_run)
    contacts = ws.mail.contacts()
    todo = []
    for review in reviews:
        form = as_mail_form(review)
        contact = contacts.get(review.atasan_nip)
        if not review.atasan_nip or not contact or not contact.email:
            result.no_email.append(form)
            continue
        path = Path(folder) / review.file_path
        if not path.is_file():
            result.missing.append(form)
            continue
        label = texts.t(f"form.periode.{review.period}")
        kind = f"verifikasi-{review.period}" + (f"-{stamp}" if stamp else "")
        todo.append(Outgoing(form, kind, contact.email, [], path,
                             {"periode": label,
                              "bawahan": len(review.manifest.get("blocks") or [])}))
    return deliver(ws, todo, texts, sender=sender, settings=settings, eml_dir=eml_dir,
                   smtp=smtp, dry_run=dry_run, result=result)
