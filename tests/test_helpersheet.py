"""The hidden helper sheet is written from row templates as shared formulas (issue 25):
what every client reads in each helper cell is still the layout's own formula, and the
recalculation tests (test_liveform, test_gnumeric, test_capaian_libreoffice) hold what
they compute to the recap."""

from __future__ import annotations

import re
import zipfile

import openpyxl

from iki_xlsx.forms.helpersheet import rows_xml
from iki_xlsx.forms.layout import SHEET_HELPER, cell_ref
from iki_xlsx.forms.liveform import ROW, HelperCell


def test_every_helper_cell_reads_back_as_the_layouts_formula(generated):
    result, _ = generated
    for planned in result.forms:
        ws = openpyxl.load_workbook(planned.path)[SHEET_HELPER]  # expands shared formulas
        cells = planned.layout.helper_cells
        got = {cell_ref(c.row, c.col): ws.cell(c.row + 1, c.col + 1).value for c in cells}
        want = {cell_ref(c.row, c.col): c.formula for c in cells}
        assert got == want


def test_a_run_of_rows_is_one_shared_formula(generated):
    result, _ = generated
    planned = max(result.forms, key=lambda p: len(p.layout.helper_cells))
    with zipfile.ZipFile(planned.path) as z:
        names = z.read("xl/workbook.xml").decode()
        sheets = re.findall(r'<sheet name="([^"]+)"', names)
        xml = z.read(f"xl/worksheets/sheet{sheets.index(SHEET_HELPER) + 1}.xml").decode()
    masters = re.findall(r'<f t="shared" ref="([A-Z]+)(\d+):([A-Z]+)(\d+)" si="(\d+)">', xml)
    assert masters, "no shared formula"
    for col, first, col2, last, si in masters:
        assert col == col2 and int(last) > int(first)
        users = re.findall(rf'<c r="{col}(\d+)"><f t="shared" si="{si}"/>', xml)
        assert sorted(map(int, users)) == list(range(int(first) + 1, int(last) + 1))


def test_rows_xml_escapes_and_breaks_runs_where_the_template_changes():
    a = '=IF(A<1,"<&>",B)'.replace("A", f"A{ROW}").replace("B", f"B{ROW}")
    cells = [HelperCell(4, 0, a), HelperCell(5, 0, a), HelperCell(6, 0, "=1+1", 0),
             HelperCell(8, 0, a)]
    xml = rows_xml(cells)
    assert ('<c r="A5"><f t="shared" ref="A5:A6" si="0">IF(A5&lt;1,"&lt;&amp;&gt;",B5)</f>'
            '<v></v></c>') in xml
    assert '<c r="A6"><f t="shared" si="0"/><v></v></c>' in xml
    assert '<c r="A7"><f>1+1</f><v>0</v></c>' in xml
    assert '<c r="A9"><f>IF(A9&lt;1,"&lt;&amp;&gt;",B9)</f><v></v></c>' in xml
    assert xml.index('<row r="5">') < xml.index('<row r="6">') < xml.index('<row r="9">')
