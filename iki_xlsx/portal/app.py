"""The portal as a Flask application: configuration, the workspace per request, CSRF on
every POST, security headers, the audit log, Indonesian error pages. The pages
themselves are in :mod:`.views`.

Security in one place (README, "Portal"):

* the officer's session kept on the server (:mod:`iki_xlsx.workspace.sessions`): the
  cookie — signed with a key kept in the workspace (mode 0600), HttpOnly,
  SameSite=Lax, Secure when served behind HTTPS — holds its token, which opens nothing
  once the session ended (logout, password change, ended by the officer, idle or too
  old);
* a CSRF token in the session, required on every POST (compared in constant time);
* a strict CSP (no inline script or style, nothing from elsewhere), nosniff, no framing,
  no referrer, no caching of pages;
* the request body bounded (collect's file limit plus room for the form fields);
* every state change written to ``<workspace>/portal/log-portal.txt`` with the time
  (UTC) and the client address.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from flask import Flask, abort, g, request, session
from werkzeug.exceptions import HTTPException

from ..collect import MAX_FILE_BYTES
from ..core.texts import get_texts
from ..workspace import private_dir
from .auth import ByteBudget, RateLimit, new_token, password_tag, same_token, session_secret
from .context import Portal, portal_of, render, workspace
from .views import register

LOG_FILE = Path("portal") / "log-portal.txt"
# A request body: one file at collect's limit and the form fields (reasons, passwords).
MAX_BODY = MAX_FILE_BYTES + 2 * 1024 * 1024
SESSION_HOURS = 8  # a session ends this long after the login, whatever happens
SESSION_IDLE_MINUTES = 30  # … or this long after its last page
# Bytes of uploads per hour, per client address and from everyone. A form is ~20-60 KB:
# 20 MB is a whole office behind one NAT address sending every form twice.
UPLOAD_BUDGET = (20 * 1024 * 1024, 200 * 1024 * 1024)

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def create_app(workspace: str | Path, *, templates: str | Path | None = None,
               secure: bool = False, upload_limit: tuple[int, float] = (30, 60.0),
               login_limit: tuple[int, float] = (5, 60.0),
               session_idle: float = SESSION_IDLE_MINUTES * 60.0,
               session_hours: float = SESSION_HOURS,
               upload_budget: tuple[int, int] = UPLOAD_BUDGET) -> Flask:
    """The portal over ``workspace``. ``secure``: served behind HTTPS (Secure cookies,
    HSTS). ``upload_limit`` / ``login_limit``: at most so many per so many seconds per
    client address. ``session_idle`` (seconds) / ``session_hours``: when an officer's
    session ends without a logout. ``upload_budget``: bytes of uploads per hour from one
    address, and from everyone."""
    ws_path = Path(workspace).resolve()
    texts = get_texts(str(templates) if templates else None)
    app = Flask(__name__, static_folder="static", static_url_path="/aset")
    app.config.update(
        SECRET_KEY=session_secret(ws_path),
        MAX_CONTENT_LENGTH=MAX_BODY,
        # text fields (reasons, passwords) — and werkzeug also holds against it the
        # buffer in which it looks for the next part boundary: at 64 KB an upload of a
        # few forms arriving in large network chunks was refused now and then (413)
        MAX_FORM_MEMORY_SIZE=2 * 1024 * 1024,
        MAX_FORM_PARTS=100,
        SESSION_COOKIE_NAME="iki_sesi",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        PERMANENT_SESSION_LIFETIME=int(session_hours * 3600),
        SEND_FILE_MAX_AGE_DEFAULT=3600,
    )
    portal = Portal(ws_path, texts, RateLimit(*upload_limit), RateLimit(*login_limit),
                    _audit_log(ws_path), secure, timedelta(seconds=session_idle),
                    timedelta(hours=session_hours), ByteBudget(*upload_budget))
    _sweep_inbox(ws_path)
    app.extensions["iki_portal"] = portal

    @app.before_request
    def _before():
        if request.endpoint == "static":
            return None
        if request.endpoint == "terima" and request.method == "POST":
            refused = _over_budget(portal)  # before the body is even parsed
            if refused is not None:
                return refused
        if "csrf" not in session:
            session["csrf"] = new_token()
        if request.method == "POST" and not same_token(session.get("csrf"),
                                                       request.form.get("csrf")):
            portal.audit(f"csrf_ditolak {request.path}")
            abort(400, description="csrf")
        g.petugas = _officer_session(portal)
        return None

    @app.teardown_request
    def _release(exc) -> None:
        g.pop("ws", None)  # the thread keeps its connection for its next request

    @app.after_request
    def _headers(resp):
        for k, v in HEADERS.items():
            resp.headers.setdefault(k, v)
        if secure:
            resp.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if not request.path.startswith("/aset/"):
            resp.headers["Cache-Control"] = "no-store"
        return resp

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        code = exc.code or 500
        key = "csrf" if exc.description == "csrf" else str(code)
        if not texts.has(f"portal.galat.{key}"):
            key = "umum"
        return render("galat.html.j2", judul=texts.t("portal.galat.judul"),
                      pesan=texts.t(f"portal.galat.{key}")), code

    @app.errorhandler(Exception)
    def _error(exc: Exception):  # a bug of ours: one line in the log, a calm page
        app.logger.exception("portal error")
        portal.log.error("%s galat %s %s", request.remote_addr or "-", request.path,
                         type(exc).__name__)
        return render("galat.html.j2", judul=texts.t("portal.galat.judul"),
                      pesan=texts.t("portal.galat.500")), 500

    register(app)
    return app


WAITRESS_CODES = (400, 413, 431, 500, 501)  # what waitress refuses before the app


def error_pages(app: Flask) -> tuple[dict, bytes]:
    """The portal's own pages for what the server refuses before the application sees
    the request (code, or ``kuota_alamat`` / ``kuota_total`` → page), and the whole
    response for a client over its address's connection limit: Indonesian, with the
    portal's security headers."""
    texts = portal_of(app).texts
    with app.test_request_context("/"):
        def page(key: str) -> bytes:
            return render("galat.html.j2", judul=texts.t("portal.galat.judul"),
                          pesan=texts.t(f"portal.galat.{key}")).encode("utf-8")

        pages: dict = {code: page(str(code) if texts.has(f"portal.galat.{code}") else "umum")
                       for code in WAITRESS_CODES}
        budget = portal_of(app).budget
        for spent, limit in (("alamat", budget.per_key), ("total", budget.total)):
            pages[f"kuota_{spent}"] = render(
                "galat.html.j2", judul=texts.t("portal.galat.judul"),
                pesan=texts.t(f"portal.unggah.kuota_{spent}", mb=limit // 2 ** 20)
            ).encode("utf-8")
        busy = page("sambungan")
    head = ["HTTP/1.1 429 Too Many Requests", "Content-Type: text/html; charset=utf-8",
            f"Content-Length: {len(busy)}", "Connection: close", "Retry-After: 60",
            "Cache-Control: no-store", *(f"{k}: {v}" for k, v in HEADERS.items())]
    return pages, ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + busy


def _over_budget(portal: Portal):
    """The Indonesian 429 page when this upload would spend its address's (or everyone's)
    bytes of the hour; None when it fits (it is then charged)."""
    size = request.content_length or request.max_content_length or 0
    if request.max_content_length and size > request.max_content_length:
        return None  # too large for anyone: the 413 page says so
    spent = portal.budget.allow(request.remote_addr or "-", size)
    if not spent:
        return None
    limit = portal.budget.per_key if spent == "alamat" else portal.budget.total
    portal.audit(f"unggah_kuota_{spent} ukuran={size}")
    page = render("unggah.html.j2", verdicts=None,
                  pesan=portal.texts.t(f"portal.unggah.kuota_{spent}",
                                       mb=limit // (1024 * 1024)))
    return page, 429, {"Retry-After": "600"}


def _officer_session(portal: Portal) -> bool:
    """Whether this request comes with a live officer session (kept in the ledger: a
    signed cookie alone opens nothing). A session found over is forgotten, and the
    login page says why."""
    token = session.get("sesi")
    if not token:
        return False
    why = workspace().sessions.check(token, password_tag(portal.workspace), portal.idle,
                                     portal.absolute)
    if not why:
        return True
    session.pop("sesi", None)
    portal.audit(f"sesi_berakhir {why}")
    session["pesan_masuk"] = portal.texts.t(f"portal.sesi.berakhir.{why}") \
        if portal.texts.has(f"portal.sesi.berakhir.{why}") else None
    return False


def _sweep_inbox(ws_path: Path, older_than: float = 3600.0) -> None:
    """Uploads left behind by a server stopped mid-upload (never judged: the pegawai saw
    no receipt and sends again) are removed when the portal starts."""
    import time

    from .intake import INBOX, SUFFIX

    for path in (ws_path / INBOX).glob(f"*{SUFFIX}"):
        try:
            if path.stat().st_mtime < time.time() - older_than:
                path.unlink()
        except OSError:
            pass


def _audit_log(ws_path: Path) -> logging.Logger:
    path = ws_path / LOG_FILE
    private_dir(path.parent, ws_path)
    log = logging.getLogger(f"iki_xlsx.portal.audit.{path}")
    if not log.handlers:
        import os

        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))  # private
        handler = logging.FileHandler(path, encoding="utf-8")
        fmt = logging.Formatter("%(asctime)sZ %(message)s", "%Y-%m-%dT%H:%M:%S")
        import time

        fmt.converter = time.gmtime
        handler.setFormatter(fmt)
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    return log
