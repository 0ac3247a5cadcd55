"""Distribute forms by e-mail: one message per form, written as ``.eml`` files (the
default: open in Thunderbird or Outlook and send) or sent through the office's SMTP
server — rate-limited and resumable through a send log in the ledger.

The send log is this module's own table, ``mail_sends``: one row per (form id,
revision, kind) with status ``terkirim`` / ``gagal``. Sending again skips what was
sent; after a revision the new revision has no row and is sent. A message is logged
as sent right after the server accepted it; if the process dies between the two, the
next run sends it again with the same Message-ID (mail clients show it once).

Passwords never touch the disk: the caller passes one read from the environment or a
prompt (:mod:`iki_xlsx.cli.app`).
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..collect import MailError
from ..core.atomic import atomic_path
from ..core.texts import Texts
from ..workspace import MailForm, SendLogEntry, Workspace
from .message import Outgoing, build, message_id

SENT, FAILED = "terkirim", "gagal"

@dataclass
class SmtpSpec:
    host: str
    sender: str  # From: address
    user: str = ""
    password: str = field(default="", repr=False)  # never printed, never stored
    port: int | None = None
    security: str = "starttls"  # starttls (587) | tls (465) | tanpa (plaintext, explicit)
    per_minute: float = 30.0  # at most this many messages a minute
    ca_file: str | None = None
    timeout: float = 60.0


@dataclass
class DistributeResult:
    planned: list[Outgoing] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)  # .eml files
    sent: list[Outgoing] = field(default_factory=list)
    failed: list[tuple[Outgoing, str]] = field(default_factory=list)
    skipped: list[Outgoing] = field(default_factory=list)  # sent before (send log)
    no_email: list[MailForm] = field(default_factory=list)  # forms whose pegawai has no e-mail
    missing: list[MailForm] = field(default_factory=list)  # forms whose file is not there
    dry_run: bool = False

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.no_email or self.missing else 0


# --------------------------------------------------------------------------- send log

def sent_keys(ws: Workspace) -> set[tuple[str, int, str]]:
    return ws.mail.sent_keys(SENT)


def log_send(ws: Workspace, out: Outgoing, status: str, mid: str, error: str = "") -> None:
    ws.mail.log_send(out.key, out.to, status, mid, error)


def send_log(ws: Workspace) -> list[SendLogEntry]:
    return ws.mail.send_log()


# --------------------------------------------------------------------------- plan

def issued_for_mail(ws: Workspace, tahun: int | None = None) -> list[MailForm]:
    """The current revision of every issued form, with what a message needs of its
    settings (period scheme, agency) — without loading the large JSON columns."""
    years = ws.issued.years()
    if tahun is None and years:
        tahun = years[-1]
    return ws.issued.for_mail(tahun)


def plan(ws: Workspace, forms: list[MailForm], forms_dir: Path | None, kind: str, *,
         cc_atasan: bool = False, extra: Callable[[MailForm], dict] | None = None,
         result: DistributeResult) -> list[Outgoing]:
    """One :class:`Outgoing` per form whose pegawai has an e-mail (and whose file is in
    ``forms_dir``, when one is given); the others are listed in ``result``."""
    contacts = ws.mail.contacts()
    out = []
    for f in forms:
        contact = contacts.get(f.nip)
        if not contact or not contact.email:
            result.no_email.append(f)
            continue
        path = None
        if forms_dir is not None:
            path = Path(forms_dir) / f.file_path
            if not path.is_file():
                result.missing.append(f)
                continue
        cc = []
        boss = contacts.get(f.atasan_nip or "")
        if cc_atasan and boss and boss.email and boss.email != contact.email:
            cc.append(boss.email)
        out.append(Outgoing(f, kind, contact.email, cc, path, extra(f) if extra else {}))
    return out


# --------------------------------------------------------------------------- deliver

def distribute(ws: Workspace, forms_dir: Path, texts: Texts, *, sender: str,
               settings: dict, eml_dir: Path | None = None, smtp: SmtpSpec | None = None,
               cc_atasan: bool = False, dry_run: bool = False, tahun: int | None = None,
               progress: Callable[[int, int], None] | None = None) -> DistributeResult:
    """Each issued form (latest revision) of ``tahun`` in ``forms_dir`` to its pegawai."""
    result = DistributeResult(dry_run=dry_run)
    forms = issued_for_mail(ws, tahun)
    if not forms:
        return result
    todo = plan(ws, forms, forms_dir, "formulir", cc_atasan=cc_atasan, result=result)
    deliver(ws, todo, texts, sender=sender, settings=settings, eml_dir=eml_dir, smtp=smtp,
            dry_run=dry_run, result=result, progress=progress)
    return result


def deliver(ws: Workspace, todo: list[Outgoing], texts: Texts, *, sender: str,
            settings: dict, eml_dir: Path | None, smtp: SmtpSpec | None, dry_run: bool,
            result: DistributeResult, progress=None, sleep=time.sleep,
            clock=time.monotonic) -> DistributeResult:
    """Write ``todo`` as ``.eml`` files into ``eml_dir``, or send it through ``smtp``
    (skipping what the send log says was sent)."""
    result.planned.extend(todo)
    if smtp is None:
        for i, out in enumerate(todo, 1):
            if dry_run:
                continue
            path = Path(eml_dir) / _eml_name(out)
            msg = build(out, texts, sender=sender, settings=settings, draft=True)
            with atomic_path(path) as tmp:
                tmp.write_bytes(msg.as_bytes())
            result.written.append(path)
            if progress:
                progress(i, len(todo))
        return result
    done = sent_keys(ws)
    pending = [o for o in todo if o.key not in done]
    result.skipped.extend(o for o in todo if o.key in done)
    if dry_run or not pending:
        return result
    gap = 60.0 / smtp.per_minute if smtp.per_minute > 0 else 0.0
    conn = None
    last = None
    try:
        for i, out in enumerate(pending, 1):
            if last is not None and gap:
                wait = gap - (clock() - last)
                if wait > 0:
                    sleep(wait)
            msg = build(out, texts, sender=sender, settings=settings)
            mid = message_id(out, sender)
            try:
                if conn is None:
                    conn = smtp_connect(smtp)
                last = clock()
                conn.send_message(msg, from_addr=sender, to_addrs=[out.to, *out.cc])
            except smtplib.SMTPResponseException as exc:  # refused this message only
                reason = f"{exc.smtp_code} {exc.smtp_error.decode('utf-8', 'replace')}"
                result.failed.append((out, reason))
                log_send(ws, out, FAILED, mid, reason)
                if exc.smtp_code == 421:  # the server closes the connection
                    conn = _drop(conn)
            except smtplib.SMTPRecipientsRefused as exc:
                reason = "; ".join(f"{a}: {c} {m.decode('utf-8', 'replace')}"
                                   for a, (c, m) in exc.recipients.items())
                result.failed.append((out, reason))
                log_send(ws, out, FAILED, mid, reason)
            except (smtplib.SMTPException, OSError) as exc:  # connection lost: next time anew
                result.failed.append((out, str(exc)[:300] or type(exc).__name__))
                log_send(ws, out, FAILED, mid, str(exc))
                conn = _drop(conn)
            else:
                result.sent.append(out)
                log_send(ws, out, SENT, mid)
            if progress:
                progress(i, len(pending))
    finally:
        _drop(conn)
    return result


def smtp_connect(spec: SmtpSpec) -> smtplib.SMTP:
    """A logged-in connection (STARTTLS by default; implicit TLS; plaintext only when
    asked for explicitly). Raises :class:`MailError` with a named reason."""
    try:
        if spec.security == "tls":
            ctx = ssl.create_default_context(cafile=spec.ca_file)
            conn = smtplib.SMTP_SSL(spec.host, spec.port or 465, context=ctx,
                                    timeout=spec.timeout)
        else:
            conn = smtplib.SMTP(spec.host, spec.port or 587, timeout=spec.timeout)
            if spec.security == "starttls":
                conn.starttls(context=ssl.create_default_context(cafile=spec.ca_file))
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError("smtp_sambung", host=spec.host, reason=str(exc)[:200]) from None
    if spec.user:
        try:
            conn.login(spec.user, spec.password)
        except (smtplib.SMTPException, OSError) as exc:
            _drop(conn)
            raise MailError("smtp_masuk", host=spec.host, user=spec.user,
                            reason=str(exc)[:200]) from None
    return conn


def _drop(conn) -> None:
    """Close a connection quietly (it may be gone already); always returns None."""
    if conn is not None:
        try:
            conn.quit()
        except Exception:
            try:
                conn.close()
            except Exception:
                pass


def _eml_name(out: Outgoing) -> str:
    """``<the form's path>.eml`` (``-pengingat-TW2.eml`` for a reminder, …)."""
    if out.kind.startswith("atasan"):
        from ..forms import safe_name

        return f"atasan/{safe_name(out.form.nip + '_' + out.form.nama)}.eml"
    rel = Path(out.form.file_path)
    tail = "" if out.kind == "formulir" else "-" + out.kind.split("-")[0] + \
        ("-" + out.kind.split("-")[1] if "-" in out.kind else "")
    return (rel.parent / f"{rel.stem}{tail}.eml").as_posix()
