"""Where returned files come from: paths given on the command line, folders (walked
recursively, sorted) and zip archives (members read in memory one at a time, nested
archives followed to a bounded depth, nothing extracted to disk). Each candidate is a
:class:`Source`: what the officer sees, its identity in the ledger (the real path and
the member inside an archive), and its bytes or its path.
"""

from __future__ import annotations

import io
import os
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..core.problems import Problem
from .container import (
    MAX_FILE_BYTES,
    OLE_MAGIC,
    WORKBOOK_PARTS,
    is_folder_entry,
    too_large,
)

FORM_SUFFIXES = (".xlsx", ".ods", ".zip", ".xls", ".xlsm", ".xlsb")  # what a chat export
# may hold that is (or holds) a form; anything else in it is not a submission

MAX_ARCHIVE_DEPTH = 3  # zip in zip in zip; deeper archives are not opened
MAX_ARCHIVE_MEMBERS = 10_000  # members of one archive
MAX_ARCHIVE_BYTES = 2 * 1024 ** 3  # declared inflated size of all members of one archive
IGNORED_NAMES = {"thumbs.db", "desktop.ini", ".ds_store"}


@dataclass(frozen=True)
class Limits:
    """How much one run opens: an archive's members, its nesting, its declared size, and
    (``forms``, None: no bound) how many files one run reads in all. The officer's own
    collect has the wide defaults; an upload to the portal, where anyone may send
    anything, the tight :data:`UPLOAD_LIMITS`."""

    members: int = MAX_ARCHIVE_MEMBERS
    depth: int = MAX_ARCHIVE_DEPTH
    total_bytes: int = MAX_ARCHIVE_BYTES
    forms: int | None = None
    too_many: str = "zip_bom"  # the problem of an archive with more members
    keep_foreign: bool = True  # False: keep the bytes of this workspace's forms only

    def too_many_problem(self, n: int) -> Problem:
        if self.too_many == "zip_bom":
            return Problem("zip_bom", {"reason": f"{n} isi"})
        return Problem(self.too_many, {"n": n, "max": self.forms or self.members})

    def rest_problem(self) -> Problem:
        """The first source past ``forms``: it and the rest are not read."""
        return Problem(self.too_many, {"n": 0, "max": self.forms})


COLLECT_LIMITS = Limits()
# An upload: a pegawai sends a form or two, an admin a few for a unit. At most 20 files
# read per upload (an archive counts by its members), archives not inside archives.
# Bytes that are not a form of this workspace are not kept (their hash, size and verdict
# are): anyone can upload, so photos and junk must not fill the workspace.
UPLOAD_LIMITS = Limits(members=20, depth=1, forms=20, too_many="unggahan_terlalu_banyak",
                       keep_foreign=False)


@dataclass
class Source:
    name: str  # what the officer sees: path, or archive.zip › member (control chars shown)
    source: str  # the path given on disk (identity in the ledger)
    member: str = ""  # path inside the archive (chain joined by " › ")
    path: Path | None = None  # a file on disk
    data: bytes | None = None  # an archive member, in memory only
    problem: Problem | None = None  # the source could not even be read
    origin: str = ""  # where a mail attachment came from (JSON: message id, date, sender)


def text_of_path(value: str) -> str:
    """A path as storable, printable text: bytes that are not UTF-8 (names from other
    systems) become ``\\xNN`` — the same every time, so a rerun finds the same source."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def display_name(value: str) -> str:
    """What a person is shown: control and direction-override characters (which could
    hide an extension or move the terminal cursor) are written as ``\\uXXXX``."""
    value = text_of_path(value)
    if value.isprintable():
        return value
    return "".join(ch if ch == " " or unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp",
                                                                        "Cs", "Co", "Cn")
                   else f"\\u{ord(ch):04x}" for ch in value)


def iter_sources(inputs: Iterable[Path], mail=None) -> Iterator[Source]:
    """Every candidate file under ``inputs``: files, folders (recursively, sorted) and
    zip archives (members read in memory one at a time, nested archives followed to a
    bounded depth; names such as ``../../x.xlsx`` are only names, nothing is extracted
    to disk). ``mail`` (a :class:`~.mailbox.MailInputs`) reads ``.eml`` and mbox files
    into their attachments. The same file given twice (or inside a folder also given)
    comes once."""
    seen: set[tuple[str, str]] = set()
    for src in _iter_sources(inputs, mail):
        key = (src.source, src.member)
        if key in seen:
            continue
        seen.add(key)
        yield src


def _iter_sources(inputs: Iterable[Path], mail=None) -> Iterator[Source]:
    for item in inputs:
        item = Path(item)
        if item.is_dir():
            for path, real in _walk(item):
                if mail is not None and mail.handles(path):
                    yield from mail.sources(path)
                elif not _ignored(path.name):
                    yield _from_file(path, real)
        elif item.is_file():
            if mail is not None and mail.handles(item):
                yield from mail.sources(item)
                continue
            yield _from_file(item)
        else:
            name = text_of_path(str(item))
            yield Source(display_name(name), name, problem=Problem("berkas_tidak_ada"))


def _walk(folder: Path) -> list[tuple[Path, str | None]]:
    """Regular files under ``folder``, sorted, each with its real path when it is known
    without asking the file system again (a file that is not a link, in a folder whose
    real path is known); symlinked folders are not followed (a link loop must not hang
    collect), unreadable folders are skipped."""
    out = []
    for root, dirs, files in os.walk(folder, onerror=lambda e: None):
        dirs.sort()
        try:
            real_root = os.path.realpath(root)
        except (OSError, ValueError):
            real_root = None
        for name in files:
            full = os.path.join(root, name)
            if os.path.isfile(full):
                real = os.path.join(real_root, name) \
                    if real_root and not os.path.islink(full) else None
                out.append((Path(full), real))
    out.sort(key=lambda item: item[0])
    return out


def estimate_sources(inputs: Iterable[Path]) -> int:
    """How many sources :func:`iter_sources` will yield, from the folder listings and the
    archives' central directories only (nested archives count as one): for progress."""
    n = 0
    for item in inputs:
        item = Path(item)
        paths = [p for p, _ in _walk(item) if not _ignored(p.name)] if item.is_dir() \
            else [item]
        for path in paths:
            n += 1
            try:
                if path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
                    with zipfile.ZipFile(path) as zf:
                        n += max(0, sum(1 for i in zf.infolist() if not is_folder_entry(i)) - 1)
            except (OSError, zipfile.BadZipFile, ValueError, EOFError, NotImplementedError):
                pass
    return n


def _ignored(name: str) -> bool:
    """Office lock files (``~$x.xlsx``) and OS litter are not submissions."""
    return name.lower() in IGNORED_NAMES or name.startswith("~$")


def _from_file(path: Path, real: str | None = None) -> Source:
    """A file given or found in a folder (a zip archive of forms is opened only once the
    reader has said it is one: :func:`archive_sources`). Its real path is its identity
    in the ledger."""
    if real is None:
        try:
            real = str(path.resolve())
        except (OSError, RuntimeError):
            real = os.path.abspath(path)
    return Source(display_name(str(path)), text_of_path(real), path=path)


def archive_sources(src: Source, limits: Limits = COLLECT_LIMITS) -> Iterator[Source]:
    """The members of a zip archive given as a file (the reader found it is one)."""
    try:
        zf = zipfile.ZipFile(src.path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        yield Source(src.name, src.source, problem=Problem("zip_rusak"))
        return
    with zf:
        yield from members_of_archive(zf, src.source, [], 1, src.name, limits)


class RunCap:
    """At most ``limits.forms`` sources read in one run: past it, one source names the
    first one left unread ("this one and the rest"), and nothing more is read."""

    def __init__(self, limits: Limits):
        self.left = limits.forms
        self.limits = limits

    def take(self, sources: Iterable[Source]) -> Iterator[Source]:
        for src in sources:
            if self.left is None:
                yield src
                continue
            if self.left <= 0:
                yield Source(src.name, src.source, src.member,
                             problem=self.limits.rest_problem(), origin=src.origin)
                return
            self.left -= 1
            yield src

    def give_back(self) -> None:
        """An archive given as a file is not itself a form: its members count instead."""
        if self.left is not None:
            self.left += 1


def is_archive(zf: zipfile.ZipFile) -> bool:
    """The reader's rule: a zip without any workbook's own parts is an archive."""
    return not (set(zf.namelist()) & WORKBOOK_PARTS)


def _form_like(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """A member of a chat export that may be a form: named as one, or starting as one
    (a zip, an OLE file) whatever its name; chat text, photos and voice notes are not."""
    if PurePosixPath(info.filename).suffix.lower() in FORM_SUFFIXES or info.flag_bits & 0x1:
        return True
    try:
        with zf.open(info) as fh:
            return fh.read(8).startswith((b"PK", OLE_MAGIC))
    except Exception:
        return True  # the reading below names what is wrong with it


def members_of_archive(zf: zipfile.ZipFile, src: str, chain_: list[str], depth: int,
                       shown: str, limits: Limits = COLLECT_LIMITS) -> Iterator[Source]:
    label = " › ".join([shown, *map(display_name, chain_)])
    try:
        infos = [i for i in zf.infolist() if not is_folder_entry(i)]
    except Exception:
        yield Source(label, src, " › ".join(chain_), problem=Problem("zip_rusak"))
        return
    if len(infos) > limits.members:
        yield Source(label, src, " › ".join(chain_),
                     problem=limits.too_many_problem(len(infos)))
        return
    if sum(i.file_size for i in infos) > limits.total_bytes:
        yield Source(label, src, " › ".join(chain_), problem=Problem(
            "zip_bom", {"reason": f"{sum(i.file_size for i in infos) // 2**20} MB"}))
        return
    counts: dict[str, int] = {}
    # a WhatsApp chat export (``_chat.txt`` beside what was sent): its chat text, photos
    # and voice notes are skipped quietly (by content), its forms and archives read
    whatsapp = any(PurePosixPath(i.filename).name == "_chat.txt" for i in infos)
    for info in infos:
        counts[info.filename] = counts.get(info.filename, 0) + 1
        # the same name twice in one archive: both are read, told apart by their order
        raw_name = info.filename if counts[info.filename] == 1 else \
            f"{info.filename} #{counts[info.filename]}"
        member_chain = [*chain_, raw_name]
        member = " › ".join(member_chain)
        name = " › ".join([shown, *map(display_name, member_chain)])
        if _ignored(Path(info.filename).name):
            continue
        if whatsapp and not _form_like(zf, info):
            continue
        if info.flag_bits & 0x1:
            yield Source(name, src, member, problem=Problem("berkas_terenkripsi"))
            continue
        if info.file_size > MAX_FILE_BYTES:
            yield Source(name, src, member, problem=too_large(info.file_size))
            continue
        try:
            with zf.open(info) as fh:
                blob = fh.read(MAX_FILE_BYTES + 1)
        except Exception as exc:
            code = "berkas_terenkripsi" if "encrypt" in str(exc).lower() else "zip_rusak"
            yield Source(name, src, member, problem=Problem(code))
            continue
        if len(blob) > MAX_FILE_BYTES:
            yield Source(name, src, member, problem=Problem("zip_bom",
                                                                {"reason": info.filename}))
            continue
        if blob.startswith(b"PK"):
            try:
                inner = zipfile.ZipFile(io.BytesIO(blob))
                nested = is_archive(inner)
            except Exception:
                nested = False
            if nested:
                if depth >= limits.depth:
                    yield Source(name, src, member, problem=Problem("arsip_terlalu_dalam"))
                else:
                    yield from members_of_archive(inner, src, member_chain, depth + 1, shown,
                                                  limits)
                continue
        yield Source(name, src, member, data=blob)


# --------------------------------------------------------------------------- results

