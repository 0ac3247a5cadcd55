"""``collect`` and ``check``: returned forms into the ledger (files, folders, zips, mail,
an IMAP folder; ``--rejudge`` for the stored ones), and one file checked before it is
sent. Thin layers over :mod:`iki_xlsx.collect` and :mod:`iki_xlsx.collect.report`."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Optional

import typer

from ..core.problems import Status
from .base import (
    JobsOpt,
    TemplatesOpt,
    WorkspaceOpt,
    app,
    console,
    doc,
    err,
    load_texts,
    mail_error,
    missing_paths,
    print_problems,
    progress_bar,
    say,
    usage_error,
    workspace_with_forms,
)
from .help import IdCommand


@app.command(cls=IdCommand, help=doc("perintah.collect"))
def collect(inputs: Optional[list[Path]] = typer.Argument(None, help=doc("opsi.inputs")),
            rejudge: bool = typer.Option(False, "--rejudge", help=doc("opsi.rejudge")),
            workspace: Optional[Path] = WorkspaceOpt,
            tahun: Optional[int] = typer.Option(None, "--tahun",
                                                help=doc("opsi.tahun_formulir")),
            report: Path = typer.Option(Path("output/laporan-pengumpulan.xlsx"), "--report",
                                        help=doc("opsi.report")),
            as_json: bool = typer.Option(False, "--json", help=doc("opsi.json_report")),
            jobs: Optional[int] = JobsOpt,
            templates: Optional[Path] = TemplatesOpt,
            imap: Optional[str] = typer.Option(None, "--imap", help=doc("opsi.imap")),
            imap_port: Optional[int] = typer.Option(None, "--imap-port",
                                                    help=doc("opsi.imap_port")),
            user: str = typer.Option("", "--user", help=doc("opsi.imap_user")),
            folder: str = typer.Option("INBOX", "--folder", help=doc("opsi.imap_folder")),
            since: Optional[str] = typer.Option(None, "--since", help=doc("opsi.since")),
            imap_plaintext: bool = typer.Option(False, "--imap-plaintext",
                                                help=doc("opsi.imap_plaintext")),
            ca_file: Optional[Path] = typer.Option(None, "--ca-file",
                                                   help=doc("opsi.ca_file"))) -> None:
    """Collect returned forms (files, folders, zip archives, .eml/.mbox files, an IMAP
    folder) into the ledger; report.

    Exit status: 0 all accepted without notes, 1 any rejected or noted, 2 usage error.

    Example: iki-xlsx collect masuk/ lampiran-email.zip
    """
    from ..collect import collect as run_collect
    from ..collect import (
        collect_table,
        known_count,
        mail_lines,
        review_counts,
        summary_counts,
        to_json,
        write_report_xlsx,
        year_lines,
    )

    texts = load_texts(templates)
    inputs = inputs or []
    if not inputs and not rejudge and not imap:
        err.print(texts.t("cli.kumpul_tanpa_masukan"))
        raise typer.Exit(2)
    missing_paths(inputs, texts)
    ws = workspace_with_forms(workspace, texts)
    if rejudge:
        _print_rejudged(ws, texts)
        if not inputs and not imap:
            raise typer.Exit(0)
    spec = imap_spec(texts, imap, imap_port, user, folder, since, imap_plaintext, ca_file) \
        if imap else None
    try:
        with progress_bar() as progress:
            task = progress.add_task(texts.t("cli.progres_kumpul"), total=None)
            result = run_collect(inputs, ws, tahun=tahun, jobs=jobs, imap=spec,
                                 progress=lambda done, total: progress.update(
                                     task, completed=done, total=total))
    except Exception as exc:
        mail_error(exc, texts)  # an IMAP server refusing: one clear line, exit 2
        raise
    write_report_xlsx(result, report, texts)
    if as_json:
        print(to_json(result, texts))  # with "surel" and "dilewati" when mail was read
    else:
        console.print(collect_table(result, texts, width=min(console.width, 120)))
        say(texts.t("cli.kumpul_ringkas", **summary_counts(result)))
        if known_count(result):
            say(texts.t("cli.kumpul_tercatat", known=known_count(result),
                         total=len(result.results)))
        if result.mail:
            say(texts.t("kumpul_surel", **result.mail))
        reviews = review_counts(result)  # issue 26: the atasan's review workbooks
        if reviews:
            say(texts.t("verifikasi.kumpul", **reviews))
        for line in mail_lines(result, texts, width=min(console.width, 120)):
            console.print(line)
        for line in year_lines(result, texts):
            say(line)
        say(texts.t("cli.laporan_ditulis", path=report))
    raise typer.Exit(result.exit_code)


def _print_rejudged(ws, texts) -> None:
    from ..collect import rejudge, status_text

    got = rejudge(ws)
    for r in got.changed:
        say(texts.t("cli.nilai_ulang_berubah", berkas=r.name,
                     lama=texts.t(f"cli.status.{r.old_status}"),
                     baru=status_text(r.new, texts), nilai=r.values_changed))
        print_problems(r.new.problems, texts)
    say(texts.t("cli.nilai_ulang", berubah=len(got.changed), sama=got.unchanged,
                 hilang=len(got.not_stored)))


@app.command(cls=IdCommand, help=doc("perintah.check"))
def check(path: Path = typer.Argument(..., help=doc("opsi.check_path")),
          workspace: Optional[Path] = WorkspaceOpt,
          as_json: bool = typer.Option(False, "--json", help=doc("opsi.json_check")),
          templates: Optional[Path] = TemplatesOpt) -> None:
    """Check one file as collect would, recording nothing; without the workspace key
    the signature cannot be checked, and the result says so.

    Example: iki-xlsx check "IKI Budi (revisi).xlsx"
    """
    import json as _json

    from ..collect import check_file, check_lines, status_text
    from ..workspace import Workspace

    texts = load_texts(templates)
    missing_paths([path], texts)
    ws = Workspace(workspace)
    if workspace is not None and not ws.exists():  # issue 11: say where it looked
        err.print(texts.t("ruang_kerja.tidak_ada", path=ws.path.resolve(),
                          asal=texts.t("ruang_kerja.asal.opsi")))
    result = check_file(path, ws if ws.has_key() else None)
    if as_json:
        print(_json.dumps({"berkas": str(path), "status": result.status,
                           "form_id": result.form_id, "nip": result.nip, "nama": result.nama,
                           "realisasi": result.realisasi,
                           "masalah": [p.to_dict(texts) for p in result.problems]},
                          ensure_ascii=False, indent=2))
    else:
        say(texts.t("cli.periksa_judul", path=path, status=status_text(result, texts),
                     nama=result.nama, nip=result.nip or ""))
        print_problems(result.problems, texts)
        manifest, names = _issued_for_check(path, result, ws)
        lines = check_lines(result, manifest, texts, names, width=min(console.width, 120))
        for line in lines:
            console.print(line)
        if lines and not ws.has_key():
            say(texts.t("cli.periksa_tanpa_kunci"))
    raise typer.Exit(0 if result.status == Status.OK else 1)


def _issued_for_check(path: Path, result, ws) -> tuple[dict | None, list[str] | None]:
    """The manifest and indikator texts ``check`` shows values against: the ledger's
    copy of the issued form when this workspace issued it, else the file's own manifest
    (unverified: without the key nothing better exists)."""
    from ..collect import read_path
    from ..forms import form_from_dict

    if not result.realisasi:
        return None, None
    if ws.has_key() and result.form_id and result.revision is not None:
        row = ws.issued.form(result.form_id, result.revision)
        if row is not None:
            form = form_from_dict(row.form_json)
            return row.manifest, [i.indikator for i in form.iki.indicators]
    return read_path(path, None, None).manifest, None


# --------------------------------------------------------------------------- IMAP

def _parse_date(texts, value: str) -> date:
    from ..core.show import day_of

    day = day_of(value)
    if day is None:
        raise usage_error(texts, "galat.tanggal_salah", value=value)
    return day


def imap_spec(texts, host: str, port: Optional[int], user: str, folder: str,
              since: Optional[str], plaintext: bool, ca_file: Optional[Path]):
    """The IMAP folder to read (``--imap``): the password from IKI_XLSX_IMAP_PASSWORD or a
    hidden prompt, never from an option."""
    from ..collect import ImapSpec

    if ":" in host and port is None:
        host, _, port_text = host.rpartition(":")
        port = int(port_text) if port_text.isdigit() else None
    when = _parse_date(texts, since) if since else None  # before asking for a password
    password = os.environ.get("IKI_XLSX_IMAP_PASSWORD")
    if password is None:
        password = typer.prompt(texts.t("kirim.sandi_imap_prompt", user=user, host=host),
                                hide_input=True)
    return ImapSpec(host, user, password, folder or "INBOX", port, when, tls=not plaintext,
                    ca_file=str(ca_file) if ca_file else None)
