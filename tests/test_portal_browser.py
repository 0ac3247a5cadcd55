"""The portal in a real browser: Debian's chromium driven by its chromedriver through
Selenium (nothing downloaded: the binary and the driver are given explicitly). A
pegawai uploads a form filled by LibreOffice and sees its values and receipt; a hostile
file gets its Indonesian verdict and the server keeps serving; the officer logs in, sees
the status change and downloads the recap. The pages must raise no CSP violation."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from libreoffice import fill_and_save, needs_libreoffice
from portalkit import ANDI, KEPALA, PASSWORD, Client, copy_world, filled, make_world, portal

from iki_xlsx.core.texts import get_texts

CHROMIUM = Path(os.environ.get("IKI_XLSX_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("IKI_XLSX_CHROMEDRIVER", "/usr/bin/chromedriver"))
T = get_texts().t

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium tidak terpasang")
pytestmark = pytest.mark.skipif(not (CHROMIUM.is_file() and CHROMEDRIVER.is_file()),
                                reason="chromium / chromedriver (Debian) tidak terpasang")


@pytest.fixture(scope="module")
def downloads(tmp_path_factory):
    return tmp_path_factory.mktemp("unduhan")


@pytest.fixture(scope="module")
def browser(downloads):
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # selenium-manager must never download
    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-dev-shm-usage", "--window-size=1200,900"):
        opts.add_argument(flag)
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                           "download.prompt_for_download": False})
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=opts, service=Service(str(CHROMEDRIVER)))
    driver.execute_cdp_cmd("Page.setDownloadBehavior",
                           {"behavior": "allow", "downloadPath": str(downloads)})
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def world(tmp_path_factory, small_master):
    root = tmp_path_factory.mktemp("portal-browser")
    ws_path, forms = make_world(root, small_master)
    return root, ws_path, forms


def by_css(driver, css):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, css)


def upload(driver, url: str, *paths: Path) -> None:
    driver.get(url)
    box = by_css(driver, "input#berkas")[0]
    box.send_keys("\n".join(str(p) for p in paths))
    by_css(driver, "#tombol-kirim")[0].click()
    wait_for(lambda: by_css(driver, "#hasil") or by_css(driver, "#pesan-galat"))


def wait_for(cond, seconds: float = 30):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        got = cond()
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError("menunggu terlalu lama")


def csp_errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser")
            if "Content Security Policy" in e["message"] or "Refused" in e["message"]]


@needs_libreoffice
def test_pegawai_uploads_a_libreoffice_form_and_sees_values_and_receipt(world, browser,
                                                                        tmp_path):
    root, ws_src, forms = world
    ws = copy_world(ws_src, tmp_path / "ws")
    m = forms[ANDI].manifest
    ref = m["indicators"][0]["cells"]["realisasi"]
    lo = fill_and_save(forms[ANDI].path, {ref["TW1"]: 12, ref["TW2"]: 14},
                       tmp_path / "IKI Andi (LibreOffice).xlsx", "xlsx", sheet="IKI")
    hostile = tmp_path / "IKI palsu.xlsx"
    hostile.write_bytes(b"PK\x03\x04" + os.urandom(4000))
    with portal(ws) as running:
        upload(browser, running.url, lo)
        assert by_css(browser, ".nama-pegawai")[0].text == "Andi Pratama, S.Kom"
        values = [c.text for c in by_css(browser, "td.realisasi")]
        assert values[:2] == ["12", "14"]
        assert "s.d. TW II" in by_css(browser, "td.capaian")[0].text
        receipt = by_css(browser, ".nomor-tanda-terima")[0].text
        assert re.fullmatch(r"TT-\d{8}-[0-9A-F]{10}", receipt)
        assert by_css(browser, "[data-status]")[0].get_attribute("data-status") == "diterima"
        assert by_css(browser, "[data-cetak]")[0].is_displayed()  # the script ran (local)
        # a hostile file: its Indonesian verdict, and the server keeps serving
        upload(browser, running.url, hostile)
        assert by_css(browser, "[data-status]")[0].get_attribute("data-status") == "ditolak"
        page = by_css(browser, "main")[0].text
        assert T("portal.hasil.ditolak_saran") in page
        upload(browser, running.url, lo)
        assert by_css(browser, ".nama-pegawai")[0].text == "Andi Pratama, S.Kom"
        assert T("portal.hasil.sudah_pernah") in by_css(browser, "main")[0].text
        assert csp_errors(browser) == []


def test_officer_logs_in_sees_the_status_change_and_downloads_the_recap(world, browser,
                                                                        downloads, tmp_path):
    root, ws_src, forms = world
    ws = copy_world(ws_src, tmp_path / "ws")
    with portal(ws) as running:
        browser.get(running.url + "petugas")
        assert browser.current_url.endswith("/petugas/masuk")
        by_css(browser, "#sandi")[0].send_keys(PASSWORD)
        by_css(browser, "#tombol-masuk")[0].click()
        wait_for(lambda: by_css(browser, "#ringkas"))
        before = by_css(browser, "#ringkas")[0].text
        assert "0 lengkap" in before and "5 belum" in before
        full = {(i, "TW1"): v for i, v in enumerate([80, 0, 100, 100])}
        Client(running.url).upload(filled(forms[KEPALA], tmp_path / "kepala.xlsx", full))
        browser.refresh()
        after = wait_for(lambda: by_css(browser, "#ringkas"))[0].text
        assert "1 lengkap" in after and "4 belum" in after
        for f in downloads.glob("*"):
            f.unlink()
        by_css(browser, "#unduh-rekap")[0].click()
        got = wait_for(lambda: [f for f in downloads.glob("rekap*.xlsx")], 60)
        import openpyxl

        wait_for(lambda: got[0].stat().st_size > 0 and not list(downloads.glob("*.crdownload")))
        wb = openpyxl.load_workbook(got[0], read_only=True)
        assert "Per Pegawai" in wb.sheetnames
        assert csp_errors(browser) == []
        # the console log is really read: a refused inline script shows up in it
        browser.execute_script("var s = document.createElement('script');"
                               "s.textContent = '1'; document.body.appendChild(s);")
        assert csp_errors(browser) != []


def test_on_a_phone_the_page_fits_and_the_upload_works(world, browser, tmp_path):
    root, ws_src, forms = world
    ws = copy_world(ws_src, tmp_path / "ws")
    form = filled(forms[ANDI], tmp_path / "dari-wa.xlsx", {(0, "TW1"): 7})
    browser.set_window_size(390, 844)
    try:
        with portal(ws) as running:
            browser.get(running.url)
            width = "return document.documentElement.scrollWidth"
            assert browser.execute_script(width) <= 390
            assert by_css(browser, "#tombol-kirim")[0].is_displayed()
            upload(browser, running.url, form)
            assert by_css(browser, ".nama-pegawai")[0].text == "Andi Pratama, S.Kom"
            assert browser.execute_script(width) <= 390  # the wide table scrolls inside
            assert re.search(r"UTC[+-]\d\d:\d\d", by_css(browser, ".tanda-terima")[0].text)
    finally:
        browser.set_window_size(1200, 900)


NO_SIDEWAYS = ("return [document.documentElement.scrollWidth, window.innerWidth,"
               " document.body.scrollWidth]")
OUTSIDE_BOX = """return [...document.querySelectorAll('table')]
  .filter(t => !t.closest('.gulir')).map(t => t.className || t.id)"""
OFF_SCREEN = """return [...document.querySelectorAll(arguments[0])].filter(e => {
  const r = e.getBoundingClientRect();
  return r.width > 0 && (r.left < 0 || r.right > window.innerWidth + 0.5);
}).map(e => e.textContent.trim())"""


def fits(driver, where: str) -> None:
    """The page itself does not scroll sideways; every table is in its scroll box."""
    page, inner, body = driver.execute_script(NO_SIDEWAYS)
    assert page <= inner and body <= inner, (where, page, body, inner)
    assert driver.execute_script(OUTSIDE_BOX) == [], where


@pytest.mark.parametrize("size", [(360, 740), (1366, 768)], ids=["hp-360", "laptop-1366"])
def test_every_page_fits_a_phone_and_a_laptop(world, browser, tmp_path, size):
    """Issue 21, item 6: at 360 px and 1366×768 no page scrolls sideways (tables scroll
    inside their box); on the verdict every value read is on screen."""
    from filling import zip_of

    root, ws_src, forms = world
    ws = copy_world(ws_src, tmp_path / "ws")
    andi = filled(forms[ANDI], tmp_path / "andi.xlsx",
                  {(i, p): 10 + i for i in range(2) for p in ("TW1", "TW2", "TW3", "TW4")})
    kepala = filled(forms[KEPALA], tmp_path / "kepala.xlsx", {(0, "TW1"): 80})
    both = tmp_path / "kiriman dari WhatsApp grup bidang kepegawaian.zip"
    both.write_bytes(zip_of({"a/andi.xlsx": andi.read_bytes(),
                             "kepala.xlsx": kepala.read_bytes()}))
    junk = tmp_path / "foto_bukti_kegiatan_dengan_nama_berkas_yang_sangat_panjang.xlsx"
    junk.write_bytes(b"\xff\xd8\xff" + b"x" * 3000)
    browser.set_window_size(*size)
    try:
        with portal(ws) as running:
            for path in ("", "petugas/masuk", "tidak-ada"):
                browser.get(running.url + path)
                fits(browser, path or "/")
            upload(browser, running.url, both, junk)
            fits(browser, "hasil")
            assert len(by_css(browser, "td.realisasi")) >= 8
            assert browser.execute_script(OFF_SCREEN, "td.realisasi") == []
            # the officer: a decision, so that every table has rows
            Client(running.url).upload(andi)
            browser.get(running.url + "petugas/masuk")
            by_css(browser, "#sandi")[0].send_keys(PASSWORD)
            by_css(browser, "#tombol-masuk")[0].click()
            wait_for(lambda: by_css(browser, "#ringkas"))
            box = by_css(browser, "form.keputusan input[name=alasan]")[0]
            box.send_keys("diisi rekan kerja")
            box.submit()
            wait_for(lambda: by_css(browser, "#pesan"))
            for details in by_css(browser, "details"):
                browser.execute_script("arguments[0].open = true", details)
            fits(browser, "petugas")
            assert by_css(browser, "table.keputusan-daftar")
    finally:
        browser.set_window_size(1200, 900)
