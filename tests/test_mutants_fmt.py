"""core.fmt: tests that kill the mutants tools/mutate.py found surviving (issue 13)."""
import pytest

from gd_explorer.core.fmt import fmt, fmt_point, read_number


def test_zero_digits_is_refused_with_its_message():
    with pytest.raises(ValueError, match="digits must be at least 1"):
        fmt(1.0, 0)


def test_fmt_point_has_four_digits_by_default():
    assert fmt_point((1 / 3, -2 / 3)) == "(0.3333, -0.6667)"


@pytest.mark.parametrize("text, could_be", [("123,456", "123456 or 123.456"),
                                            ("-100,000", "-100000 or -100.000")])
def test_three_digits_each_side_of_a_comma_is_refused(text, could_be):
    with pytest.raises(ValueError, match=f"could be {could_be}: type it without the comma"):
        read_number(text)


def test_four_digits_before_a_comma_cannot_be_thousands():
    assert read_number("1234,567") == 1234.567
