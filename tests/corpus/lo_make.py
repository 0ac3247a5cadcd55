"""Corpus files only a real office suite writes: run under the system python that has
``uno`` (``/usr/bin/python3``), by :func:`corpus.build.libreoffice_files`.

    /usr/bin/python3 tests/corpus/lo_make.py '<json>'

``<json>``: a list of {"src": path, "out": path, "format": "xls" | "xlsx" | "ods",
"password": optional}. Each source is opened hidden and stored with LibreOffice's own
filter (``MS Excel 97`` for a genuine .xls, ``Calc Office Open XML`` with a password for a
genuinely encrypted workbook). Prints {"ok": true} or {"ok": false, "error": ...}.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import uno
from com.sun.star.beans import NamedValue
from lo_driver import Office, _props

FILTERS = {"xls": "MS Excel 97", "xlsx": "Calc MS Excel 2007 XML", "ods": "calc8"}


def _named(name: str, value) -> NamedValue:
    nv = NamedValue()
    nv.Name, nv.Value = name, value
    return nv


def main(jobs: list[dict]) -> None:
    office = Office()
    office.start()
    try:
        for job in jobs:
            doc = office.desktop.loadComponentFromURL(
                Path(job["src"]).resolve().as_uri(), "_blank", 0, _props(Hidden=True))
            try:
                props = {"FilterName": FILTERS[job["format"]], "Overwrite": True}
                if job.get("password"):  # OOXML export reads the password from here
                    props["EncryptionData"] = uno.Any(
                        "[]com.sun.star.beans.NamedValue",
                        (_named("OOXPassword", job["password"]),
                         _named("CryptoType", "Standard")))  # ECMA-376 standard encryption
                doc.storeToURL(Path(job["out"]).resolve().as_uri(), _props(**props))
            finally:
                doc.close(True)
    finally:
        office.stop()


if __name__ == "__main__":
    try:
        main(json.loads(sys.argv[1]))
    except Exception as exc:  # the caller shows it
        print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}))
        sys.exit(1)
    print(json.dumps({"ok": True}))
