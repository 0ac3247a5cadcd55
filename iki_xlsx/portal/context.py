"""What every page shares while it is served: the :class:`Portal` (workspace folder,
texts, limits, audit log), the workspace of the current request, and rendering a page
template with the texts, the CSRF token and whether the officer is logged in."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app, g, request, session, url_for

from ..core.texts import Texts
from ..workspace import Workspace
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

    def audit(self, event: str) -> None:
        """One line per state change: time (UTC), client address, what happened."""
        self.log.info("%s %s", request.remote_addr or "-", event)


def portal_of(app: Flask | None = None) -> Portal:
    return (app or current_app).extensions["iki_portal"]


def workspace() -> Workspace:
    """The ledger for this request (its own SQLite connection, closed at the end)."""
    if "ws" not in g:
        g.ws = Workspace(portal_of().workspace)
    return g.ws


def render(name: str, **ctx) -> str:
    """``templates/portal/<name>`` (a user's templates folder overrides it)."""
    portal = portal_of()
    return portal.texts.render(f"portal/{name}", t=portal.texts.t, url=url_for,
                               csrf=session.get("csrf", ""),
                               petugas=bool(g.get("petugas")), **ctx)
