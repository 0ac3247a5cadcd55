"""What the form's layout makes once per process (forms/layout.py, layoutdefs.py) gives
what it would make afresh: the table kept for the forms of one IKI, and the locked
content's canonical text made without its dict."""

from __future__ import annotations

import math
from dataclasses import fields, replace

import pytest

from iki_xlsx.core.canonical import canonical_text
from iki_xlsx.core.texts import get_texts
from iki_xlsx.forms import layout as L


def _as_built(lay: L.FormLayout) -> dict:
    """Everything of a layout, the heights in their order."""
    out = {f.name: getattr(lay, f.name) for f in fields(lay)}
    out["heights"] = list(lay.heights.items())
    return out


def _fresh(form, texts) -> L.FormLayout:
    L._kept_tables.clear()
    return L.build_layout(form, texts)


def _others(form) -> list:
    """Forms that share ``form``'s IKI: another pegawai and atasan with longer texts (the
    table starts where it did), other settings (the same row), another IKI object."""
    peg, ats, s = form.pegawai, form.atasan, form.settings
    other_scale = "sakip"
    return [
        replace(form, pegawai=replace(peg, nama=peg.nama + " Wijayakusuma " * 6,
                                      jabatan="Analis " * 20),
                atasan=replace(ats, nama="Atasan Lain")),
        replace(form, settings=replace(s, batas_capaian=s.batas_capaian + 20,
                                       skala_predikat=other_scale)),
        replace(form, settings=replace(s, target_tengah_tahun="tahunan")),
        replace(form, iki=replace(form.iki, indicators=form.iki.indicators[::-1])),
    ]


def test_a_kept_table_is_the_one_built_afresh(small_master):
    texts = get_texts()
    for form in small_master.forms():
        for other in [form, *_others(form)]:
            L._kept_tables.clear()
            L.build_layout(form, texts)  # keeps the table of form's IKI and settings
            kept = L.build_layout(other, texts)
            assert _as_built(kept) == _as_built(_fresh(other, texts))


def test_layouts_of_a_kept_table_have_their_own_lists(small_master):
    texts = get_texts()
    form = small_master.forms()[0]
    L._kept_tables.clear()
    first = L.build_layout(form, texts)
    second = L.build_layout(form, texts)
    for name in ("cells", "inputs", "indicators", "validations", "helper_cells", "warnings"):
        assert getattr(first, name) is not getattr(second, name), name
    first.cells.append(L.Cell(99, 0, "x", "td"))
    first.inputs.clear()
    assert _as_built(L.build_layout(form, texts)) == _as_built(second) \
        == _as_built(_fresh(form, texts))


@pytest.mark.parametrize("value", [
    "plain", 'a "quoted" \\ text', "line\nbreak\ttab", "ctrl \x01\x1f\x7f", "é ü 漢 \u200b 🙂",
    "\ud800", 90, 85.5, -0.0, 1e20, 1e-7, True, math.nan, math.inf, -math.inf])
def test_locked_text_is_the_canonical_text_of_the_locked_values(small_master, value):
    texts = get_texts()
    for form in small_master.forms():
        lay = L.build_layout(form, texts)
        lay.cells.append(L.Cell(lay.last_row + 2, 3, value, "td"))
        lay.cells.append(L.Cell(lay.last_row + 2, 3, "last one wins", "td"))
        lay.cells.append(L.Cell(lay.last_row + 3, 27, value, "td"))
        assert lay.locked_text() == canonical_text(lay.locked_values())


def test_a_forms_json_text_is_the_canonical_text_of_its_dict(small_master):
    """forms/manifest.py, form_json_text: the IKI's and the settings' texts kept per
    object; another object (other settings, another IKI) has its own."""
    from iki_xlsx.forms.manifest import form_json_text, form_to_dict

    for form in small_master.forms():
        for other in [form, *_others(form), form,
                      replace(form, settings=replace(form.settings, tempat='Kota "Baru"')),
                      replace(form, iki=replace(form.iki, jabatan="Jabatan é\n漢"))]:
            assert form_json_text(other) == canonical_text(form_to_dict(other))
        for i in range(20):  # objects made and dropped: their ids come back, their texts not
            made = replace(form, settings=replace(form.settings, tempat=f"Kota {i}"),
                           iki=replace(form.iki, jabatan=f"Jabatan {i}"))
            assert form_json_text(made) == canonical_text(form_to_dict(made))
