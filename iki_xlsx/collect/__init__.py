"""Collect returned forms: find every file, read it, judge it against what was issued,
record it — nothing lost.

The modules follow a returned file through collect:

* :mod:`.sources` — where files come from (paths, folders, nested zip archives),
  and :mod:`.mail` — from e-mail (``.eml``, mbox, an IMAP folder);
* :mod:`.container` — what a file is by content, zip bounds, XML prologs, every limit;
* :mod:`.xlsx`, :mod:`.ods` — the sheet scans a value reader cannot do;
* :mod:`.reading` — one file read into a :class:`RawReading` (values, manifest, looks);
* :mod:`.judge` — a reading judged against the ledger's copy of the issued form, and
  :mod:`.realisasi` — its input cells read as Indonesians type values;
* :mod:`.pool` — many files read by worker processes;
* :mod:`.record` — verdicts written to the ledger in small transactions;
* :mod:`.run` — one collect run (:mod:`.latest`: the values a run's files changed,
  from the earlier file that last filled each cell); :mod:`.report` — its report
  (terminal, xlsx, JSON);
  :mod:`.check` — one file, nothing recorded;
* :mod:`.rejudge` — every stored file judged again by this version.
"""

from __future__ import annotations

from .check import check_file, verify_file
from .container import MAX_FILE_BYTES
from .judge import Issued, Judge
from .mail.imap import ImapSpec
from .mail.inbox import MailError
from .mail.shown import mail_lines
from .pool import Readers
from .reading import RawReading, read_bytes, read_path
from .rejudge import RejudgeReport, rejudge
from .report import (
    check_lines,
    collect_table,
    known_count,
    review_counts,
    status_text,
    summary_counts,
    to_json,
    write_report_xlsx,
    year_lines,
)
from .result import FileResult
from .run import CollectReport, collect, ledger_report
from .sources import UPLOAD_LIMITS, Limits, Source, display_name, iter_sources, text_of_path

__all__ = ["CollectReport", "FileResult", "ImapSpec", "Issued", "Judge", "Limits",
           "MAX_FILE_BYTES", "UPLOAD_LIMITS",
           "MailError", "RawReading", "Readers", "RejudgeReport", "Source", "check_file", "check_lines",
           "collect", "collect_table", "display_name", "iter_sources", "known_count",
           "ledger_report", "mail_lines", "read_bytes", "read_path", "rejudge", "review_counts",
           "status_text", "summary_counts", "text_of_path", "to_json", "verify_file",
           "write_report_xlsx", "year_lines"]
