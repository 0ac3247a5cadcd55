"""What core/capaian works out once and keeps (each text's ya/tidak answer, a row's
filled answers) gives the same as working it out every time: texts of every spelling,
blank ones, and a str subclass (never kept: only plain texts are)."""

from iki_xlsx.core.capaian import parse_answer, upto_figures
from iki_xlsx.core.model import Aggregation, Indicator, PeriodScheme, Polarity, Target


class Text(str):
    """A text that is not a plain str."""


def test_answers_are_the_same_the_second_time():
    for _ in range(2):
        assert parse_answer(" ya ") is True
        assert parse_answer("TIDAK") is False
        assert parse_answer(Text(" Tidak")) is False
        assert parse_answer("mungkin") is None
        assert parse_answer("") is None
        assert parse_answer(True) is True


def test_a_row_of_answers_is_the_same_the_second_time():
    tw = PeriodScheme.TRIWULAN
    ind = Indicator("1", "s", "i", "", "", "", Target("Ya"), Polarity.YA_TIDAK,
                    Aggregation.RATA_RATA)
    row = {"TW1": " ya", "TW2": Text("  "), "TW3": "x ", "TW4": None}
    for _ in range(2):  # the second time with what the first one kept
        assert upto_figures(row, "TW4", ind, tw, target_period="TW4") == ("x", 50.0, 50.0, True)
    blank = {"TW1": "  ", "TW2": "", "TW3": Text(" "), "TW4": None}
    for _ in range(2):
        assert upto_figures(blank, "TW4", ind, tw, target_period="TW4") == (None, None, None, True)
