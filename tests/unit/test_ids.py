"""Identity documents: the type as typed, each type's number checked, the masked form that is kept,
and the copy-purpose stamp's words (tip A3)."""

from __future__ import annotations

import csv
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from deskapp.domain import ids
from deskapp.domain.ids import ID_TYPES, check_id, mask, parse_id_type, stamp_text
from deskapp.domain.inputs import InputError, parse
from deskapp.errors import DeskappError

TODAY = date(2026, 11, 24)
PEOPLE = Path(__file__).resolve().parents[2] / "data" / "demo" / "people.csv"

# Written out here rather than taken from the module, so that a slip in either shows.
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
PROVINCES = [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
             50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83]
CITIZEN_TYPES = [("resident_id", "input.id_resident"), ("driving_licence", "input.id_licence")]


def gb11643(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character, as GB 11643-1999 gives it."""
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def citizen(first17: str) -> str:
    return first17 + gb11643(first17)


def wrong_check(number: str) -> str:
    """The number with its check character replaced by some other valid-looking one."""
    return number[:17] + ("1" if number[17] != "1" else "2")


def refused(id_type: str, text: str, today: date = TODAY) -> str:
    with pytest.raises(InputError) as e:
        check_id(id_type, text, today)
    return e.value.key


@st.composite
def citizen_ids(draw: st.DrawFn) -> str:
    """A well-formed citizen ID number: a province, a place, a date of birth, a sequence, the check."""
    province = draw(st.sampled_from(PROVINCES))
    place = draw(st.integers(0, 9999))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    sequence = draw(st.integers(0, 999))
    return citizen(f"{province:02d}{place:04d}{born:%Y%m%d}{sequence:03d}")


# --- the check character -------------------------------------------------------------------------


def test_the_textbook_numbers_have_their_check_characters() -> None:
    assert gb11643("11010519491231002") == "X"
    assert gb11643("44052418800101001") == "4"
    assert ids.check_digit("11010519491231002") == "X"
    assert ids.check_digit("44052418800101001") == "4"


def test_the_check_digit_helper_wants_17_ascii_digits() -> None:
    for bad in ("1101051949123100", "110105194912310021", "1101051949123100X", "١١٠١٠٥١٩٤٩١٢٣١٠٠٢"):
        with pytest.raises(ValueError):
            ids.check_digit(bad)


@given(st.from_regex(r"[0-9]{17}", fullmatch=True))
def test_the_check_digit_agrees_with_the_standard(first17: str) -> None:
    assert ids.check_digit(first17) == gb11643(first17)


# --- resident ID cards and driving licences ------------------------------------------------------


@pytest.mark.parametrize("id_type", ["resident_id", "driving_licence"])
@pytest.mark.parametrize(
    "number", ["11010519491231002X", "44030519900101123X", citizen("32010219851023456"), citizen("81000019950607002")]
)
def test_real_citizen_numbers_are_accepted(id_type: str, number: str) -> None:
    assert check_id(id_type, number, TODAY) == number


def test_440305199001011234_is_not_a_valid_number() -> None:
    """A number that looks right but whose check character is wrong: 44030519900101123X is the real one."""
    assert gb11643("44030519900101123") == "X"
    assert refused("resident_id", "440305199001011234") == "input.id_resident_check"
    assert check_id("resident_id", "44030519900101123x", TODAY) == "44030519900101123X"


def test_the_other_textbook_number_was_born_before_1900() -> None:
    """440524188001010014 is well formed, but nobody born in 1880 shows an ID card at the counter."""
    assert gb11643("44052418800101001") == "4"
    assert refused("resident_id", "440524188001010014") == "input.id_resident_birth"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("11010519491231002x", "11010519491231002X"),
        (" 110105 19491231 002X ", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"),
        ("110105\u300019491231002X", "11010519491231002X"),
        ("1101\t0519491231002X\n", "11010519491231002X"),
    ],
    ids=["lower-x", "spaces", "full-width", "ideographic-space", "tab-newline"],
)
def test_a_citizen_number_is_normalised(typed: str, kept: str) -> None:
    assert check_id("resident_id", typed, TODAY) == kept
    assert check_id("driving_licence", typed, TODAY) == kept


@pytest.mark.parametrize(("id_type", "key"), CITIZEN_TYPES)
@pytest.mark.parametrize(
    "text",
    [
        "",
        "1101051949123100",  # 16
        "1101051949123100X",  # 17
        "11010519491231002X1",  # 19
        "X10105194912310021",  # X not last
        "1101051949123100X2",  # X not last
        "11010519491231002Y",
        "1101O519491231002X",  # a letter O for a zero
        "11010519491231002-",
        "110105-19491231-002X",  # hyphens are not spaces
        "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",  # Arabic-Indic digits are digits to Python, not to an ID card
    ],
)
def test_a_citizen_number_of_the_wrong_shape_is_refused(id_type: str, key: str, text: str) -> None:
    assert refused(id_type, text) == key


@pytest.mark.parametrize(("id_type", "key"), CITIZEN_TYPES)
@pytest.mark.parametrize("area", ["000000", "100000", "160000", "200000", "240000", "380000", "470000", "490000",
                                  "550000", "600000", "660000", "700000", "720000", "800000", "840000", "990000"])
def test_a_citizen_number_from_no_province_is_refused(id_type: str, key: str, area: str) -> None:
    assert refused(id_type, citizen(f"{area}19900101123")) == f"{key}_area"


@pytest.mark.parametrize(("id_type", "key"), CITIZEN_TYPES)
@pytest.mark.parametrize(
    "born",
    ["18991231", "18000101", "00000101", "19901301", "19900001", "19900230", "19000229", "20230229", "19900100",
     "19900132", "20261125", "20270101", "99991231"],
    ids=lambda s: s,
)
def test_a_citizen_number_with_an_impossible_birth_date_is_refused(id_type: str, key: str, born: str) -> None:
    assert refused(id_type, citizen(f"440305{born}123")) == f"{key}_birth"


@pytest.mark.parametrize("born", ["19000101", "20000229", "20261124"])
def test_the_birth_date_limits_are_inclusive(born: str) -> None:
    number = citizen(f"440305{born}123")
    assert check_id("resident_id", number, TODAY) == number


def test_a_birth_date_is_judged_against_the_day_given() -> None:
    number = citizen("44030520261124123")
    assert check_id("resident_id", number, date(2026, 11, 24)) == number
    assert refused("resident_id", number, date(2026, 11, 23)) == "input.id_resident_birth"


@pytest.mark.parametrize(("id_type", "key"), CITIZEN_TYPES)
def test_a_citizen_number_with_a_wrong_check_character_is_refused(id_type: str, key: str) -> None:
    assert refused(id_type, "110105194912310021") == f"{key}_check"
    assert refused(id_type, "11010519491231002") == key  # the check character left off
    assert refused(id_type, "440305199001011230") == f"{key}_check"
    assert refused(id_type, "440305199001011234") == f"{key}_check"


@given(citizen_ids())
def test_generated_citizen_numbers_are_accepted(number: str) -> None:
    assert check_id("resident_id", number, TODAY) == number
    assert check_id("driving_licence", number.lower(), TODAY) == number


@given(citizen_ids(), st.sampled_from("0123456789X"))
def test_any_other_check_character_is_refused(number: str, other: str) -> None:
    assume(other != number[17])
    assert refused("resident_id", number[:17] + other) == "input.id_resident_check"
    assert refused("driving_licence", number[:17] + other) == "input.id_licence_check"


@given(citizen_ids(), st.integers(0, 16), st.integers(1, 9))
def test_any_one_mistyped_digit_is_caught(number: str, at: int, shift: int) -> None:
    mistyped = number[:at] + str((int(number[at]) + shift) % 10) + number[at + 1:]
    assert refused("resident_id", mistyped).startswith("input.id_resident")


@given(citizen_ids(), st.integers(0, 15))
def test_two_swapped_neighbouring_digits_are_caught(number: str, at: int) -> None:
    assume(number[at] != number[at + 1])
    swapped = number[:at] + number[at + 1] + number[at] + number[at + 2:]
    assert refused("resident_id", swapped).startswith("input.id_resident")


def _citizen_grammar(number: str) -> bool:
    return bool(re.fullmatch(r"[0-9]{17}[0-9X]", number))


@given(st.text(alphabet="0123456789Xx ", max_size=22) | st.text(max_size=22))
def test_random_text_is_accepted_only_when_it_is_a_valid_number(text: str) -> None:
    compact = ids.normalise(text)
    try:
        number = check_id("resident_id", text, TODAY)
    except InputError as e:
        if not _citizen_grammar(compact):
            assert e.key == "input.id_resident"
        else:
            assert e.key in {"input.id_resident_area", "input.id_resident_birth", "input.id_resident_check"}
    else:
        assert number == compact
        assert _citizen_grammar(number)
        assert int(number[:2]) in PROVINCES
        assert date(1900, 1, 1) <= date(int(number[6:10]), int(number[10:12]), int(number[12:14])) <= TODAY
        assert gb11643(number[:17]) == number[17]


@given(st.from_regex(r"[0-9]{1,30}", fullmatch=True))
def test_digits_of_any_other_length_are_refused(digits: str) -> None:
    assume(len(digits) != 18)
    assert refused("resident_id", digits) == "input.id_resident"
    assert refused("driving_licence", digits) == "input.id_licence"


# --- passports, and the permits of Hong Kong, Macau and Taiwan residents --------------------------


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("E12345678", "E12345678"),  # Chinese e-passport
        ("EA1234567", "EA1234567"),
        ("G12345678", "G12345678"),
        ("D12345678", "D12345678"),
        ("p 1234567 8", "P12345678"),
        ("ab12345", "AB12345"),  # a foreign passport
        ("12345", "12345"),
        ("A1B2C3D4E5F6G7H8J", "A1B2C3D4E5F6G7H8J"),  # 17
        ("ｅ１２３４５６７８", "E12345678"),
    ],
)
def test_passports_are_accepted(typed: str, kept: str) -> None:
    assert check_id("passport", typed, TODAY) == kept


@pytest.mark.parametrize(
    "text",
    ["", "E123", "ABCDEFGH", "ABCDEFGHJKLMNPQRS", "A1B2C3D4E5F6G7H8J9", "E1234567-8", "E1234567/8", "护照12345678",
     "E١٢٣٤٥٦٧٨"],
    ids=["empty", "four", "no-digit", "17-no-digit", "eighteen", "hyphen", "slash", "chinese", "arabic-indic"],
)
def test_passports_of_the_wrong_shape_are_refused(text: str) -> None:
    assert refused("passport", text) == "input.id_passport"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("H12345678", "H12345678"), ("M12345678", "M12345678"), ("h1234567890", "H1234567890"),
     ("M 1234 5678 90", "M1234567890"), ("Ｈ１２３４５６７８", "H12345678")],
)
def test_hong_kong_and_macau_permits_are_accepted(typed: str, kept: str) -> None:
    assert check_id("hk_macau", typed, TODAY) == kept


@pytest.mark.parametrize(
    "text",
    ["", "H1234567", "H123456789", "H123456789012", "K12345678", "12345678", "HM1234567", "H1234567X", "H12345678901"],
)
def test_hong_kong_and_macau_permits_of_the_wrong_shape_are_refused(text: str) -> None:
    assert refused("hk_macau", text) == "input.id_hk_macau"


@pytest.mark.parametrize(("typed", "kept"), [("12345678", "12345678"), ("1234567890", "1234567890"),
                                             ("1234 5678", "12345678"), ("０１２３４５６７", "01234567")])
def test_taiwan_permits_are_accepted(typed: str, kept: str) -> None:
    assert check_id("taiwan", typed, TODAY) == kept


@pytest.mark.parametrize("text", ["", "1234567", "123456789", "12345678901", "T1234567", "1234567A", "A123456789"])
def test_taiwan_permits_of_the_wrong_shape_are_refused(text: str) -> None:
    assert refused("taiwan", text) == "input.id_taiwan"


GRAMMARS = {
    "passport": (r"[0-9A-Z]{5,17}", "input.id_passport"),
    "hk_macau": (r"[HM][0-9]{8}|[HM][0-9]{10}", "input.id_hk_macau"),
    "taiwan": (r"[0-9]{8}|[0-9]{10}", "input.id_taiwan"),
}


@given(st.sampled_from(sorted(GRAMMARS)), st.text(alphabet="0123456789HMEhm x-", max_size=20) | st.text(max_size=20))
def test_random_text_is_accepted_only_when_it_fits_the_type(id_type: str, text: str) -> None:
    grammar, key = GRAMMARS[id_type]
    compact = ids.normalise(text)
    fits = bool(re.fullmatch(grammar, compact)) and (id_type != "passport" or any(c.isdigit() for c in compact))
    try:
        number = check_id(id_type, text, TODAY)
    except InputError as e:
        assert e.key == key
        assert not fits
    else:
        assert fits
        assert number == compact


def test_an_unknown_type_is_refused_as_a_type() -> None:
    assert refused("military", "12345678") == "input.id_type"
    assert refused("", "11010519491231002X") == "input.id_type"
    assert refused("身份证", "11010519491231002X") == "input.id_type"  # the code, not the name


def test_every_type_has_a_check() -> None:
    for id_type in ID_TYPES:
        with pytest.raises(InputError) as e:
            check_id(id_type, "", TODAY)
        assert e.value.key.startswith("input.id_") and e.value.key != "input.id_type", id_type


def test_input_errors_are_deskapp_errors() -> None:
    with pytest.raises(DeskappError):
        check_id("passport", "!", TODAY)


# --- the type ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "id_type"),
    [
        ("1", "resident_id"), ("2", "passport"), ("3", "hk_macau"), ("4", "taiwan"), ("5", "driving_licence"),
        ("５", "driving_licence"), (" 2 ", "passport"),
        ("resident_id", "resident_id"), ("PASSPORT", "passport"), ("hk_macau", "hk_macau"), ("Taiwan", "taiwan"),
        ("driving_licence", "driving_licence"),
        ("居民身份证", "resident_id"), ("身份证", "resident_id"), ("护照", "passport"), ("港澳通行证", "hk_macau"),
        ("港澳居民来往内地通行证", "hk_macau"), ("台胞证", "taiwan"), ("台湾居民来往大陆通行证", "taiwan"),
        ("驾驶证", "driving_licence"), ("机动车驾驶证", "driving_licence"), (" 身份证 ", "resident_id"),
    ],
)
def test_a_type_is_chosen_by_number_name_or_chinese_name(typed: str, id_type: str) -> None:
    assert parse_id_type(typed) == id_type


@pytest.mark.parametrize("typed", ["", "0", "6", "10", "-1", "1.0", "١", "军官证", "id", "resident", "passport2"])
def test_an_unknown_type_is_refused(typed: str) -> None:
    with pytest.raises(InputError) as e:
        parse_id_type(typed)
    assert e.value.key == "input.id_type"


def test_the_types_are_numbered_in_order() -> None:
    assert ID_TYPES == ("resident_id", "passport", "hk_macau", "taiwan", "driving_licence")
    assert [parse_id_type(str(n)) for n in range(1, 6)] == list(ID_TYPES)


def test_the_field_parser_reaches_the_type() -> None:
    assert parse("id_type", "２") == "passport"
    assert parse("id_type", "台胞证") == "taiwan"


# --- the masked form -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("44030519751121128X", "4403**********128X"),
        ("11010519491231002X", "1101**********002X"),
        ("E12345678", "E123*5678"),
        ("H1234567890", "H123***7890"),
        ("12345678", "******78"),
        ("01234534", "******34"),
        ("AB12345", "*****45"),
        ("12345", "***45"),
    ],
)
def test_a_number_is_kept_masked(number: str, masked: str) -> None:
    assert mask(number) == masked


@given(st.text(alphabet="0123456789ABCDEFGHJKX", min_size=5, max_size=20))
def test_a_mask_keeps_the_length_and_shows_at_most_the_ends(number: str) -> None:
    masked = mask(number)
    assert len(masked) == len(number)
    shown = [i for i, c in enumerate(masked) if c != "*"]
    if len(number) <= 8:
        assert shown == [len(number) - 2, len(number) - 1]
    else:
        assert shown == [0, 1, 2, 3, *range(len(number) - 4, len(number))]
    assert all(masked[i] == number[i] for i in shown)


@given(citizen_ids())
def test_a_masked_citizen_number_hides_the_birth_date(number: str) -> None:
    masked = mask(check_id("resident_id", number, TODAY))
    assert masked[6:14] == "********"
    assert re.fullmatch(r"[0-9]{4}\*{10}[0-9]{3}[0-9X]", masked)


def test_the_mask_is_the_one_the_demo_people_use() -> None:
    with PEOPLE.open(encoding="utf-8") as f:
        masked = [row["id_masked"] for row in csv.DictReader(f) if row["id_type"] == "resident_id"]
    assert masked
    for kept in masked:
        assert mask(kept[:4] + "0" * 10 + kept[-4:]) == kept


# --- the copy-purpose stamp (tip A3) --------------------------------------------------------------


def test_the_stamp_names_the_purpose() -> None:
    assert stamp_text("办理物品放行") == "复件仅供办理物品放行之用"
    assert stamp_text(" 办理装修申请 ") == "复件仅供办理装修申请之用"
    assert ids.STAMP_TEXT.format(purpose="办理物品放行") == stamp_text("办理物品放行")


def test_a_stamp_without_a_purpose_is_a_mistake_in_the_code() -> None:
    with pytest.raises(ValueError):
        stamp_text(" ")


def test_nothing_here_knows_a_day_of_its_own() -> None:
    """The birth-date limit moves with the day passed in: a child born tomorrow is refused today."""
    tomorrow = TODAY + timedelta(days=1)
    number = citizen(f"440305{tomorrow:%Y%m%d}123")
    assert refused("resident_id", number) == "input.id_resident_birth"
    assert check_id("resident_id", number, tomorrow) == number
