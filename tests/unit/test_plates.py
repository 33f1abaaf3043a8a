"""Vehicle plates: normalised as typed, checked against the plate grammar, printed with the dot."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskapp.domain.inputs import InputError, parse
from deskapp.domain.plates import check_plate, format_plate, normalise

# Written out here rather than taken from the module, so that a slip in either shows.
PROVINCES = list("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SERIAL_LETTERS = LETTERS.replace("I", "").replace("O", "")
DIGITS = "0123456789"
SERIAL = SERIAL_LETTERS + DIGITS
SUFFIXES = list("学警挂港澳领")


def refused(text: str) -> None:
    with pytest.raises(InputError) as e:
        check_plate(text)
    assert e.value.key == "input.plate"


def in_grammar(plate: str) -> bool:
    """The plate grammar spelt out character by character, independently of the module's pattern."""
    if len(plate) not in (7, 8) or plate[0] not in PROVINCES or plate[1] not in LETTERS:
        return False
    serial = plate[2:]
    if len(serial) == 5:
        return all(c in SERIAL for c in serial[:4]) and (serial[4] in SERIAL or serial[4] in SUFFIXES)
    small_new_energy = serial[0] in "DF" and serial[1] in SERIAL and all(c in DIGITS for c in serial[2:])
    large_new_energy = all(c in DIGITS for c in serial[:5]) and serial[5] in "DF"
    return small_new_energy or large_new_energy


# --- strategies ----------------------------------------------------------------------------------

provinces = st.sampled_from(PROVINCES)
authorities = st.sampled_from(LETTERS)
serial_chars = st.sampled_from(SERIAL)
digits = st.sampled_from(DIGITS)


@st.composite
def ordinary(draw: st.DrawFn) -> str:
    head = draw(provinces) + draw(authorities) + "".join(draw(st.lists(serial_chars, min_size=4, max_size=4)))
    return head + draw(st.sampled_from(list(SERIAL) + SUFFIXES))


@st.composite
def small_new_energy(draw: st.DrawFn) -> str:
    serial = draw(st.sampled_from("DF")) + draw(serial_chars) + "".join(draw(st.lists(digits, min_size=4, max_size=4)))
    return draw(provinces) + draw(authorities) + serial


@st.composite
def large_new_energy(draw: st.DrawFn) -> str:
    serial = "".join(draw(st.lists(digits, min_size=5, max_size=5))) + draw(st.sampled_from("DF"))
    return draw(provinces) + draw(authorities) + serial


plates = st.one_of(ordinary(), small_new_energy(), large_new_energy())


# --- normalising ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["粤B12345", "粤B·12345", "粤b12345", " 粤 B 1 2 3 4 5 ", "粤B-12345", "粤B.12345", "粤B・12345", "粤B．12345",
     "粤Ｂ１２３４５", "粤ｂ－１２３４５", "粤B\u300012345", "粤B•12345", "粤B\t12345\n"],
)
def test_separators_case_and_full_width_are_normalised(typed: str) -> None:
    assert normalise(typed) == "粤B12345"
    assert check_plate(typed) == "粤B12345"


def test_normalising_upper_cases_only_ascii() -> None:
    """str.upper() would turn the long s into an S and the dotless i into an I."""
    assert normalise("粤Bſ1234") == "粤Bſ1234"
    assert normalise("粤Bı1234") == "粤Bı1234"
    refused("粤Bſ1234")


# --- accepted ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "plate",
    [
        "粤B12345", "京A88888", "沪C0L123", "粤BA1C23", "浙AZZZZZ", "京AF0236", "京N12345",  # ordinary
        "粤B1234学", "粤B1234警", "粤B1234挂", "粤Z1234港", "粤Z1234澳", "京A1234领",  # with a last character
        "粤BD12345", "粤BF12345", "京AD00001", "沪ADA1234", "京AFZ1234",  # new energy, small
        "粤B12345D", "粤B12345F", "京A00001D",  # new energy, large
    ],
)
def test_real_plates_are_accepted(plate: str) -> None:
    assert check_plate(plate) == plate


@pytest.mark.parametrize("province", PROVINCES)
def test_every_province_is_known(province: str) -> None:
    assert check_plate(f"{province}A12345") == f"{province}A12345"


@given(plates)
def test_generated_plates_are_accepted(plate: str) -> None:
    assert check_plate(plate) == plate
    assert check_plate(plate.lower()) == plate
    assert check_plate(format_plate(plate)) == plate


@given(ordinary())
def test_generated_ordinary_plates_are_accepted(plate: str) -> None:
    assert check_plate(plate) == plate


@given(small_new_energy())
def test_generated_small_new_energy_plates_are_accepted(plate: str) -> None:
    assert check_plate(plate) == plate


@given(large_new_energy())
def test_generated_large_new_energy_plates_are_accepted(plate: str) -> None:
    assert check_plate(plate) == plate


# --- refused -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "", "粤", "粤B", "B12345", "12345", "粤12345",  # missing parts
        "台A12345", "港A12345", "澳A12345", "中A12345", "使A12345", "AB12345",  # no such province
        "粤1A2345", "粤学12345", "粤ß12345",  # the authority is a letter
        "粤B1234", "粤B123456", "粤B1234567", "粤BD1234567",  # lengths
        "粤BI2345", "粤BO2345", "粤B12O45", "粤B1234I", "粤B1234O", "粤BDI2345", "粤BFO1234", "粤BIO123",  # I and O
        "粤B12345G", "粤B1234AD", "粤BG12345", "粤BD1234A", "粤BDA123B", "粤B123450",  # new-energy shapes
        "粤B学1234", "粤B123学4", "粤B12345学", "粤BD1234学", "粤B1234使", "粤B1234临",  # last characters
        "粤B12345粤", "粤粤B12345",
        "粤B١٢٣٤٥",  # Arabic-Indic digits
        "粤B_12345", "粤B/12345", "粤B(12345)",  # not separators
    ],
)
def test_malformed_plates_are_refused(text: str) -> None:
    refused(text)


@given(plates, st.data())
def test_an_i_or_o_put_into_the_serial_is_refused(plate: str, data: st.DataObject) -> None:
    letter = data.draw(st.sampled_from("IOio"))
    at = data.draw(st.integers(2, len(plate)))
    refused(plate[:at] + letter + plate[at:])  # inserted
    at = data.draw(st.integers(2, len(plate) - 1))
    refused(plate[:at] + letter + plate[at + 1:])  # in place of a character


@given(plates, st.sampled_from(list("台港澳中使领学ABZ0") + ["", "粤粤"]))
def test_an_unknown_province_is_refused(plate: str, head: str) -> None:
    refused(head + plate[1:])


@given(plates, st.integers(0, 4), st.sampled_from(list(SERIAL) + SUFFIXES))
def test_a_plate_shorter_than_7_or_longer_than_8_is_refused(plate: str, n: int, extra: str) -> None:
    """(Cutting one character off a new-energy plate can leave an ordinary one: 粤BD1234.)"""
    refused(plate[: 6 - n])
    refused(plate + extra * (9 - len(plate) + n))


@given(
    st.one_of(
        plates,
        st.text(alphabet=PROVINCES[:4] + list("台ABDFIOZ0159学港·- ") + SUFFIXES[:2], min_size=6, max_size=10),
        st.text(max_size=10),
    )
)
def test_text_is_accepted_exactly_when_it_is_in_the_grammar(text: str) -> None:
    compact = normalise(text)
    try:
        plate = check_plate(text)
    except InputError as e:
        assert e.key == "input.plate"
        assert not in_grammar(compact)
    else:
        assert plate == compact
        assert in_grammar(plate)


def test_the_grammar_helper_is_itself_right() -> None:
    assert in_grammar("粤B12345") and in_grammar("粤BD12345") and in_grammar("粤B12345D") and in_grammar("粤B1234学")
    assert not in_grammar("粤BI2345") and not in_grammar("粤BG12345") and not in_grammar("台B12345")


# --- printing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plate", "printed"),
    [("粤B12345", "粤B·12345"), ("粤BD12345", "粤B·D12345"), ("粤B12345D", "粤B·12345D"), ("粤Z1234港", "粤Z·1234港"),
     ("粤B·12345", "粤B·12345"), ("粤b 12345", "粤B·12345"), ("粤B", "粤B"), ("", "")],
)
def test_a_plate_is_printed_with_the_dot_after_the_authority(plate: str, printed: str) -> None:
    assert format_plate(plate) == printed


@given(plates)
def test_printing_twice_changes_nothing(plate: str) -> None:
    printed = format_plate(plate)
    assert format_plate(printed) == printed
    assert printed.count("·") == 1 and printed.index("·") == 2
    assert normalise(printed) == plate


def test_the_field_parser_reaches_the_plate() -> None:
    assert parse("plate", "粤Ｂ·１２３４５") == "粤B12345"
    with pytest.raises(InputError):
        parse("plate", "粤BI2345")
