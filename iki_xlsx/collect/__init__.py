"""Collect returned forms: find every file, read it, judge it against what was issued,
record it — nothing lost.

The modules follow a returned file through collect:

* :mod:`.sources` — where files come from (paths, folders, nested zip archives),
  and :mod:`.mailbox` — from e-mail (``.eml``, mbox, an IMAP folder);
* :mod:`.container` — what a file is by content, zip bounds, XML prologs, every limit;
* :mod:`.xlsx`, :mod:`.ods` — the sheet scans a value reader cannot do;
* :mod:`.reading` — one file read into a :class:`RawReading` (values, manifest, looks);
* :mod:`.judge` — a reading judged against the ledger's copy of the issued form, and
  :mod:`.realisasi` — its input cells read as Indonesians type values;
* :mod:`.pool` — many files read by worker processes;
* :mod:`.record` — verdicts written to the ledger in small transactions;
* :mod:`.run` — one collect run and its report; :mod:`.check` — one file, nothing recorded;
* :mod:`.rejudge` — every stored file judged again by this version.

The names below are loaded on first use (PEP 562): importing one step of the package —
:mod:`.container` from :mod:`iki_xlsx.mail`, say — does not load every other step.
"""

from importlib import import_module

_EXPORTS = {
    "Status": "..core.problems", "check_file": ".check", "verify_file": ".check",
    "Issued": ".judge", "Judge": ".judge", "RawReading": ".reading",
    "read_bytes": ".reading", "read_path": ".reading", "RejudgeReport": ".rejudge",
    "rejudge": ".rejudge", "FileResult": ".result", "CollectReport": ".run",
    "collect": ".run", "Source": ".sources", "display_name": ".sources",
    "iter_sources": ".sources", "text_of_path": ".sources",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value
