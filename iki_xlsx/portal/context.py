"""What every page shares while it is served: the :class:`Portal` (workspace folder,
texts, limits, audit log), the workspace of the current request (each server thread
keeps its own), and rendering a page template with the texts, the CSRF token and
whether the officer is logged in."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app, g, request, session, url_for

from ..collect import Readers
from ..core.texts import Texts
from ..workspace import DB_FILE, Workspace
from .auth import ByteBudget, RateLimit


@dataclass
class Portal:
    """What the views share: the workspace folder, the texts, the limits, the log."""

    workspace: Path
    texts: Texts
    uploads: RateLimit
    logins: RateLimit
    log: logging.Logger
    secure: bool
    idle: timedelta  # an officer's session ends after this long without a page …
    absolute: timedelta  # … or this long after the login
    budget: ByteBudget  # bytes of uploads per hour, per address and from everyone
    # uploads are read in a standing process: the server's threads wait for it without
    # holding the interpreter, so judging uses a second core (closed with the server)
    readers: Readers = field(default_factory=Readers)

    def audit(self, event: str) -> None:
        """One line per state change: time (UTC), client address, what happened."""
        self.log.info("%s %s", request.remote_addr or "-", event)


def portal_of(app: Flask | None = None) -> Portal:
    return (app or current_app).extensions["iki_portal"]


_OPEN = threading.local()  # each server thread's own workspace (SQLite: one per thread)


def workspace() -> Workspace:
    """The workspace for this request: the server thread's own connection to the ledger,
    kept between requests — and opened again when the ledger file was replaced since
    (a workspace rebuilt at the same path)."""
    if "ws" not in g:
        path = portal_of().workspace
        kept = getattr(_OPEN, "ws", None)
        try:
            inode = (path / DB_FILE).stat().st_ino
        except OSError:
            inode = None
        if kept is None or kept[0].path != path or kept[1] != inode or inode is None:
            if kept is not None:
                kept[0].close()
            _OPEN.ws = kept = (Workspace(path), inode)
        g.ws = kept[0]
    return g.ws


def render(name: str, **ctx) -> str:
    """``templates/portal/<name>`` (a user's templates folder overrides it)."""
    portal = portal_of()
    return portal.texts.render(f"portal/{name}", t=portal.texts.t, url=url_for,
                               csrf=session.get("csrf", ""),
                               petugas=bool(g.get("petugas")), **ctx)
