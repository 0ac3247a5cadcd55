"""The one canonical JSON (core/canonical.py) is what ``json.dumps`` gives with its
arguments — keys sorted, no spaces, UTF-8 as is — whatever the value: it is signed,
hashed and stored in the ledger, so a text once made must always be made the same."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iki_xlsx.core.canonical import canonical, canonical_text


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


_SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
            | st.text())
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=5)
                       | st.dictionaries(st.text(max_size=8), inner, max_size=5),
                       max_leaves=30)


@settings(max_examples=300)
@given(_VALUES)
def test_canonical_text_is_json_dumps_with_its_arguments(data):
    assert canonical_text(data) == _dumps(data)
    assert canonical(data) == _dumps(data).encode("utf-8")


def test_canonical_text_of_odd_values_is_json_dumps_with_its_arguments():
    odd = [{"b": 1, "a": [1.5, -0.0, 1e16, 1e-7, math.inf, -math.inf, math.nan]},
           {2: "dua", 1: "satu", 0: "nol"}, {1.5: "x", 0.5: "y"},
           ("tuple", ("nested",)), "Ñama — \u200b\x01\ud7ff \"kutip\" \\ /",
           {"é": {"z": [], "a": {}}}, 2 ** 70, -(2 ** 70)]
    for data in odd:
        assert canonical_text(data) == _dumps(data)


def test_what_json_dumps_refuses_canonical_text_refuses():
    circular: list = []
    circular.append(circular)
    for data, error in ((object(), TypeError), ({(1, 2): "x"}, TypeError),
                        ({1: "satu", None: "kosong"}, TypeError), (circular, ValueError)):
        with pytest.raises(error):
            _dumps(data)
        with pytest.raises(error):
            canonical_text(data)
