"""A pegawai's forms looked up by NIP (``Workspace.issued.of_nip``, by the NIP's index) are
exactly the forms the whole list gives for that NIP: the current revision of each, not
the withdrawn ones (until issued again), per year and across years, in issue order."""

from __future__ import annotations

import random

import pytest

from iki_xlsx.workspace import Workspace
from iki_xlsx.workspace.rows import NewRevision

NIPS = ("198001012005011001", "198502022010012002", "199003032015031003")


def _revision(form_id: str, revision: int, nip: str, tahun: int, kode: str) -> NewRevision:
    return NewRevision(form_id, revision, nip, kode, tahun, f"Pegawai {nip[-3:]}", "Analis",
                       "Dinas Contoh", "Bidang Umum", "197001011995011001", "Atasan",
                       f"hash-{form_id}-{revision}", {}, {}, {}, {}, None,
                       f"{form_id}-r{revision}.xlsx")


def _expected(ws: Workspace, nip: str, tahun: int | None) -> list:
    return [f for f in ws.issued.forms(tahun) if f.nip == nip]


@pytest.mark.parametrize("seed", range(6))
def test_of_nip_is_the_list_of_forms_of_that_nip(tmp_path, seed):
    rnd = random.Random(seed)
    ws = Workspace(tmp_path / "ws")
    try:
        forms: dict[str, tuple[str, int, str, int]] = {}  # id → nip, year, kode, revision
        for step in range(40):
            action = rnd.random()
            if action < 0.45 or not forms:  # a new form
                form_id = f"F{step:03d}"
                nip, tahun = rnd.choice(NIPS), rnd.choice((2025, 2026))
                forms[form_id] = (nip, tahun, f"IKI-{rnd.randint(1, 3)}", 1)
                ws.issued.record([_revision(form_id, 1, nip, tahun, forms[form_id][2])])
            elif action < 0.75:  # a revision, or back to an earlier one
                form_id = rnd.choice(sorted(forms))
                nip, tahun, kode, rev = forms[form_id]
                rev = rev + 1 if rnd.random() < 0.7 or rev == 1 else rev - 1
                forms[form_id] = (nip, tahun, kode, rev)
                ws.issued.record([_revision(form_id, rev, nip, tahun, kode)])
            else:  # withdrawn (a later revision issues it again)
                ws.issued.record_year({}, [rnd.choice(sorted(forms))])
            for nip in NIPS:
                for tahun in (None, 2025, 2026):
                    assert ws.issued.of_nip(nip, tahun) == _expected(ws, nip, tahun)
        assert any(ws.issued.of_nip(nip) for nip in NIPS)
        assert ws.issued.of_nip("199912312020121999") == []
    finally:
        ws.close()
