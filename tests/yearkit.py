"""Files of two forms of the small master (the kepala's and Andi's) filled and saved at
given times: the order property tests of the year (tests/test_year.py) and of a run's
changes (tests/test_latest_changes.py) draw their runs from such files."""

from __future__ import annotations

from pathlib import Path

from filling import fill, realisasi_ref, saved_on

from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.workspace import Workspace

KEPALA = ("197001011995031001", "IKI-KEPALA")
ANDI = ("199005202015031003", "IKI-PENGOLAH")

# who ("k" the kepala, "a" Andi), file name, (indikator index, period) → value, saved at
ORDER_FILES = [
    ("k", "k1.xlsx", {(0, "TW1"): 80, (1, "TW1"): 2}, "2025-04-01T08:00:00Z"),
    ("k", "k2.xlsx", {(0, "TW1"): 81, (1, "TW1"): 0}, "2025-04-02T08:00:00Z"),
    ("k", "k3.xlsx", {(0, "TW1"): 81, (0, "TW2"): 90, (2, "TW2"): 70},
     "2025-07-01T08:00:00Z"),
    ("k", "k4.xlsx", {(0, "TW2"): 91}, "2025-07-02T08:00:00Z"),
    ("a", "a1.xlsx", {(0, "TW1"): 3, (1, "TW1"): 70}, "2025-04-03T08:00:00Z"),
    ("a", "a2.xlsx", {(0, "TW2"): 4}, "2025-07-03T08:00:00Z"),
    ("a", "a3.xlsx", {(0, "TW1"): 2, (1, "TW2"): 75}, "2025-03-30T08:00:00Z"),
    ("a", "a4.xlsx", {}, "2025-07-09T08:00:00Z"),
]


def two_forms_files(master: Path, root: Path, plan: list) -> tuple[Path, list[Path]]:
    """The master's forms issued by a workspace under ``root``, and one saved file per
    entry of ``plan`` (see :data:`ORDER_FILES`); (the workspace's folder, the files)."""
    ws = Workspace(root / "ws")
    forms = {p.form.key: p for p in generate_forms(master, root / "f", ws, jobs=1).forms}
    who = {"k": forms[KEPALA], "a": forms[ANDI]}
    files = []
    for key, name, values, stamp in plan:
        p = who[key]
        refs = {realisasi_ref(p.manifest, i, per): v for (i, per), v in values.items()}
        files.append(saved_on(fill(p.path, root / "berkas" / name, refs), stamp))
    ws.close()
    return root / "ws", files


def drawn_runs(data, files: list) -> list[list]:
    """The ``files`` in an order and a split into runs drawn by Hypothesis's ``data``."""
    from hypothesis import strategies as st

    order = data.draw(st.permutations(files))
    cuts = sorted(set(data.draw(st.lists(st.integers(1, len(files) - 1), max_size=4))))
    return [order[i:j] for i, j in zip([0, *cuts], [*cuts, len(files)])]
