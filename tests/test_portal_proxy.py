"""The guide's reverse proxy, for real (issue 21, item 4): Debian's nginx runs the
``nginx`` block of PANDUAN.md as printed (only the certificate, the ports and the
temporary folders put in), TLS in front of ``serve --proxy 127.0.0.1``. Through it the
pegawai's own address is the one logged and counted (a forged X-Forwarded-For never
reaches the portal), cookies are Secure, HSTS is sent, the officer logs in, a form is
uploaded, and plain HTTP is sent to HTTPS."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
from mailtools import self_signed
from portalkit import ANDI, Client, copy_world, filled, make_world, portal, text_of

from iki_xlsx.core.texts import get_texts

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").is_file()
                                  else None)
GUIDE = Path(__file__).resolve().parent.parent / "PANDUAN.md"
T = get_texts().t
PUPIL = "127.0.0.5"  # the pegawai's own address, as nginx sees it

pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx (Debian nginx-light) tidak terpasang")


def guide_block() -> str:
    """The ``nginx`` block of the guide, as printed."""
    text = GUIDE.read_text(encoding="utf-8")
    block = re.search(r"```nginx\n(.*?)```", text, re.S).group(1)
    return "\n".join(line[3:] if line.startswith("   ") else line
                     for line in block.splitlines())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_config(root: Path, portal_port: int, https: int, http: int) -> Path:
    cert, key = self_signed(root)
    block = guide_block()
    for old, new in (("listen 443 ssl;", f"listen 127.0.0.1:{https} ssl;"),
                     ("listen 80;", f"listen 127.0.0.1:{http};"),
                     ("http://127.0.0.1:8000", f"http://127.0.0.1:{portal_port}"),
                     ("/etc/letsencrypt/live/iki.bkpsdm.example.go.id/fullchain.pem",
                      str(cert)),
                     ("/etc/letsencrypt/live/iki.bkpsdm.example.go.id/privkey.pem",
                      str(key))):
        assert old in block, old
        block = block.replace(old, new)
    temp = root / "tmp"
    temp.mkdir()
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers write temp files here
    conf = root / "nginx.conf"
    conf.write_text(f"""{user}worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log;
events {{ worker_connections 256; }}
http {{
    access_log {root}/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
{block}
}}
""", encoding="utf-8")
    return conf


@pytest.fixture(scope="module")
def world(tmp_path_factory, small_master):
    root = tmp_path_factory.mktemp("proxy")
    ws_path, forms = make_world(root, small_master)
    return root, ws_path, forms


def wait_listening(port: int, proc: subprocess.Popen) -> None:
    for _ in range(100):
        if proc.poll() is not None:
            raise AssertionError("nginx berhenti")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("nginx tidak mendengar")


def test_the_guides_nginx_block_in_front_of_serve_proxy(world, tmp_path):
    _, ws_src, forms = world
    ws = copy_world(ws_src, tmp_path / "ws")
    https, http = free_port(), free_port()
    with portal(ws, proxy="127.0.0.1") as running:
        portal_port = int(running.url.rstrip("/").rsplit(":", 1)[1])
        conf = nginx_config(tmp_path, portal_port, https, http)
        check = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(conf)],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        proc = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(conf), "-g",
                                 "daemon off;"], stderr=subprocess.PIPE)
        try:
            wait_listening(https, proc)
            base = f"https://127.0.0.1:{https}/"
            c = Client(base, source=PUPIL)
            c.http.trust_env = False  # this certificate, not the system's bundle
            c.http.verify = str(tmp_path / "cert.pem")
            c.http.headers["X-Forwarded-For"] = "198.51.100.7"  # forged: must not count
            r = c.get("/")
            assert r.status_code == 200 and T("portal.unggah.judul") in text_of(r.text)
            cookie = r.headers["Set-Cookie"]
            assert "Secure" in cookie and "HttpOnly" in cookie
            assert r.headers["Strict-Transport-Security"].startswith("max-age=")
            page = text_of(c.upload(filled(forms[ANDI], tmp_path / "andi.xlsx",
                                           {(0, "TW1"): 7})).text)
            assert "Andi Pratama" in page and T("cli.status.diterima") in page
            assert c.login().status_code == 200
            assert c.get("/petugas", allow_redirects=False).status_code == 200
            # plain HTTP is sent to HTTPS
            r = requests.get(f"http://127.0.0.1:{http}/petugas", allow_redirects=False,
                             timeout=30)
            assert r.status_code == 301 and r.headers["Location"].startswith("https://")
        finally:
            proc.terminate()
            proc.wait(10)
    log = (ws / "portal" / "log-portal.txt").read_text(encoding="utf-8")
    assert f"Z {PUPIL} unggah TT-" in log and f"Z {PUPIL} masuk_berhasil" in log
    assert "198.51.100.7" not in log and "Z 127.0.0.1 " not in log
