"""The HTML recap: self-contained, user text escaped, and it really renders (headless
Chromium screenshot that is not blank)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from test_recap import setup  # noqa: F401  (the fixture, shared)

from iki_xlsx.recap.build import build_recap
from iki_xlsx.recap.html import write_recap_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium not found (Debian: apt-get install -y chromium); "
                             "the HTML is still checked as text by the other tests")


@pytest.fixture
def html(setup, tmp_path):  # noqa: F811
    ws, _ = setup
    recap = build_recap(ws, upto="TW2")
    path = write_recap_html(recap, tmp_path / "out" / "rekap-TW2.html")
    return path, recap


def test_self_contained_and_escaped(html):
    path, _ = html
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    # no external asset, no script of ours: nothing to fetch, nothing to run
    assert not re.search(r"""(?:src|href)\s*=|@import|url\(|<link|<script""", text,
                         re.I), "external reference or script in the page"
    assert "<style>" in text and text.count("<svg") == 2
    # user text is escaped, never markup
    assert "&lt;script&gt;document.title=&#39;DIRETAS&#39;&lt;/script&gt;" in text
    assert "&lt;r&gt;&lt;t&gt;a&lt;/t&gt;" in text
    assert "=HYPERLINK(&#34;http://x&#34;,&#34;y&#34;)" in text
    # the numbers people read, Indonesian style
    assert "Capaian s.d. TW II" in text
    assert "106,67" in text  # Kepala: (100 + 100 + 120) / 3
    assert "Belum mengumpulkan" in text and "Nur Aini, A.Md" in text
    assert "Sel terkunci C12 diubah." in text
    assert "Batas capaian per indikator: 120%." in text


def test_detail_can_be_left_out(setup, tmp_path):  # noqa: F811
    ws, _ = setup
    recap = build_recap(ws)
    text = write_recap_html(recap, tmp_path / "r.html", detail=False).read_text("utf-8")
    assert "DIRETAS" not in text
    assert "tidak dimuat" in text and "Per Indikator" in text


def _chromium(*args, profile) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={profile}", *args],
        capture_output=True, timeout=120)


def _png_stats(path) -> tuple[int, int, int]:
    import pymupdf

    pix = pymupdf.Pixmap(str(path))
    n, data = pix.n, pix.samples
    total = pix.width * pix.height
    nonwhite, colours = 0, set()
    for i in range(0, len(data), n * 7):  # every 7th pixel is plenty
        px = bytes(data[i:i + 3])
        if px != b"\xff\xff\xff":
            nonwhite += 1
        colours.add(px)
    return total // 7, nonwhite, len(colours)


@needs_chromium
def test_renders_in_chromium(html, tmp_path):
    path, _ = html
    shot = tmp_path / "shot.png"
    done = _chromium(f"--screenshot={shot}", "--window-size=1280,2000",
                     path.resolve().as_uri(), profile=tmp_path / "profile")
    assert shot.is_file(), done.stderr.decode(errors="replace")[-2000:]
    sampled, nonwhite, colours = _png_stats(shot)
    assert nonwhite > sampled * 0.05, (nonwhite, sampled)  # text, tables, bars
    assert colours >= 8, colours  # predikat colours, bar blue, header fills, text


@needs_chromium
def test_typed_script_does_not_run(html, tmp_path):
    """The keterangan ``<script>document.title='DIRETAS'</script>`` stays text: after
    Chromium loads the page, the title is still ours and the DOM holds no script."""
    path, _ = html
    done = _chromium("--dump-dom", path.resolve().as_uri(), profile=tmp_path / "profile")
    dom = done.stdout.decode("utf-8", errors="replace")
    assert "Rekap IKI 2025 s.d. TW II" in dom, done.stderr.decode(errors="replace")[-2000:]
    title = re.search(r"<title>(.*?)</title>", dom, re.S)
    assert title and title.group(1) == "Rekap IKI 2025 s.d. TW II"
    assert "<script" not in dom.lower()
    assert "&lt;script&gt;document.title='DIRETAS'&lt;/script&gt;" in dom
