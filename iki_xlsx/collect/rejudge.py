"""Judge every stored file again (``collect --rejudge``): a newer iki-xlsx may read a file
differently (a bug fixed, a value it can now read). Each file whose verdict or values
change gets the new verdict; the old one is kept in the ledger (``rejudged``), so
nothing is lost, and the report says what changed. The trusted clock applies too: a
saved time later than the file reached us, or before its form was issued, is noted."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.clock import normal_time
from ..workspace import Workspace
from .judge import Judge
from .pool import read_source
from .record import trust_clock
from .result import FileResult
from .sources import Source, display_name


@dataclass
class Rejudged:
    name: str
    old_status: str
    new: FileResult
    old_codes: list[str]
    values_changed: bool


@dataclass
class RejudgeReport:
    changed: list[Rejudged] = field(default_factory=list)
    unchanged: int = 0
    not_stored: list[str] = field(default_factory=list)  # files collected before bytes
    # were kept (or whose stored copy no longer matches its sha256)


def _codes(problems) -> list[str]:
    return sorted(f"{p['code'] if isinstance(p, dict) else p.code}@"
                  f"{p.get('cell', '') if isinstance(p, dict) else p.cell}"
                  for p in problems or [])


def rejudge(ws: Workspace) -> RejudgeReport:
    """Judge every file kept in the workspace again with this version's rules."""
    names = ws.files.first_names()
    judges: dict[int | None, Judge] = {}
    report = RejudgeReport()
    key, key_id = (ws.key, ws.key_id) if ws.has_key() else (None, None)
    for row in ws.files.all():
        name = names.get(row.sha256, row.sha256[:12])
        stored = ws.store.kept(row.sha256, row.kind)
        if stored is None:
            report.not_stored.append(name)
            continue
        src = Source(display_name(name), name, path=stored)
        raw = read_source((src, key, key_id))
        if raw.sha256 != row.sha256:
            report.not_stored.append(name)
            continue
        judge = judges.setdefault(row.tahun, Judge(ws, row.tahun))
        res = judge.judge(raw, src)
        res.saved_at = res.saved_at or row.saved_at or ""
        res.saved_from = res.saved_from or row.saved_from or ""
        trust_clock(res, row.arrived_at or normal_time(row.first_seen), judge)
        values_changed = (res.realisasi or None) != (row.realisasi or None)
        if str(res.status) == row.status and not values_changed and \
                _codes([p.to_dict() for p in res.problems]) == _codes(row.problems):
            report.unchanged += 1
            continue
        ws.files.replace_verdict(res.entry(), res.verifications)
        report.changed.append(Rejudged(name, row.status, res, _codes(row.problems),
                                       values_changed))
    return report
