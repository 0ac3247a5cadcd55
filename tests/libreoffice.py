"""Real LibreOffice for tests: recalculate, fill in and save, print to PDF.

Tests run in the project's python, which cannot import ``uno``; this module drives
``tests/lo_driver.py`` under the system python (``/usr/bin/python3`` with python3-uno) in
serve mode. One driver, with one headless soffice (private profile), is started on first use
and kept for the whole test process, so each call costs milliseconds, not a soffice start
(about 2 s); it is stopped at exit. Use :func:`run` to batch several documents in one call.

Usage::

    from libreoffice import needs_libreoffice, recalc

    pytestmark = needs_libreoffice        # or @needs_libreoffice on a test

    def test_live_formula(tmp_path):
        values = recalc(path, writes={"H14": 5}, reads=["L14"], sheet="IKI")
        assert values["L14"] == 50

Environment: ``IKI_LO_PYTHON`` (default ``/usr/bin/python3``), ``IKI_SOFFICE`` (default
``soffice`` on PATH), ``IKI_LO_TIMEOUT`` (seconds per call, default 180).
"""

from __future__ import annotations

import atexit
import json
import os
import selectors
import shutil
import signal
import subprocess
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest

DRIVER = Path(__file__).with_name("lo_driver.py")
PYTHON = os.environ.get("IKI_LO_PYTHON", "/usr/bin/python3")
TIMEOUT = float(os.environ.get("IKI_LO_TIMEOUT", "180"))

SKIP_REASON = ("LibreOffice (soffice) and python3-uno not installed: "
               "apt-get install -y --no-install-recommends libreoffice-calc-nogui python3-uno")


# ``IKI_TEST_FONTS=dejavu``: LibreOffice runs without the Liberation fonts and the other
# fonts metric-compatible with Arial (a fontconfig file rejects them: Nimbus Sans of
# fonts-urw-base35 would otherwise stand in with Arial's widths), so Arial falls back to
# the wider DejaVu Sans, as on a machine without fonts-liberation (WPS on Linux or Android
# may do the same). Default: the system's fonts.
FONTS = os.environ.get("IKI_TEST_FONTS", "").strip().lower() or "system"
_REJECT_LIBERATION = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <selectfont><rejectfont>
    <pattern><patelt name="family"><string>Liberation Sans</string></patelt></pattern>
    <pattern><patelt name="family"><string>Liberation Sans Narrow</string></patelt></pattern>
    <pattern><patelt name="family"><string>Liberation Serif</string></patelt></pattern>
    <pattern><patelt name="family"><string>Liberation Mono</string></patelt></pattern>
    <pattern><patelt name="family"><string>Nimbus Sans</string></patelt></pattern>
    <pattern><patelt name="family"><string>Nimbus Sans L</string></patelt></pattern>
    <pattern><patelt name="family"><string>Nimbus Sans Narrow</string></patelt></pattern>
    <pattern><patelt name="family"><string>Arimo</string></patelt></pattern>
    <pattern><patelt name="family"><string>FreeSans</string></patelt></pattern>
    <pattern><patelt name="family"><string>TeX Gyre Heros</string></patelt></pattern>
  </rejectfont></selectfont>
</fontconfig>
"""


def font_env() -> dict[str, str]:
    """The environment for LibreOffice under :data:`FONTS`."""
    env = dict(os.environ)
    if FONTS == "dejavu":
        import tempfile

        conf = Path(tempfile.gettempdir()) / f"iki-fonts-no-liberation-{os.getpid()}.conf"
        conf.write_text(_REJECT_LIBERATION, encoding="utf-8")
        env["FONTCONFIG_FILE"] = str(conf)
    elif FONTS != "system":
        raise ValueError(f"IKI_TEST_FONTS={FONTS!r}: use 'dejavu' or leave it unset")
    return env


class LibreOfficeError(RuntimeError):
    """LibreOffice (or the driver) failed; the message says which document and step."""


@lru_cache(maxsize=1)
def available() -> bool:
    """soffice on PATH and a system python that imports ``uno``."""
    if not (os.environ.get("IKI_SOFFICE") or shutil.which("soffice")):
        return False
    if not os.access(PYTHON, os.X_OK):
        return False
    try:
        probe = subprocess.run([PYTHON, "-c", "import uno"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


class _Marks(list):
    """Marks usable as ``pytestmark = needs_libreoffice`` and as ``@needs_libreoffice``."""

    def __call__(self, obj):
        for mark in self:
            obj = mark(obj)
        return obj


needs_libreoffice = _Marks([
    pytest.mark.libreoffice,
    pytest.mark.skipif(not available(), reason=SKIP_REASON),
])


# --------------------------------------------------------------------------- cells


class CellError(str):
    """A formula error as LibreOffice shows it (``#DIV/0!``, ``Err:502``)."""


@dataclass(frozen=True)
class Cell:
    """What LibreOffice holds in a cell after recalculation."""

    type: str  # empty | value | text | formula
    value: float | None  # the number (also of a formula result), else None
    string: str | None  # the text LibreOffice displays (None for numbers read in bulk)
    formula: str | None  # in LibreOffice's API syntax: "=IF(A1>0;1;0)"
    result: str | None  # formulas: value | text | error
    error: int  # LibreOffice error code, 0 when none

    @property
    def python(self) -> float | str | None:
        """None for an empty cell, a float for numbers, str for text (also a formula's
        ``""``), :class:`CellError` for errors."""
        if self.type == "empty":
            return None
        if self.type == "formula" and self.result == "error":
            return CellError(self.string)
        if self.type == "value" or (self.type == "formula" and self.result == "value"):
            return self.value
        return self.string


# --------------------------------------------------------------------------- session


class _Driver:
    """The serve-mode driver process; restarted when it dies or times out."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.lock = threading.Lock()
        self.startups: list[float] = []  # soffice start-up seconds, for reporting

    def _start(self) -> None:
        self.proc = subprocess.Popen(
            [PYTHON, str(DRIVER), "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, encoding="utf-8", env=font_env(),
            start_new_session=True)  # own process group: the driver and its soffice

    def request(self, request: dict, timeout: float) -> dict:
        with self.lock:
            if self.proc is None or self.proc.poll() is not None:
                self._start()
            request = {**request, "timeout": timeout}
            try:
                self.proc.stdin.write(json.dumps(request) + "\n")
                self.proc.stdin.flush()
                line = self._readline(timeout + 30)
            except (OSError, TimeoutError) as exc:
                self._kill()
                raise LibreOfficeError(f"LibreOffice driver failed: {exc}") from exc
            if not line:
                code = self.proc.poll()
                self._kill()
                raise LibreOfficeError(f"LibreOffice driver exited (code {code}) without "
                                       "an answer")
            response = json.loads(line)
            if response.get("startup_seconds"):
                self.startups.append(response["startup_seconds"])
            return response

    def _readline(self, timeout: float) -> str:
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        try:
            if not sel.select(timeout):
                raise TimeoutError(f"no answer within {timeout:.0f} s")
            return self.proc.stdout.readline()
        finally:
            sel.close()

    def _kill(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the group we created: driver + soffice
        except OSError:
            pass
        proc.wait()

    def close(self) -> None:
        with self.lock:
            proc = self.proc
            if proc is None:
                return
            try:
                proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
                proc.stdin.close()
                proc.wait(30)
                self.proc = None
                return
            except (OSError, subprocess.TimeoutExpired):
                pass
            self._kill()


_DRIVER = _Driver()
atexit.register(_DRIVER.close)


def shutdown() -> None:
    """Stop the shared soffice now (it is also stopped at exit)."""
    _DRIVER.close()


def startup_seconds() -> list[float]:
    """How long each soffice start took in this process."""
    return list(_DRIVER.startups)


# --------------------------------------------------------------------------- API


def run(documents: Iterable[Mapping], timeout: float = TIMEOUT) -> list[dict]:
    """Process several documents in one driver call (see ``lo_driver.py`` for the spec).

    Returns each document's result; raises :class:`LibreOfficeError` naming the document
    and step when any fails.
    """
    docs = []
    for doc in documents:
        doc = dict(doc)
        doc["path"] = str(Path(doc["path"]).resolve())
        doc["save"] = [{**save, "path": str(Path(save["path"]).resolve())}
                       for save in doc.get("save") or []]
        docs.append(doc)
    if not available():
        raise LibreOfficeError(SKIP_REASON)
    response = _DRIVER.request({"documents": docs}, timeout)
    results = response.get("documents") or []
    failed = [f"{Path(r['path']).name}: {r['error']}" for r in results if not r["ok"]]
    if response.get("error") or failed or len(results) != len(docs):
        raise LibreOfficeError("; ".join(filter(None, [response.get("error"), *failed]))
                               or "LibreOffice did not process every document")
    return results


def cells(path: str | os.PathLike, reads: Iterable[str], writes: Mapping[str, object] = {},
          sheet: str | None = None, calculate: bool = True) -> dict[str, Cell]:
    """Open ``path`` (not modified), write, recalculate, and return the full cells read."""
    (result,) = run([{"path": path, "sheet": sheet, "writes": dict(writes),
                      "calculate": calculate, "reads": list(reads)}])
    return {address: Cell(**info) for address, info in result["cells"].items()}


def recalc(path: str | os.PathLike, writes: Mapping[str, object] = {},
           reads: Iterable[str] = (), sheet: str | None = None) -> dict[str, object]:
    """Open ``path`` hidden, write ``writes`` (numbers as values, strings as text, None
    clears), ``calculateAll``, and return the ``reads`` as python values (see
    :attr:`Cell.python`: None empty, float, str — a formula's ``""`` stays ``""`` —,
    :class:`CellError`). Addresses are ``H14`` on ``sheet`` (default: the first sheet) or
    ``'Sheet name'!H14``; a range ``F2:F900`` is read in bulk (far faster than naming each
    cell) and returns every cell of it under its own address (``F2``, ``F3``, …, with the
    range's sheet prefix). The file on disk is not changed."""
    return {a: c.python for a, c in cells(path, reads, writes, sheet).items()}


def fill_and_save(path: str | os.PathLike, writes: Mapping[str, object],
                  out_path: str | os.PathLike, fmt: str = "xlsx",
                  sheet: str | None = None) -> Path:
    """Write ``writes`` into ``path``, recalculate, save as ``fmt`` (xlsx | ods) to
    ``out_path``, as a person filling the form in LibreOffice would. Returns ``out_path``.
    UNO writes ignore protection and validation: respect them in the test itself."""
    if fmt not in ("xlsx", "ods"):
        raise ValueError(f"fmt must be 'xlsx' or 'ods', not {fmt!r}")
    run([{"path": path, "sheet": sheet, "writes": dict(writes),
          "save": [{"path": str(out_path), "format": fmt}]}])
    return Path(out_path)


def to_pdf(path: str | os.PathLike, out_dir: str | os.PathLike) -> Path:
    """Print ``path`` to ``out_dir/<stem>.pdf`` as Calc prints it (page setup, print
    ranges, repeated rows); formulas are recalculated first."""
    out = Path(out_dir) / (Path(path).stem + ".pdf")
    run([{"path": path, "save": [{"path": str(out), "format": "pdf"}]}])
    return out


def pdf_text(pdf: str | os.PathLike) -> str:
    """The text of a PDF laid out as on the page (``pdftotext -layout``); pages are
    separated by form feeds."""
    if not shutil.which("pdftotext"):
        raise LibreOfficeError("pdftotext not found: apt-get install -y poppler-utils")
    done = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          timeout=120)
    if done.returncode != 0:
        raise LibreOfficeError(f"pdftotext {pdf}: {done.stderr.decode(errors='replace')}")
    return done.stdout.decode("utf-8", errors="replace")

