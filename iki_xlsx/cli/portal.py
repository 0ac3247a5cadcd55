"""``serve``: the portal (:mod:`iki_xlsx.portal`) on this computer — by default on
127.0.0.1 only — and ``serve --set-password`` for the officer's login. Thin layer."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

from .base import TemplatesOpt, WorkspaceOpt, app, doc, err, load_texts, say
from .help import IdCommand

PASSWORD_ENV = "IKI_XLSX_PORTAL_PASSWORD"


@app.command(cls=IdCommand, help=doc("perintah.serve"))
def serve(host: str = typer.Option("127.0.0.1", "--host", help=doc("opsi.host")),
          port: int = typer.Option(8000, "--port", min=1, max=65535, help=doc("opsi.port")),
          set_password: bool = typer.Option(False, "--set-password",
                                            help=doc("opsi.set_password")),
          end_sessions: bool = typer.Option(False, "--end-sessions",
                                            help=doc("opsi.end_sessions")),
          no_browser: bool = typer.Option(False, "--no-browser", help=doc("opsi.no_browser")),
          proxy: Optional[str] = typer.Option(None, "--proxy", help=doc("opsi.proxy")),
          threads: int = typer.Option(8, "--threads", min=1, max=64, help=doc("opsi.threads")),
          per_minute: int = typer.Option(30, "--uploads-per-minute", min=1,
                                         help=doc("opsi.uploads_per_minute")),
          mb_per_hour: int = typer.Option(20, "--upload-mb-per-hour", min=1,
                                          help=doc("opsi.upload_mb_per_hour")),
          total_mb_per_hour: int = typer.Option(200, "--total-upload-mb-per-hour", min=1,
                                                help=doc("opsi.total_upload_mb_per_hour")),
          workspace: Optional[Path] = WorkspaceOpt,
          templates: Optional[Path] = TemplatesOpt) -> None:
    """Run the portal: staff upload filled forms and see the verdict at once; the
    officer logs in to see who has submitted which period.

    Example: iki-xlsx serve --host 0.0.0.0 --port 8000
    """
    from ..workspace import Workspace

    texts = load_texts(templates)
    t = texts.t
    ws = Workspace(workspace)
    if set_password:
        _set_password(ws.path, texts)
        raise typer.Exit(0)
    if end_sessions:
        n = ws.sessions.end_all("diakhiri") if ws.ledger.exists() else 0
        say(t("portal.sesi.diakhiri_cli", n=n))
        raise typer.Exit(0)
    from ..portal import has_password, is_local, make_server

    if not ws.issued.years():
        err.print(t("cli.tanpa_formulir", path=ws.path))
        raise typer.Exit(2)
    try:
        server = make_server(ws.path, host=host, port=port, templates=templates,
                             proxy=proxy, threads=threads,
                             upload_limit=(per_minute, 60.0),
                             upload_budget=(mb_per_hour * 2 ** 20, total_mb_per_hour * 2 ** 20))
    except OSError:
        err.print(t("portal.serve.port_terpakai", host=host, port=port))
        raise typer.Exit(2)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{shown}:{server.effective_port}/"
    if not is_local(host):
        err.print(t("portal.serve.peringatan_jaringan", host=host))
    say(t("portal.serve.mulai", url=url, ws=ws.path))
    say(t("portal.serve.petugas", url=url))
    if not has_password(ws.path):
        say(t("portal.serve.tanpa_sandi"))
    if not no_browser:
        import webbrowser

        try:
            webbrowser.open(url)
        except Exception:  # no browser on a server: the URL is printed above
            pass
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        say(t("portal.serve.berhenti"))


def _set_password(path: Path, texts) -> None:
    from ..portal import PasswordError, set_password

    t = texts.t
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        password = typer.prompt(t("portal.sandi.tanya"), hide_input=True)
        again = typer.prompt(t("portal.sandi.ulangi"), hide_input=True)
        if again != password:
            err.print(t("portal.sandi.tidak_sama"))
            raise typer.Exit(2)
    try:
        stored = set_password(path, password, texts)
    except PasswordError as exc:
        err.print(str(exc))
        raise typer.Exit(2)
    say(t("portal.sandi.disimpan", path=stored))
