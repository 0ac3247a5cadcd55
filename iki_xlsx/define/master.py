"""Read a master (workbook or YAML) into rows that remember their cells, then validate
them (:mod:`.validate`) into a :class:`~iki_xlsx.core.model.Master`.

Both sources are flattened into rows keyed by the field names of :mod:`.schema`, so the
workbook and YAML give the same problems with the same codes.
"""

from __future__ import annotations

from pathlib import Path

from ..core.problems import Problem
from . import schema
from .rows import LoadedMaster, Row, norm_title
from .validate import Validator


def load_master(path: str | Path) -> LoadedMaster:
    """Read a master workbook (.xlsx) or YAML file and validate it."""
    path = Path(path)
    name = path.name
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            settings_rows, sheets = _read_yaml(path)
        else:
            settings_rows, sheets = _read_workbook(path)
    except _Unreadable as exc:
        return LoadedMaster(None, [exc.problem], [], name)
    except Exception as exc:  # any library error on a broken file becomes one problem
        problem = Problem("master_tidak_terbaca", {"reason": f"{type(exc).__name__}: {exc}"},
                          file=name)
        return LoadedMaster(None, [problem], [], name)
    loaded = Validator(name).run(settings_rows, sheets)
    loaded.source = name
    return loaded


class _Unreadable(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


def _read_workbook(path: Path) -> tuple[list[Row], dict[str, list[Row]]]:
    import openpyxl
    from openpyxl.utils import get_column_letter

    if not path.is_file():
        raise _Unreadable(Problem("master_tidak_terbaca", {"reason": "berkas tidak ada"},
                                  file=path.name))
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        by_title = {norm_title(ws.title): ws for ws in wb.worksheets}
        settings: list[Row] = []
        sheets: dict[str, list[Row]] = {}
        missing = [s for s in (schema.SHEET_SETTINGS, *schema.SHEETS) if
                   norm_title(s) not in by_title]
        if missing:
            raise _Unreadable(Problem("master_sheet_hilang", {"sheets": missing},
                                      file=path.name))
        ws = by_title[norm_title(schema.SHEET_SETTINGS)]
        for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
            if row and row[0] is not None and r > 1:
                settings.append(Row(schema.SHEET_SETTINGS, r,
                                    {"key": row[0], "value": row[1] if len(row) > 1 else None},
                                    {"key": f"A{r}", "value": f"B{r}"}))
        for sheet_name, columns in schema.SHEETS.items():
            ws = by_title[norm_title(sheet_name)]
            rows = ws.iter_rows(values_only=True)
            header = next(rows, ()) or ()
            index: dict[str, int] = {}
            wanted = {norm_title(c.title): c for c in columns}
            for i, title in enumerate(header):
                col = wanted.get(norm_title(title))
                if col and col.field not in index:
                    index[col.field] = i
            lost = [c.title for c in columns if c.required and c.field not in index]
            if lost:
                raise _Unreadable(Problem("master_kolom_hilang", {"columns": lost},
                                          file=path.name, sheet=sheet_name, row=1))
            titles = {c.field: c.title for c in columns}
            letters = {f: get_column_letter(i + 1) for f, i in index.items()}
            out = []
            for r, values in enumerate(rows, start=2):
                if not values or all(v is None or str(v).strip() == "" for v in values):
                    continue
                data = {f: (values[i] if i < len(values) else None) for f, i in index.items()}
                out.append(Row(sheet_name, r, data, {f: f"{c}{r}" for f, c in letters.items()},
                               titles))
            sheets[sheet_name] = out
        return settings, sheets
    finally:
        wb.close()


def _read_yaml(path: Path) -> tuple[list[Row], dict[str, list[Row]]]:
    import yaml

    from ..core.texts import YamlLoader

    try:
        # YAML 1.1 would read the key ``no:`` as False (and ``ya``-like words stay text).
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=YamlLoader) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise _Unreadable(Problem("master_tidak_terbaca", {"reason": str(exc)}, file=path.name))
    if not isinstance(data, dict):
        raise _Unreadable(Problem("master_tidak_terbaca",
                                  {"reason": "isi YAML harus berupa pemetaan"}, file=path.name))
    key_fields = {f: title for title, f, _ in schema.SETTINGS_KEYS}
    settings = [Row("pengaturan", i, {"key": key_fields.get(k, k), "value": v}, {})
                for i, (k, v) in enumerate((data.get("pengaturan") or {}).items(), start=1)]
    sheets: dict[str, list[Row]] = {s: [] for s in schema.SHEETS}

    def titles(columns):
        return {c.field: c.title for c in columns}

    for i, item in enumerate(data.get("pegawai") or [], start=1):
        item = dict(item or {})
        atasan = item.pop("atasan", None) or {}
        for k in ("nama", "jabatan", "pangkat", "golongan", "unit_kerja"):
            if k in atasan:
                item[f"{k}_atasan"] = atasan[k]
        if "nip" in atasan and "nip_atasan" not in item:
            item["nip_atasan"] = atasan["nip"]
        sheets[schema.SHEET_PEGAWAI].append(
            Row("pegawai", i, item, {}, titles(schema.PEGAWAI_COLUMNS)))
    n = 0
    for i, item in enumerate(data.get("iki") or [], start=1):
        item = dict(item or {})
        indicators = item.pop("indikator", None) or []
        if "kode" in item and "kode_iki" not in item:
            item["kode_iki"] = item.pop("kode")
        if isinstance(item.get("fungsi"), list):
            item["fungsi"] = "\n".join(str(f) for f in item["fungsi"])
        sheets[schema.SHEET_IKI].append(Row("iki", i, item, {}, titles(schema.IKI_COLUMNS)))
        for ind in indicators:
            n += 1
            ind = dict(ind or {})
            ind.setdefault("kode_iki", item.get("kode_iki"))
            for code, value in (ind.pop("target_periode", None) or {}).items():
                ind[f"target_{str(code).lower()}"] = value
            sheets[schema.SHEET_INDIKATOR].append(
                Row("indikator", n, ind, {}, titles(schema.INDIKATOR_COLUMNS)))
    return settings, sheets
