"""Where each form's file goes: ``<out>/<Perangkat Daerah>/<NIP>_<Nama>.xlsx``, names
valid on Windows and short, and a zip per perangkat daerah folder."""

from __future__ import annotations

import os
import re
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

from ..core.atomic import atomic_path
from ..core.model import Form

_WIN_BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_WIN_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
                 *(f"{d}{i}" for d in ("COM", "LPT") for i in (*range(10), "¹", "²", "³"))}
# Generated paths stay well under Windows' 260 characters even below a long Documents
# folder: a perangkat daerah folder of at most 60 characters and a file name of at most
# 80 (+ " (2)" + ".xlsx"), so every path under the output folder is ≤ 150 characters.
FOLDER_LIMIT = 60
NAME_LIMIT = 78


def safe_name(text: str, limit: int = 80) -> str:
    """A file or folder name valid on Windows: no ``<>:"/\\|?*``, no control characters,
    no trailing dot or space, not a reserved device name (``CON``, ``COM1``, ``nul.txt``),
    at most ``limit`` characters, cut at a space where one is near."""
    s = unicodedata.normalize("NFC", str(text))
    s = _WIN_BAD.sub(" ", s)
    s = re.sub(r"\s+", " ", s).strip()
    if len(s) > limit:
        cut = s[:limit]
        space = cut.rfind(" ")
        s = cut[:space] if space >= limit * 2 // 3 else cut
    s = s.rstrip(" .")
    if not s:
        s = "_"
    if s.split(".")[0].rstrip(" ").upper() in _WIN_RESERVED:
        s = "_" + s
    return s


def first_free(name: str, numbered: Callable[[int], str], used: set[str]) -> str:
    """``name``, or else ``numbered(2)``, ``numbered(3)`` … the first not in ``used``
    whatever the case (as Windows compares file names, Excel sheet names); taken into
    ``used``."""
    n = 2
    while name.casefold() in used:
        name = numbered(n)
        n += 1
    used.add(name.casefold())
    return name


def plan_paths(forms: list[Form], out_dir: Path, no_unit: str = "_") -> list[Path]:
    """``<out>/<Perangkat Daerah>/<NIP>_<Nama>.xlsx``; a pegawai's second IKI (Plt./Plh.)
    adds its jabatan; names that would clash on Windows (case-insensitive) get ``(2)``."""
    seen_nip: set[str] = set()
    used: set[str] = set()
    folders: dict[str, str] = {}  # perangkat daerah → its folder and a separator after
    paths = []
    for form in forms:
        p = form.pegawai
        stem = f"{p.nip}_{p.nama}"
        if p.nip in seen_nip:
            stem += f"_{p.jabatan or form.iki.jabatan}"
        seen_nip.add(p.nip)
        unit = p.perangkat_daerah or form.iki.perangkat_daerah or form.settings.instansi \
            or no_unit
        folder = folders.get(unit)
        if folder is None:  # a name made safe holds no separator: joined as text
            folder = folders[unit] = str(out_dir / safe_name(unit, FOLDER_LIMIT)) + os.sep
        name = safe_name(stem, NAME_LIMIT)
        paths.append(Path(first_free(f"{folder}{name}.xlsx",
                                     lambda n: f"{folder}{name} ({n}).xlsx", used)))
    return paths


def write_zips(paths: list[Path], out_dir: Path) -> list[Path]:
    """One zip per perangkat daerah folder (xlsx is already compressed: stored)."""
    groups: dict[Path, list[Path]] = {}
    for path in paths:
        groups.setdefault(path.parent, []).append(path)
    out = []
    for folder, files in groups.items():
        path = out_dir / f"{folder.name}.zip"
        with atomic_path(path) as tmp:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as zf:
                for f in files:
                    zf.write(f, f"{folder.name}/{f.name}")
        out.append(path)
    return out
