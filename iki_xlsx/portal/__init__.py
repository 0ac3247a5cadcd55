"""The portal (``iki-xlsx serve``): a small web application over a workspace where a
pegawai uploads a filled form and sees at once what was read, and the officer watches
the year.

* :mod:`.app` — the Flask application, security (CSRF, headers, cookies), audit log;
* :mod:`.context` — what every page shares (workspace per request, rendering);
* :mod:`.views` — the pages (staff upload and verdict; officer status, decisions,
  downloads);
* :mod:`.intake` — an upload judged and recorded by :func:`iki_xlsx.collect.collect`
  (the one code path), and the verdict a pegawai sees;
* :mod:`.status` — what the officer's pages show, from the ledger;
* :mod:`.auth` — the officer's password (scrypt), session key, rate limits;
* :mod:`.server` — served by waitress (pure Python: Windows and Linux, no compiler).

Pages are rendered from ``templates/portal/*.html.j2`` with texts from
``templates/portal.yaml``; the stylesheet and script are in ``static/``.
"""

from .app import create_app
from .auth import PasswordError, has_password, set_password
from .server import is_local, make_server

__all__ = ["PasswordError", "create_app", "has_password", "is_local", "make_server",
           "set_password"]
