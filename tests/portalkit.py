"""Helpers for the portal tests: a workspace with issued forms, filled copies, a portal
served by waitress on 127.0.0.1 (a free port), and a plain HTTP client that behaves like
a browser (cookies, the CSRF token of the page it came from)."""

from __future__ import annotations

import re
import shutil
from contextlib import contextmanager
from html import unescape
from pathlib import Path

import requests
import requests.adapters
from filling import fill, realisasi_ref

from iki_xlsx.core.texts import get_texts
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.portal.auth import set_password
from iki_xlsx.portal.server import start_background
from iki_xlsx.workspace import Workspace

PASSWORD = "sandi-pengelola-uji-123"
KEPALA = ("197001011995031001", "IKI-KEPALA")
ANDI = ("199005202015031003", "IKI-PENGOLAH")
NUR = ("199107112019032011", "IKI-PENGOLAH")


def make_world(root: Path, master) -> tuple[Path, dict]:
    """A workspace with the small master's forms issued and the officer's password set;
    returns (workspace path, (nip, kode) → planned form)."""
    ws = Workspace(root / "ws")
    result = generate_forms(master, root / "forms", ws, jobs=1)
    set_password(ws.path, PASSWORD, get_texts())
    ws.close()
    return ws.path, {p.form.key: p for p in result.forms}


def filled(planned, dst: Path, values: dict[tuple[int, str], object]) -> Path:
    """A copy of a form with ``{(indikator index, period): value}`` typed in."""
    m = planned.manifest
    return fill(planned.path, dst, {realisasi_ref(m, i, p): v for (i, p), v in values.items()})


def copy_world(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


@contextmanager
def portal(ws_path: Path, **options):
    running = start_background(ws_path, **options)
    try:
        yield running
    finally:
        running.stop()


def text_of(html: str) -> str:
    """What a person reads on the page (tags removed, spaces collapsed)."""
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


class FromAddress(requests.adapters.HTTPAdapter):
    """Connections made from another loopback address (127.0.0.2, …): another client
    address as the server sees it, on one machine (Linux routes all of 127/8 to lo)."""

    def __init__(self, source: str):
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


class Client:
    """A browser-like client: keeps cookies and the CSRF token of the last page;
    ``source``: the loopback address it connects from."""

    def __init__(self, base: str, source: str | None = None):
        self.base = base
        self.http = requests.Session()
        if source:
            self.http.mount("http://", FromAddress(source))
            self.http.mount("https://", FromAddress(source))
        self.csrf = ""

    def get(self, path: str = "", **kw) -> requests.Response:
        return self._remember(self.http.get(self.base + path.lstrip("/"), timeout=60, **kw))

    def _remember(self, r: requests.Response) -> requests.Response:
        """The CSRF token of the page shown (as a browser's next form would send it)."""
        found = re.search(r'name="csrf" value="([^"]+)"', r.text) if r.headers.get(
            "Content-Type", "").startswith("text/html") else None
        if found:
            self.csrf = found.group(1)
        return r

    def post(self, path: str, data: dict | None = None, files=None, csrf: bool = True,
             **kw) -> requests.Response:
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf", self.csrf)
        return self._remember(self.http.post(self.base + path.lstrip("/"), data=data,
                                             files=files, timeout=120, **kw))

    def upload(self, *paths: Path, names: list[str] | None = None) -> requests.Response:
        if not self.csrf:
            self.get("/")
        files = [("berkas", ((names or [p.name for p in paths])[i], p.read_bytes()))
                 for i, p in enumerate(paths)]
        return self.post("/unggah", files=files)

    def login(self, password: str = PASSWORD) -> requests.Response:
        self.get("/petugas/masuk")
        return self.post("/petugas/masuk", {"sandi": password})
