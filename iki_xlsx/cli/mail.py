"""``distribute`` and ``remind``: one message per form (``.eml`` files to open and send, or
the office's SMTP server with a send log), and reminders for a period with a WhatsApp
click list. Thin layers over :mod:`iki_xlsx.mail`.

Passwords come from the environment (``IKI_XLSX_SMTP_PASSWORD``) or a hidden prompt; never
from an option or a file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

from ..collect import MailError
from .base import (
    TemplatesOpt,
    WorkspaceOpt,
    app,
    console,
    doc,
    err,
    load_texts,
    mail_error,
    usage_error,
)
from .help import IdCommand

SmtpOpt = typer.Option(False, "--smtp", help=doc("opsi.smtp"))
HostOpt = typer.Option(None, "--smtp-host", help=doc("opsi.smtp_host"))
PortOpt = typer.Option(None, "--smtp-port", help=doc("opsi.smtp_port"))
UserOpt = typer.Option(None, "--smtp-user", help=doc("opsi.smtp_user"))
SecOpt = typer.Option("starttls", "--smtp-security", help=doc("opsi.smtp_security"))
FromOpt = typer.Option(None, "--from", help=doc("opsi.from_addr"))
ReplyOpt = typer.Option(None, "--reply-to", help=doc("opsi.reply_to"))
DeadlineOpt = typer.Option(None, "--deadline", help=doc("opsi.deadline"))
RateOpt = typer.Option(30.0, "--per-minute", min=0, help=doc("opsi.per_minute"))
DryOpt = typer.Option(False, "--dry-run", help=doc("opsi.dry_run"))
MasterOpt = typer.Option(None, "--master", help=doc("opsi.contacts_master"))
TahunOpt = typer.Option(None, "--tahun", help=doc("opsi.tahun_formulir"))
CaOpt = typer.Option(None, "--ca-file", help=doc("opsi.ca_file"))
ReviewsOpt = typer.Option(None, "--verifikasi", help=doc("opsi.verifikasi_folder"))

def _setup(texts, workspace, master, smtp, host, port, user, security, sender, ca_file,
           dry_run: bool = False):
    """The workspace, the SMTP server (with ``--smtp``) and the sender address: from
    ``--from``, ``IKI_XLSX_SMTP_FROM``, the master's Pengaturan row Email Pengirim (as
    generate recorded it, or ``--master``) or an SMTP user name that is an address —
    never made up: without one, nothing is written or sent (exit 2)."""
    from ..core.contacts import normalize_email
    from ..mail import SmtpSpec
    from ..workspace import Workspace

    ws = Workspace(workspace)
    if not ws.issued.years():
        err.print(texts.t("cli.tanpa_formulir", path=ws.path))
        raise typer.Exit(2)
    if master is not None:
        from ..define import load_master

        loaded = load_master(master)
        if loaded.master is None:
            for p in loaded.problems:
                err.print(f"{p.location(texts)}: {p.message(texts)}")
            raise typer.Exit(2)
        ws.mail.record_contacts(loaded.master)
    stored = ws.mail.settings()  # Pengaturan of the master, recorded at generate
    env = os.environ.get
    sender = sender or env("IKI_XLSX_SMTP_FROM") or stored.get("email_pengirim", "")
    spec = None
    if smtp:
        host = host or env("IKI_XLSX_SMTP_HOST") or stored.get("smtp_host", "")
        user = user or env("IKI_XLSX_SMTP_USER") or stored.get("smtp_user", "")
        port = port or int(env("IKI_XLSX_SMTP_PORT") or stored.get("smtp_port") or 0) \
            or None
        if not host:
            err.print(texts.t("cli.galat_umum", message=texts.t("galat.smtp_tanpa_host")))
            raise typer.Exit(2)
        if security not in ("starttls", "tls", "tanpa"):
            raise usage_error(texts, "galat.keamanan_smtp", value=security)
        password = ""
        if user:
            password = os.environ.get("IKI_XLSX_SMTP_PASSWORD")
            if password is None:
                password = typer.prompt(texts.t("kirim.sandi_prompt", user=user,
                                                host=host), hide_input=True)
        sender = sender or (user if "@" in (user or "") else "")
        spec = SmtpSpec(host, sender, user or "", password, port, security,
                        ca_file=str(ca_file) if ca_file else None)
    if not sender and not dry_run:
        err.print(texts.t("cli.galat_umum", message=texts.t("galat.tanpa_pengirim")))
        raise typer.Exit(2)
    if sender and normalize_email(sender) is None:
        err.print(texts.t("cli.galat_umum", message=texts.t("galat.pengirim_salah",
                                                            value=sender)))
        raise typer.Exit(2)
    return ws, spec, sender

def _settings_of(ws, texts, reply_to, deadline, tahun) -> dict:
    from ..mail import issued_for_mail

    forms = issued_for_mail(ws, tahun)
    office = next((f.instansi for f in forms if f.instansi), "") or \
        texts.t("surel.pengirim_bawaan")
    return {"batas": _deadline(deadline), "balas": reply_to or "", "pengirim": office}

def _report(result, texts, smtp: bool, folder: Path) -> None:
    if result.no_email:
        console.print(texts.t("kirim.tanpa_email", n=len(result.no_email)))
        for f in result.no_email:
            console.print("  " + texts.t("kirim.tanpa_email_baris", nip=f.nip, nama=f.nama,
                                         jabatan=f.jabatan))
    for f in result.missing:
        console.print(texts.t("kirim.berkas_hilang", path=f.file_path))
    for out, reason in result.failed:
        console.print(texts.t("kirim.gagal_baris", nama=out.form.nama, to=out.to,
                              reason=reason))
    if result.dry_run:
        console.print(texts.t("kirim.ringkas_uji", n=len(result.planned) -
                              len(result.skipped), skipped=len(result.skipped)))
    elif smtp:
        console.print(texts.t("kirim.ringkas_smtp", sent=len(result.sent),
                              failed=len(result.failed), skipped=len(result.skipped)))
    else:
        console.print(texts.t("kirim.ringkas_eml", n=len(result.written), folder=folder,
                              skipped=0))

@app.command(cls=IdCommand, help=doc("perintah.distribute"))
def distribute(forms_dir: Path = typer.Argument(Path("output/forms"),
                                                help=doc("opsi.forms_dir")),
               output: Path = typer.Option(Path("output/surel"), "--output", "-o",
                                           help=doc("opsi.output_eml")),
               smtp: bool = SmtpOpt, smtp_host: Optional[str] = HostOpt,
               smtp_port: Optional[int] = PortOpt, smtp_user: Optional[str] = UserOpt,
               smtp_security: str = SecOpt, sender: Optional[str] = FromOpt,
               reply_to: Optional[str] = ReplyOpt, deadline: Optional[str] = DeadlineOpt,
               cc_atasan: bool = typer.Option(False, "--cc-atasan",
                                              help=doc("opsi.cc_atasan")),
               per_minute: float = RateOpt, dry_run: bool = DryOpt,
               master: Optional[Path] = MasterOpt, tahun: Optional[int] = TahunOpt,
               ca_file: Optional[Path] = CaOpt,
               reviews_dir: Optional[Path] = ReviewsOpt,
               periode: Optional[str] = typer.Option(None, "--periode",
                                                     help=doc("opsi.periode_kirim")),
               workspace: Optional[Path] = WorkspaceOpt,
               templates: Optional[Path] = TemplatesOpt) -> None:
    """One message per form to its pegawai: .eml files, or SMTP with a send log; with
    --verifikasi, each atasan's review workbook instead (issue 26)."""
    from ..mail import distribute as run

    texts = load_texts(templates)
    ws, spec, sender = _setup(texts, workspace, master, smtp, smtp_host, smtp_port,
                             smtp_user, smtp_security, sender, ca_file, dry_run)
    if spec:
        spec.per_minute = per_minute
    settings = _settings_of(ws, texts, reply_to, deadline, tahun)
    try:
        if reviews_dir is not None:
            result = _send_reviews(ws, texts, reviews_dir, periode, tahun, sender=sender,
                                   settings=settings, eml_dir=output, smtp=spec,
                                   dry_run=dry_run)
        else:
            result = run(ws, forms_dir, texts, sender=sender, settings=settings,
                         eml_dir=output, smtp=spec, cc_atasan=cc_atasan, dry_run=dry_run,
                         tahun=tahun)
    except MailError as exc:
        mail_error(exc, texts)
        raise
    if not result.planned and not result.no_email and not result.missing:
        key = "galat.tanpa_verifikasi_folder" if reviews_dir else "galat.tanpa_formulir_folder"
        err.print(texts.t("cli.galat_umum", message=texts.t(
            key, folder=reviews_dir or forms_dir)))
        raise typer.Exit(2)
    _report(result, texts, smtp, output)
    raise typer.Exit(result.exit_code)

@app.command(cls=IdCommand, help=doc("perintah.remind"))
def remind(periode: str = typer.Option(..., "--periode", help=doc("opsi.periode_ingat")),
           forms_dir: Path = typer.Option(Path("output/forms"), "--forms",
                                          help=doc("opsi.forms_dir")),
           output: Path = typer.Option(Path("output/pengingat"), "--output", "-o",
                                       help=doc("opsi.output_remind")),
           smtp: bool = SmtpOpt, smtp_host: Optional[str] = HostOpt,
           smtp_port: Optional[int] = PortOpt, smtp_user: Optional[str] = UserOpt,
           smtp_security: str = SecOpt, sender: Optional[str] = FromOpt,
           reply_to: Optional[str] = ReplyOpt, deadline: Optional[str] = DeadlineOpt,
           per_minute: float = RateOpt, dry_run: bool = DryOpt,
           master: Optional[Path] = MasterOpt, tahun: Optional[int] = TahunOpt,
           ca_file: Optional[Path] = CaOpt,
           reviews_dir: Optional[Path] = ReviewsOpt,
           workspace: Optional[Path] = WorkspaceOpt,
           templates: Optional[Path] = TemplatesOpt) -> None:
    """Remind those missing a period: messages, a WhatsApp list, a per-atasan summary;
    tell each pegawai what the atasan returned; with --verifikasi, send each atasan with
    bawahan waiting their review workbook again (issue 26)."""
    from ..mail import remind as run

    texts = load_texts(templates)
    ws, spec, sender = _setup(texts, workspace, master, smtp, smtp_host, smtp_port,
                             smtp_user, smtp_security, sender, ca_file, dry_run)
    if spec:
        spec.per_minute = per_minute
    try:
        result = run(ws, texts, periode, output, sender=sender,
                     settings=_settings_of(ws, texts, reply_to, deadline, tahun),
                     forms_dir=forms_dir if forms_dir.is_dir() else None, smtp=spec,
                     dry_run=dry_run, tahun=tahun, reviews_dir=reviews_dir)
    except MailError as exc:
        mail_error(exc, texts)
        raise
    contacts = ws.mail.contacts()
    no_hp = sum(1 for f in result.missing
                if not (contacts.get(f.nip) and contacts[f.nip].no_hp))
    label = texts.t(f"form.periode.{result.period}") \
        if texts.has(f"form.periode.{result.period}") else result.period
    console.print(texts.t("ingat.ringkas", periode=label, tahun=result.tahun,
                          belum=len(result.missing), total=result.total, tanpa_hp=no_hp,
                          tanpa_email=len(result.mail.no_email)))
    _report(result.mail, texts, smtp, output)
    if result.returned:  # issue 26
        console.print(texts.t("ingat.dikembalikan", n=len(result.returned)))
        _report(result.returned_mail, texts, smtp, output)
    if reviews_dir is not None:
        console.print(texts.t("ingat.verifikasi", n=len(result.review_mail.planned) +
                              len(result.review_mail.no_email)))
        _report(result.review_mail, texts, smtp, output)
    for path in result.files:
        console.print(texts.t("ingat.ditulis", path=path))
    raise typer.Exit(1 if any(r.failed for r in (result.mail, result.atasan_mail,
                                                 result.returned_mail, result.review_mail))
                     else 0)


def _send_reviews(ws, texts, folder: Path, periode: Optional[str], tahun, **kwargs):
    """``distribute --verifikasi``: the period's review workbooks to their atasan."""
    from ..core.capaian import parse_period
    from ..core.model import PeriodScheme
    from ..mail import DistributeResult, found_reviews, send_reviews

    period = None
    if periode:
        period = next((p for s in PeriodScheme for p in [parse_period(periode, s)] if p),
                      None)
        if period is None:
            raise usage_error(texts, "galat.periode_tidak_dikenal", value=periode,
                              skema="triwulan", contoh="TW1, TW2, S1, TAHUNAN")
    reviews = found_reviews(ws, tahun, period)
    return send_reviews(ws, reviews, folder, texts,
                        result=DistributeResult(dry_run=kwargs["dry_run"]), **kwargs)


def _deadline(value: Optional[str]) -> str:
    from ..core.show import day_of
    from ..core.texts import tanggal_indonesia

    if not value:
        return ""
    day = day_of(value)
    return tanggal_indonesia(day) if day else value.strip()
