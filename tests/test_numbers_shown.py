"""One number style: a workbook cell shows a number as the text of iki-xlsx says it —
90, 85,5, 1.234,56, 1.500.000 (``format_number``) — in LibreOffice and in Gnumeric,
whose number format codes are Excel's. The separators come from the reader's locale:
rendered in an Indonesian locale they are a decimal comma and a thousands dot.

``#,##0.##``, which the form used, shows a whole number with a dangling separator
("90.") in Gnumeric (and Excel); these tests show it does, so they can fail."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import xlsxwriter
from libreoffice import cells, needs_libreoffice

from iki_xlsx.core.model import format_number
from iki_xlsx.core.show import number_format

VALUES = [90, 85.5, 1234.56, 1_500_000, 86.41666, 0.5, 0]
NEEDS_GNUMERIC = pytest.mark.skipif(
    shutil.which("ssconvert") is None,
    reason="Gnumeric's ssconvert not installed: apt-get install -y --no-install-recommends "
           "gnumeric")


def english(text: str) -> str:
    """``1.234,56`` as an English locale shows it: ``1,234.56``."""
    return text.replace(".", "\x00").replace(",", ".").replace("\x00", ",")


def workbook(path: Path, fmt=number_format) -> Path:
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet()
    for r, value in enumerate(VALUES):
        ws.write_number(r, 0, value, wb.add_format({"num_format": fmt(value)}))
    wb.close()
    return path


def _first_column(csv_path: Path) -> list[str]:
    with open(csv_path, encoding="utf-8", newline="") as fh:
        return [row[0] for row in csv.reader(fh, delimiter=";")]


def libreoffice_shows(xlsx: Path, tmp: Path, locale: str) -> list[str]:
    """The first column as LibreOffice shows it in ``locale`` (CSV "as shown")."""
    env = {**os.environ, "LC_ALL": locale}
    done = subprocess.run(
        [os.environ.get("IKI_SOFFICE") or "soffice", "--headless",
         f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--convert-to",
         "csv:Text - txt - csv (StarCalc):59,34,76,1,,0,false,true,true",
         "--outdir", str(tmp / "lo"), str(xlsx)], capture_output=True, env=env, timeout=180)
    out = tmp / "lo" / (xlsx.stem + ".csv")
    assert out.is_file(), done.stderr.decode(errors="replace")
    return _first_column(out)


def indonesian_locale(tmp: Path) -> dict[str, str]:
    """Environment for Gnumeric in id_ID (compiled into ``tmp`` with localedef: the C
    library needs it, LibreOffice does not); {} when it cannot be built."""
    if shutil.which("localedef") is None:
        return {}
    target = tmp / "locale" / "id_ID.UTF-8"
    target.parent.mkdir()
    subprocess.run(["localedef", "-i", "id_ID", "-f", "UTF-8", str(target)],
                   capture_output=True, timeout=120)  # exit 1: warnings only
    return {"LOCPATH": str(target.parent), "LC_ALL": "id_ID.UTF-8"} if target.exists() else {}


def gnumeric_shows(xlsx: Path, tmp: Path, env: dict[str, str]) -> list[str]:
    out = tmp / f"{xlsx.stem}-gnumeric.csv"
    done = subprocess.run(["ssconvert", "--export-type=Gnumeric_stf:stf_assistant", "-O",
                           "separator=; format=preserve", str(xlsx), str(out)],
                          capture_output=True, env={**os.environ, **env}, timeout=180)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return _first_column(out)


@needs_libreoffice
def test_libreoffice_shows_numbers_as_the_text_says_them(tmp_path):
    path = workbook(tmp_path / "angka.xlsx")
    expected = [format_number(v) for v in VALUES]
    assert expected[:4] == ["90", "85,5", "1.234,56", "1.500.000"]
    assert libreoffice_shows(path, tmp_path, "id_ID.UTF-8") == expected
    assert libreoffice_shows(path, tmp_path / "en", "en_US.UTF-8") == \
        [english(x) for x in expected]


@NEEDS_GNUMERIC
def test_gnumeric_shows_numbers_as_the_text_says_them_where_the_old_format_did_not(tmp_path):
    env = indonesian_locale(tmp_path)
    local = (lambda x: x) if env else english  # without id_ID: the C locale's separators
    expected = [local(format_number(v)) for v in VALUES]
    assert gnumeric_shows(workbook(tmp_path / "angka.xlsx"), tmp_path, env) == expected
    old = gnumeric_shows(workbook(tmp_path / "lama.xlsx", lambda v: "#,##0.##"), tmp_path,
                         env)
    assert old[0] == ("90," if env else "90.")  # a dangling separator


@needs_libreoffice
def test_the_recap_and_the_form_show_numbers_as_the_text_says_them(small_master, tmp_path):
    """In the real workbooks: the form's number targets, the recap's realisasi, totals
    and capaian — shown by LibreOffice (English locale here) as format_number writes
    them, with the locale's separators."""
    import openpyxl
    from test_recap import ANDI, entry, record

    from iki_xlsx.forms.generate import generate_forms
    from iki_xlsx.recap.build import build_recap
    from iki_xlsx.recap.xlsx import write_recap_xlsx
    from iki_xlsx.workspace import Workspace

    ws = Workspace(tmp_path / "ws")
    result = generate_forms(small_master, tmp_path / "forms", ws, jobs=1)
    forms = {p.form.key: p for p in result.forms}
    record(ws, forms[ANDI], {"01": entry(3, 85.5), "02": entry(72.25, 90)})
    recap = write_recap_xlsx(build_recap(ws, upto="TW2"), tmp_path / "rekap.xlsx")
    book = openpyxl.load_workbook(recap)
    sheet = book["Per Indikator"]
    numbers = [(f"'Per Indikator'!{c.coordinate}", c.value) for row in sheet.iter_rows(min_row=3)
               for c in row if isinstance(c.value, (int, float))]
    form = forms[ANDI].path
    targets = [(f"'IKI'!{c.coordinate}", c.value) for row in openpyxl.load_workbook(form)["IKI"]
               .iter_rows() for c in row
               if isinstance(c.value, (int, float)) and c.number_format != "General"]
    assert {v for _, v in numbers} >= {3, 85.5, 72.25, 90}
    for path, wanted in ((recap, numbers), (form, targets)):
        shown = cells(path, [ref for ref, _ in wanted])
        for ref, value in wanted:
            assert shown[ref].string == english(format_number(value)), (ref, value)
