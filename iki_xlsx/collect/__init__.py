"""Collect returned forms: find every file, read it, judge it against what was issued,
record it — nothing lost.

The modules follow a returned file through collect:

* :mod:`.sources` — where files come from (paths, folders, nested zip archives);
* :mod:`.container` — what a file is by content, zip bounds, XML prologs, every limit;
* :mod:`.xlsx`, :mod:`.ods` — the sheet scans a value reader cannot do;
* :mod:`.reading` — one file read into a :class:`RawReading` (values, manifest, looks);
* :mod:`.judge` — a reading judged against the ledger's copy of the issued form, and
  :mod:`.realisasi` — its input cells read as Indonesians type values;
* :mod:`.pool` — many files read by worker processes;
* :mod:`.record` — verdicts written to the ledger in small transactions;
* :mod:`.run` — one collect run and its report; :mod:`.check` — one file, nothing recorded;
* :mod:`.rejudge` — every stored file judged again by this version.
"""

from ..problems import Status
from .check import check_file, verify_file
from .judge import Issued, Judge
from .reading import RawReading, read_bytes, read_path
from .rejudge import RejudgeReport, rejudge
from .result import FileResult
from .run import CollectReport, collect
from .sources import Source, display_name, iter_sources, text_of_path

__all__ = ["CollectReport", "FileResult", "Issued", "Judge", "RawReading", "RejudgeReport",
           "Source", "Status", "check_file", "collect", "display_name", "iter_sources",
           "read_bytes", "read_path", "rejudge", "text_of_path", "verify_file"]
