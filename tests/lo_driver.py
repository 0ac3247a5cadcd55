#!/usr/bin/python3
"""Drive a headless LibreOffice through UNO: open, write, recalculate, read, save, export.

Runs under the system python that has ``uno`` (Debian: ``/usr/bin/python3`` with
``python3-uno``), not under the project's python; ``tests/libreoffice.py`` is the API tests use.

Usage::

    /usr/bin/python3 tests/lo_driver.py run [REQUEST.json]   # one request (file or stdin)
    /usr/bin/python3 tests/lo_driver.py serve                # one JSON request per stdin line

Options: ``--connect PIPE`` uses a soffice already accepting on ``pipe,name=PIPE`` (never
terminated by us); ``--startup-timeout S`` (default 90).

A request::

    {"timeout": 120,
     "documents": [{
        "path": "/abs/form.xlsx",
        "sheet": "IKI",                        # default sheet for unqualified addresses
                                               # (default: the first sheet)
        "writes": {"H14": 5, "IKI!I14": "Ya", "J14": null, "K14": {"formula": "=1+1"}},
        "calculate": true,                     # calculateAll() after the writes (default)
        "reads": ["L14", "'Other sheet'!B2", "L14:L90"],   # a range is read in bulk
        "save": [{"path": "/abs/out.xlsx", "format": "xlsx"},   # xlsx | ods | pdf
                 {"path": "/abs/out.pdf", "format": "pdf"}]}]}

Writes: numbers → values, strings → text (never parsed as numbers or formulas), booleans →
1/0 with a boolean number format, null → cleared, ``{"formula": ...}`` → a formula in
LibreOffice's API syntax (English names, ``;`` separators), ``{"typed": "85%", "locale":
"id-ID"}`` → what typing that text gives in that locale (a number with the format
recognised — percent, date, currency — or text).

The response (one JSON object; one line in serve mode)::

    {"ok": true, "error": null, "seconds": 1.2, "startup_seconds": 3.4,
     "documents": [{"path": ..., "ok": true, "error": null, "saved": [...],
                    "cells": {"L14": {"type": "formula", "result": "value", "value": 87.5,
                                      "string": "87.5", "formula": "=IF(...)", "error": 0}}}]}

``type`` is empty | value | text | formula; ``result`` (formulas) is value | text | error.
A range in ``reads`` yields one entry per cell (``L14``, ``L15``, …, with the range's sheet
prefix), read in bulk: much faster, but ``string`` is null for numbers.
A failing document reports its error and the others still run. soffice runs with a private
profile (unique per process) and is always terminated on exit; a request that exceeds its
timeout kills soffice (the next request in serve mode starts a new one).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from pathlib import Path

try:
    import uno
    from com.sun.star.beans import PropertyValue
    from com.sun.star.connection import NoConnectException
except ImportError as exc:  # pragma: no cover - depends on the machine
    uno = None
    _IMPORT_ERROR = f"python3-uno is not importable by {sys.executable}: {exc}"
else:
    _IMPORT_ERROR = ""

FILTERS = {"xlsx": "Calc Office Open XML", "ods": "calc8", "pdf": "calc_pdf_Export"}
CLEAR_FLAGS = 1 | 2 | 4 | 16  # VALUE | DATETIME | STRING | FORMULA
FORMULA_RESULTS = {1: "value", 2: "text", 4: "error"}
NUMBERFORMAT_LOGICAL = 1024
# com.sun.star.util.NumberFormat kinds a typed entry gives its cell: DATE, TIME,
# CURRENCY, SCIENTIFIC, FRACTION, PERCENT, LOGICAL (a plain number keeps the cell's format)
RECOGNISED_FORMATS = 2 | 4 | 8 | 32 | 64 | 128 | 1024


class DriverError(Exception):
    pass


def _props(**kwargs):
    out = []
    for key, value in kwargs.items():
        p = PropertyValue()
        p.Name, p.Value = key, value
        out.append(p)
    return tuple(out)


def _describe(exc: BaseException) -> str:
    message = getattr(exc, "Message", None) or str(exc) or ""
    return f"{type(exc).__name__}: {message}".strip().rstrip(":")


def _descendants(pid: int) -> list[int]:
    """All descendant pids of ``pid`` (from /proc), deepest last."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


class Office:
    """One soffice process (ours, or one we connect to) and its UNO desktop."""

    def __init__(self, connect: str | None = None, startup_timeout: float = 90.0):
        self.connect_name = connect
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen | None = None
        self.profile: str | None = None
        self.log_path: str | None = None
        self.desktop = None
        self.ctx = None
        self.startup_seconds = 0.0

    # -- lifecycle
    def alive(self) -> bool:
        if self.desktop is None:
            return False
        if self.proc is not None and self.proc.poll() is not None:
            return False
        try:
            self.desktop.getComponents()
            return True
        except Exception:
            return False

    def ensure(self) -> None:
        if self.alive():
            return
        self.stop()
        self.start()

    def start(self) -> None:
        started = time.monotonic()
        if self.connect_name:
            pipe = self.connect_name
        else:
            soffice = os.environ.get("IKI_SOFFICE") or shutil.which("soffice")
            if not soffice:
                raise DriverError("soffice not found on PATH (apt-get install -y "
                                  "--no-install-recommends libreoffice-calc-nogui)")
            self.profile = tempfile.mkdtemp(prefix=f"iki-lo-{os.getpid()}-")
            pipe = f"iki_lo_{os.getpid()}_{uuid.uuid4().hex[:8]}"
            self.log_path = os.path.join(self.profile, "soffice.log")
            log = open(self.log_path, "wb")
            self.proc = subprocess.Popen(
                [soffice, "--headless", "--invisible", "--nologo", "--norestore",
                 "--nodefault", "--nolockcheck", "--nofirststartwizard",
                 f"-env:UserInstallation={Path(self.profile, 'user').as_uri()}",
                 f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                close_fds=True)
            log.close()
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local)
        url = f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext"
        deadline = started + self.startup_timeout
        while True:
            try:
                ctx = resolver.resolve(url)
                break
            except NoConnectException:
                pass
            if self.proc is not None and self.proc.poll() is not None:
                code = self.proc.returncode
                if code != 81:  # 81: soffice restarts itself after creating a profile
                    raise DriverError(f"soffice exited with code {code} before accepting "
                                      f"connections; log: {self.log_tail()!r}")
            if time.monotonic() > deadline:
                raise DriverError(f"soffice did not accept a connection within "
                                  f"{self.startup_timeout:.0f} s; log: {self.log_tail()!r}")
            time.sleep(0.1)
        self.ctx = ctx
        self.desktop = ctx.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", ctx)
        self.startup_seconds = time.monotonic() - started

    def log_tail(self, n: int = 600) -> str:
        try:
            return Path(self.log_path).read_text(errors="replace")[-n:] if self.log_path else ""
        except OSError:
            return ""

    def kill(self) -> None:
        """Kill our soffice (oosplash and soffice.bin) by pid, at once."""
        if self.proc is None:
            return
        for pid in reversed([self.proc.pid] + _descendants(self.proc.pid)):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def stop(self) -> None:
        """Terminate soffice politely, then by force; remove the private profile."""
        desktop, self.desktop = self.desktop, None
        if self.proc is None:
            return
        if desktop is not None and self.proc.poll() is None:
            t = threading.Thread(target=lambda: _quietly(desktop.terminate), daemon=True)
            t.start()
            t.join(10)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            pass
        self.kill()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        for pid in _descendants(self.proc.pid):  # stragglers re-parented? best effort
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        self.proc = None
        if self.profile:
            shutil.rmtree(self.profile, ignore_errors=True)
            self.profile = None

    # -- work
    def run(self, request: dict) -> dict:
        started = time.monotonic()
        timeout = float(request.get("timeout") or 120)
        documents = request.get("documents") or []
        response = {"ok": True, "error": None, "documents": [], "seconds": 0.0,
                    "startup_seconds": 0.0}
        timer = None
        timed_out = threading.Event()

        def on_timeout():
            timed_out.set()
            self.kill()

        try:
            if not self.alive():
                self.stop()
                self.start()
                response["startup_seconds"] = round(self.startup_seconds, 3)
            if self.proc is not None:
                timer = threading.Timer(timeout, on_timeout)
                timer.daemon = True
                timer.start()
            for doc in documents:
                result = self.run_document(doc)
                if timed_out.is_set():
                    result["ok"] = False
                    result["error"] = (f"timed out after {timeout:g} s (soffice killed); "
                                       f"last error: {result['error']}")
                response["documents"].append(result)
                if timed_out.is_set():
                    break
        except Exception as exc:
            response["ok"] = False
            response["error"] = _describe(exc)
        finally:
            if timer is not None:
                timer.cancel()
        if timed_out.is_set():
            response["ok"] = False
            response["error"] = response["error"] or f"timed out after {timeout:g} s"
            self.desktop = None
        if any(not d["ok"] for d in response["documents"]):
            response["ok"] = False
        response["seconds"] = round(time.monotonic() - started, 3)
        return response

    def run_document(self, spec: dict) -> dict:
        path = spec.get("path")
        result = {"path": path, "ok": True, "error": None, "cells": {}, "saved": []}
        doc = None
        step = "open"
        try:
            if not path or not os.path.isfile(path):
                raise DriverError(f"no such file: {path!r}")
            doc = self.desktop.loadComponentFromURL(
                Path(path).resolve().as_uri(), "_blank", 0,
                _props(Hidden=True, MacroExecutionMode=0, UpdateDocMode=0))
            if doc is None or not hasattr(doc, "getSheets"):
                raise DriverError("LibreOffice could not open it as a spreadsheet")
            book = Book(doc, spec.get("sheet"), self.ctx)
            step = "write"
            writes = spec.get("writes") or {}
            book.write_all(writes.items() if isinstance(writes, dict) else writes)
            if spec.get("calculate", True):
                step = "calculate"
                doc.calculateAll()
            step = "read"
            for address in spec.get("reads") or []:
                book.read_into(address, result["cells"])
            for save in spec.get("save") or []:
                fmt = save.get("format") or Path(save["path"]).suffix.lstrip(".")
                step = f"save {fmt}"
                if fmt not in FILTERS:
                    raise DriverError(f"unknown format {fmt!r} (use {', '.join(FILTERS)})")
                out = Path(save["path"]).resolve()
                out.parent.mkdir(parents=True, exist_ok=True)
                doc.storeToURL(out.as_uri(), _props(FilterName=FILTERS[fmt], Overwrite=True))
                result["saved"].append(str(out))
        except Exception as exc:
            result["ok"] = False
            result["error"] = f"{step}: {_describe(exc)}"
        finally:
            if doc is not None:
                _quietly(lambda: doc.close(True))
        return result


def _quietly(fn) -> None:
    try:
        fn()
    except Exception:
        pass


class Book:
    def __init__(self, doc, default_sheet: str | None, ctx=None):
        self.doc = doc
        self.ctx = ctx
        self.sheets = doc.getSheets()
        if default_sheet:
            if not self.sheets.hasByName(default_sheet):
                raise DriverError(f"no sheet {default_sheet!r}; sheets: "
                                  f"{list(self.sheets.getElementNames())}")
            self.default = self.sheets.getByName(default_sheet)
        else:
            self.default = self.sheets.getByIndex(0)
        self.cache: dict[str, object] = {}

    def locate(self, address: str):
        """(sheet, prefix, reference) of ``A1``, ``Sheet!A1`` or ``'My sheet'!A1:B9``."""
        if "!" in address:
            prefix, ref = address.rsplit("!", 1)
            name = prefix.strip()
            if name.startswith("'") and name.endswith("'"):
                name = name[1:-1].replace("''", "'")
            if name not in self.cache:
                if not self.sheets.hasByName(name):
                    raise DriverError(f"no sheet {name!r} (in {address!r}); sheets: "
                                      f"{list(self.sheets.getElementNames())}")
                self.cache[name] = self.sheets.getByName(name)
            return self.cache[name], prefix + "!", ref.replace("$", "").strip()
        return self.default, "", address.replace("$", "").strip()

    def cell(self, address: str):
        sheet, _, ref = self.locate(address)
        try:
            return sheet.getCellRangeByName(ref)
        except Exception as exc:
            raise DriverError(f"bad cell address {address!r}: {_describe(exc)}") from exc

    def write_all(self, items) -> None:
        """Write many cells; runs of adjacent plain values in a row go in one
        ``setDataArray`` (getting a cell object costs ~1 ms over the bridge, writing ~0.1)."""
        last: dict = {}
        for address, value in items:
            sheet, _, ref = self.locate(address)
            m = _A1.match(ref.upper())
            plain = isinstance(value, (int, float, str)) and not isinstance(value, bool)
            if m and plain:
                key = (id(sheet), _row_col(m))
                last.pop(key, None)
                last[key] = (sheet, value)
            else:
                key = ("single", address)
                last.pop(key, None)
                last[key] = (address, value)
        plain = sorted(((k[1], v) for k, v in last.items() if k[0] != "single"),
                       key=lambda item: (id(item[1][0]), item[0]))
        run: list = []
        for (row, col), (sheet, value) in plain:
            if run and (run[-1][0] is not sheet or run[-1][1] != row
                        or run[-1][2] + len(run[-1][3]) != col):
                self._write_run(*run.pop())
            if not run:
                run.append((sheet, row, col, []))
            run[-1][3].append(float(value) if not isinstance(value, str) else value)
        if run:
            self._write_run(*run.pop())
        for key, (address, value) in last.items():
            if key[0] == "single":
                self.write(address, value)

    @staticmethod
    def _write_run(sheet, row: int, col: int, values: list) -> None:
        sheet.getCellRangeByPosition(col, row, col + len(values) - 1, row).setDataArray(
            (tuple(values),))

    def write(self, address: str, value) -> None:
        cell = self.cell(address)
        if value is None:
            cell.clearContents(CLEAR_FLAGS)
        elif isinstance(value, bool):
            cell.setValue(1.0 if value else 0.0)
            formats = self.doc.getNumberFormats()
            cell.NumberFormat = formats.getStandardFormat(
                NUMBERFORMAT_LOGICAL, uno.createUnoStruct("com.sun.star.lang.Locale"))
        elif isinstance(value, (int, float)):
            cell.setValue(float(value))
        elif isinstance(value, str):
            cell.setString(value)
        elif isinstance(value, dict) and "formula" in value:
            cell.setFormula(str(value["formula"]))
        elif isinstance(value, dict) and "typed" in value:
            self.type_into(cell, str(value["typed"]), value.get("locale") or "en-US")
        else:
            raise DriverError(f"cannot write {value!r} to {address!r}")

    def type_into(self, cell, text: str, locale: str) -> None:
        """Put ``text`` into the cell as typing it would in ``locale``: what that
        locale's number recognition reads as a number (``85,5`` in id-ID, ``85%``,
        ``Rp 1.500``, a date) becomes the number, with the format recognised (percent,
        date, currency …); anything else stays text. (LibreOffice's own EnterString
        dispatch does the same through the view, but closing a document after it
        crashes a headless soffice now and then.)"""
        language, _, country = locale.partition("-")
        loc = uno.createUnoStruct("com.sun.star.lang.Locale")
        loc.Language, loc.Country = language, country
        formats = self.doc.getNumberFormats()
        general = formats.getStandardFormat(0, loc)
        formatter = self.ctx.ServiceManager.createInstanceWithContext(
            "com.sun.star.util.NumberFormatter", self.ctx)
        formatter.attachNumberFormatsSupplier(self.doc)
        try:
            key = formatter.detectNumberFormat(general, text)
            value = formatter.convertStringToNumber(key, text)
        except Exception:  # not a number in this locale: text, as typed
            cell.setString(text)
            return
        cell.setValue(value)
        if formats.getByKey(key).Type & RECOGNISED_FORMATS:
            cell.NumberFormat = key

    def read_into(self, address: str, cells: dict) -> None:
        """Read one cell (full detail) or, for ``A1:B9``, every cell of the range in bulk."""
        if ":" in address:
            self.read_range(address, cells)
        else:
            cells[address] = self.read(address)

    def read_range(self, address: str, cells: dict) -> None:
        """Bulk read: a few UNO calls for the whole range instead of several per cell.
        ``string`` (the displayed text) is only filled for text and errors, not numbers."""
        sheet, prefix, ref = self.locate(address)
        try:
            rng = sheet.getCellRangeByName(ref)
        except Exception as exc:
            raise DriverError(f"bad range address {address!r}: {_describe(exc)}") from exc
        where = rng.getRangeAddress()
        row0, col0 = where.StartRow, where.StartColumn
        data, formulas = rng.getDataArray(), rng.getFormulaArray()

        def positions(flags: int) -> set:
            out = set()
            for r in rng.queryFormulaCells(flags).getRangeAddresses():
                for row in range(r.StartRow, r.EndRow + 1):
                    for col in range(r.StartColumn, r.EndColumn + 1):
                        out.add((row - row0, col - col0))
            return out

        is_formula, is_error = positions(1 | 2 | 4), positions(4)
        for i, row in enumerate(data):
            for j, value in enumerate(row):
                name = prefix + _a1(row0 + i, col0 + j)
                if (i, j) in is_error:
                    cells[name] = self.read(name)
                    continue
                info = {"type": "value", "value": None, "string": None, "formula": None,
                        "result": None, "error": 0}
                if (i, j) in is_formula:
                    info["type"], info["formula"] = "formula", formulas[i][j]
                    info["result"] = "text" if isinstance(value, str) else "value"
                elif formulas[i][j] == "":
                    info["type"], info["string"] = "empty", ""
                elif isinstance(value, str):
                    info["type"] = "text"
                if isinstance(value, str):
                    info["string"] = value
                elif info["type"] != "empty":
                    info["value"] = _finite(float(value))
                cells[name] = info

    def read(self, address: str) -> dict:
        cell = self.cell(address)
        kind = cell.Type.value.lower()  # EMPTY | VALUE | TEXT | FORMULA
        out = {"type": kind, "value": None, "string": cell.getString(), "formula": None,
               "result": None, "error": 0}
        if kind == "value":
            out["value"] = _finite(cell.getValue())
        elif kind == "formula":
            out["formula"] = cell.getFormula()
            out["error"] = cell.getError()
            result = FORMULA_RESULTS.get(cell.FormulaResultType2, "value")
            out["result"] = "error" if out["error"] else result
            if out["result"] == "value":
                out["value"] = _finite(cell.getValue())
        return out


_A1 = re.compile(r"^([A-Z]{1,3})([0-9]+)$")


def _row_col(m) -> tuple[int, int]:
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def _a1(row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def _finite(x: float):
    return x if math.isfinite(x) else None


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=("run", "serve"))
    parser.add_argument("request", nargs="?", help="request JSON file (run; default stdin)")
    parser.add_argument("--connect", help="pipe name of a running soffice to use")
    parser.add_argument("--startup-timeout", type=float, default=90.0)
    args = parser.parse_args(argv)

    # Our protocol owns stdout; anything else printed (by UNO, by mistake) goes to stderr.
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)

    def reply(obj: dict) -> None:
        out.write(json.dumps(obj, ensure_ascii=False) + "\n")
        out.flush()

    if _IMPORT_ERROR:
        reply({"ok": False, "error": _IMPORT_ERROR, "documents": []})
        return 2

    office = Office(args.connect, args.startup_timeout)

    def on_signal(signum, frame):
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    try:
        if args.mode == "run":
            try:
                text = Path(args.request).read_text() if args.request else sys.stdin.read()
                request = json.loads(text)
            except (OSError, ValueError) as exc:
                reply({"ok": False, "error": f"bad request: {exc}", "documents": []})
                return 2
            response = office.run(request)
            reply(response)
            return 0 if response["ok"] else 1
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                request = json.loads(line)
            except ValueError as exc:
                reply({"ok": False, "error": f"bad request: {exc}", "documents": []})
                continue
            if request.get("op") == "quit":
                break
            if request.get("op") == "ping":
                reply({"ok": True, "error": None, "pid": os.getpid()})
                continue
            try:
                reply(office.run(request))
            except BrokenPipeError:
                break
        return 0
    except Exception as exc:  # never die without an answer
        answer = {"ok": False, "error": _describe(exc), "traceback": traceback.format_exc(),
                  "documents": []}
        _quietly(lambda: reply(answer))
        return 1
    finally:
        office.stop()


if __name__ == "__main__":
    sys.exit(main())
