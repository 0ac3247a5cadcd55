"""The portal's pages. Staff (no login: the signed manifest says whose form it is):
upload one or more files, see the verdict and a receipt — nothing about anyone else.
Officer (login): status per period, per unit and per atasan, the latest files, files
with problems, decisions with reasons, and the recap and reports made fresh."""

from __future__ import annotations

import tempfile
from functools import wraps
from pathlib import Path

from flask import Flask, abort, current_app, g, redirect, request, send_file, session, url_for

from .auth import check_password, has_password, new_token, password_tag
from .context import portal_of, render, workspace
from .intake import MAX_FILES, audit_lines, fingerprint, judge_uploads, save_upload

DOWNLOADS = {"rekap.xlsx", "rekap.html", "laporan-pengumpulan.xlsx"}


def _client() -> str:
    return request.remote_addr or "-"


def officer_only(view):
    """Only with a live officer session (checked in the ledger on every request)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not g.get("petugas"):
            return redirect(url_for("masuk"))
        return view(*args, **kwargs)

    return wrapped


def register(app: Flask) -> None:
    """Add every page to ``app``."""

    @app.get("/")
    def unggah():
        return render("unggah.html.j2", verdicts=None, pesan=None)

    @app.post("/unggah")
    def terima():
        portal = portal_of(current_app)
        t = portal.texts.t
        if not portal.uploads.allow(_client()):
            portal.audit("unggah_dibatasi")
            return render("unggah.html.j2", verdicts=None,
                          pesan=t("portal.unggah.terlalu_sering")), 429
        files = [f for f in request.files.getlist("berkas") if f and (f.filename or "")]
        if not files:
            return render("unggah.html.j2", verdicts=None,
                          pesan=t("portal.unggah.tanpa_berkas")), 400
        if len(files) > MAX_FILES:
            return render("unggah.html.j2", verdicts=None,
                          pesan=t("portal.unggah.terlalu_banyak", n=MAX_FILES)), 400
        ws = workspace()
        uploads = [save_upload(ws, f.stream, f.filename or "") for f in files]
        verdicts = judge_uploads(ws, uploads, portal.texts, portal.readers)
        kept = sum(v.kept_bytes for v in verdicts)  # a small zip of many forms costs more
        portal.budget.charge(_client(), kept - (request.content_length or 0))
        for line in audit_lines(verdicts):
            portal.audit(line)
        return render("unggah.html.j2", verdicts=verdicts, pesan=None,
                      sidik=fingerprint)

    @app.route("/petugas/masuk", methods=["GET", "POST"])
    def masuk():
        portal = portal_of(current_app)
        t = portal.texts.t
        ready = has_password(portal.workspace)
        if request.method == "GET":
            return render("masuk.html.j2", pesan=None, siap=ready,
                          info=session.pop("pesan_masuk", None))
        if not portal.logins.allow(_client()):
            portal.audit("masuk_dibatasi")
            return render("masuk.html.j2", pesan=t("portal.masuk.terlalu_sering"),
                          siap=ready), 429
        if ready and check_password(portal.workspace, request.form.get("sandi", "")):
            token = workspace().sessions.start(_client(), password_tag(portal.workspace))
            session.clear()
            session.permanent = True
            session["sesi"] = token
            session["csrf"] = new_token()
            portal.audit("masuk_berhasil")
            return redirect(url_for("petugas"))
        portal.audit("masuk_gagal")
        return render("masuk.html.j2", pesan=t("portal.masuk.salah"), siap=ready), 403

    @app.post("/petugas/keluar")
    def keluar():
        if g.get("petugas"):
            workspace().sessions.end(session.get("sesi"), "keluar")
            portal_of(current_app).audit("keluar")
        session.clear()
        return redirect(url_for("masuk"))

    @app.post("/petugas/sesi")
    @officer_only
    def akhiri_sesi():
        """End every officer session, this one too (a lost laptop, a shared computer)."""
        portal = portal_of(current_app)
        n = workspace().sessions.end_all("diakhiri")
        portal.audit(f"sesi_diakhiri_semua {n}")
        session.clear()
        session["pesan_masuk"] = portal.texts.t("portal.sesi.diakhiri", n=n)
        return redirect(url_for("masuk"))

    @app.get("/petugas")
    @officer_only
    def petugas():
        from .status import overview

        portal = portal_of(current_app)
        ws = workspace()
        data = overview(ws, portal.texts, request.args.get("periode"))
        return render("petugas.html.j2", o=data, pesan=session.pop("pesan", None),
                      galat=session.pop("galat", None), sesi=ws.sessions.live())

    @app.post("/petugas/keputusan")
    @officer_only
    def keputusan():
        from ..core.problems import ACCEPTED
        from ..year import OfficerError, exclude_file
        from .status import shown_name

        portal = portal_of(current_app)
        t = portal.texts.t
        sha = request.form.get("berkas", "").strip().lower()
        include = request.form.get("tindakan") == "sertakan"
        reason = request.form.get("alasan", "")
        row = workspace().files.get(sha) if len(sha) == 64 else None
        if row is None:
            session["galat"] = t("portal.keputusan.berkas_salah")
        elif row.status not in ACCEPTED:  # said here: the officer's message names a path
            session["galat"] = t("keputusan.berkas_ditolak", berkas=_name_of(sha))
        else:
            try:
                f = exclude_file(workspace(), sha, reason, include=include,
                                 texts=portal.texts)
            except OfficerError as exc:
                session["galat"] = str(exc)
            else:
                kind = "sertakan" if include else "kecualikan"
                portal.audit(f"keputusan {kind} sha256={sha} alasan={reason.strip()!r}")
                session["pesan"] = t(f"keputusan.dicatat_{kind}", berkas=shown_name(f.name),
                                     nama=f.nama, alasan=reason.strip())
        return redirect(url_for("petugas", periode=request.form.get("periode") or None)
                        + "#keputusan")

    @app.get("/petugas/unduh/<nama>")
    @officer_only
    def unduh(nama: str):
        if nama not in DOWNLOADS:
            abort(404)
        portal = portal_of(current_app)
        data, mime = _fresh(nama, request.args.get("periode") or None)
        portal.audit(f"unduh {nama}")
        import io

        return send_file(io.BytesIO(data), mimetype=mime, as_attachment=True,
                         download_name=nama)


def _name_of(sha: str) -> str:
    """A collected file as the officer's page shows it (never a path of the server)."""
    from .status import shown_name

    seen = workspace().files.sightings(sha)
    return shown_name(seen[0].where) if seen else sha[:12]


def _fresh(name: str, periode: str | None) -> tuple[bytes, str]:
    """The recap workbook, its HTML page or the collect report of every file in the
    ledger, made now into a temporary folder."""
    from ..collect import ledger_report, write_report_xlsx
    from ..recap import build_recap, write_recap_html, write_recap_xlsx

    texts = portal_of(current_app).texts
    ws = workspace()
    with tempfile.TemporaryDirectory(prefix="iki-portal-") as tmp:
        out = Path(tmp) / name
        if name == "laporan-pengumpulan.xlsx":
            write_report_xlsx(ledger_report(ws), out, texts)
        else:
            try:
                recap = build_recap(ws, upto=periode, texts=texts)
            except ValueError:
                recap = build_recap(ws, texts=texts)
            if name == "rekap.xlsx":
                write_recap_xlsx(recap, out, texts)
            else:
                write_recap_html(recap, out, texts)
        data = out.read_bytes()
    mime = "text/html; charset=utf-8" if name.endswith(".html") else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return data, mime
