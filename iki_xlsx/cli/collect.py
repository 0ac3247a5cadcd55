"""``collect`` and ``check``: returned forms into the ledger (files, folders, zips, mail,
an IMAP folder; ``--rejudge`` for the stored ones), and one file checked before it is
sent. Thin layers over :mod:`iki_xlsx.collect` and :mod:`iki_xlsx.collect.report`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .base import (
    JobsOpt,
    TemplatesOpt,
    WorkspaceOpt,
    _h,
    _missing_paths,
    _print_problems,
    _progress,
    _say,
    _texts,
    app,
    console,
    err,
)
from .help import IdCommand


@app.command(cls=IdCommand, help=_h("perintah.collect"))
def collect(inputs: Optional[list[Path]] = typer.Argument(None, help=_h("opsi.inputs")),
            rejudge: bool = typer.Option(False, "--rejudge", help=_h("opsi.rejudge")),
            workspace: Optional[Path] = WorkspaceOpt,
            tahun: Optional[int] = typer.Option(None, "--tahun",
                                                help=_h("opsi.tahun_formulir")),
            report: Path = typer.Option(Path("output/laporan-pengumpulan.xlsx"), "--report",
                                        help=_h("opsi.report")),
            as_json: bool = typer.Option(False, "--json", help=_h("opsi.json_report")),
            jobs: Optional[int] = JobsOpt,
            templates: Optional[Path] = TemplatesOpt,
            imap: Optional[str] = typer.Option(None, "--imap", help=_h("opsi.imap")),
            imap_port: Optional[int] = typer.Option(None, "--imap-port",
                                                    help=_h("opsi.imap_port")),
            user: str = typer.Option("", "--user", help=_h("opsi.imap_user")),
            folder: str = typer.Option("INBOX", "--folder", help=_h("opsi.imap_folder")),
            since: Optional[str] = typer.Option(None, "--since", help=_h("opsi.since")),
            imap_plaintext: bool = typer.Option(False, "--imap-plaintext",
                                                help=_h("opsi.imap_plaintext")),
            ca_file: Optional[Path] = typer.Option(None, "--ca-file",
                                                   help=_h("opsi.ca_file"))) -> None:
    """Collect returned forms (files, folders, zip archives, .eml/.mbox files, an IMAP
    folder) into the ledger; report.

    Exit status: 0 all accepted without notes, 1 any rejected or noted, 2 usage error.

    Example: iki-xlsx collect masuk/ lampiran-email.zip
    """
    from ..collect import collect as run_collect
    from ..collect.mail.shown import mail_lines
    from ..collect.report import (
        collect_table,
        known_count,
        summary_counts,
        to_json,
        write_report_xlsx,
        year_lines,
    )
    from .mail import imap_spec, mail_error

    texts = _texts(templates)
    inputs = inputs or []
    if not inputs and not rejudge and not imap:
        err.print(texts.t("cli.kumpul_tanpa_masukan"))
        raise typer.Exit(2)
    _missing_paths(inputs, texts)
    from .wholeyear import existing_workspace

    ws = existing_workspace(workspace, texts)
    if not ws.years():
        err.print(texts.t("cli.tanpa_formulir", path=ws.path))
        raise typer.Exit(2)
    if rejudge:
        _print_rejudged(ws, texts)
        if not inputs and not imap:
            raise typer.Exit(0)
    spec = imap_spec(texts, imap, imap_port, user, folder, since, imap_plaintext, ca_file) \
        if imap else None
    try:
        with _progress() as progress:
            task = progress.add_task(texts.t("cli.progres_kumpul"), total=None)
            result = run_collect(inputs, ws, tahun=tahun, jobs=jobs, imap=spec,
                                 progress=lambda done, total: progress.update(
                                     task, completed=done, total=total))
    except Exception as exc:
        mail_error(exc, texts, err)  # an IMAP server refusing: one clear line, exit 2
        raise
    write_report_xlsx(result, report, texts)
    if as_json:
        print(to_json(result, texts))  # with "surel" and "dilewati" when mail was read
    else:
        console.print(collect_table(result, texts, width=min(console.width, 120)))
        _say(texts.t("cli.kumpul_ringkas", **summary_counts(result)))
        if known_count(result):
            _say(texts.t("cli.kumpul_tercatat", known=known_count(result),
                         total=len(result.results)))
        if result.mail:
            _say(texts.t("kumpul_surel", **result.mail))
        for line in mail_lines(result, texts, width=min(console.width, 120)):
            console.print(line)
        for line in year_lines(result, texts):
            _say(line)
        _say(texts.t("cli.laporan_ditulis", path=report))
    raise typer.Exit(result.exit_code)


def _print_rejudged(ws, texts) -> None:
    from ..collect import rejudge
    from ..collect.report import status_text

    got = rejudge(ws)
    for r in got.changed:
        _say(texts.t("cli.nilai_ulang_berubah", berkas=r.name,
                     lama=texts.t(f"cli.status.{r.old_status}"),
                     baru=status_text(r.new, texts), nilai=r.values_changed))
        _print_problems(r.new.problems, texts)
    _say(texts.t("cli.nilai_ulang", berubah=len(got.changed), sama=got.unchanged,
                 hilang=len(got.not_stored)))


@app.command(cls=IdCommand, help=_h("perintah.check"))
def check(path: Path = typer.Argument(..., help=_h("opsi.check_path")),
          workspace: Optional[Path] = WorkspaceOpt,
          as_json: bool = typer.Option(False, "--json", help=_h("opsi.json_check")),
          templates: Optional[Path] = TemplatesOpt) -> None:
    """Check one file as collect would, recording nothing; without the workspace key
    the signature cannot be checked, and the result says so.

    Example: iki-xlsx check "IKI Budi (revisi).xlsx"
    """
    import json as _json

    from ..collect import check_file
    from ..collect.report import check_lines, status_text
    from ..workspace.ledger import Workspace

    texts = _texts(templates)
    _missing_paths([path], texts)
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
        _say(texts.t("cli.periksa_judul", path=path, status=status_text(result, texts),
                     nama=result.nama, nip=result.nip or ""))
        _print_problems(result.problems, texts)
        manifest, names = _issued_for_check(path, result, ws)
        lines = check_lines(result, manifest, texts, names, width=min(console.width, 120))
        for line in lines:
            console.print(line)
        if lines and not ws.has_key():
            _say(texts.t("cli.periksa_tanpa_kunci"))
    raise typer.Exit(0 if result.status == "diterima" else 1)


def _issued_for_check(path: Path, result, ws) -> tuple[dict | None, list[str] | None]:
    """The manifest and indikator texts ``check`` shows values against: the ledger's
    copy of the issued form when this workspace issued it, else the file's own manifest
    (unverified: without the key nothing better exists)."""
    from ..collect import read_path
    from ..forms.manifest import form_from_dict

    if not result.realisasi:
        return None, None
    if ws.has_key() and result.form_id and result.revision is not None:
        row = ws.issued(result.form_id, result.revision)
        if row is not None:
            form = form_from_dict(row["form_json"])
            return row["manifest"], [i.indikator for i in form.iki.indicators]
    return read_path(path, None, None).manifest, None
