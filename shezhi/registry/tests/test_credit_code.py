import string

from hypothesis import given
from hypothesis import strategies as st

from shezhi.registry import credit_code as cc

ALPHABET = st.sampled_from(list(cc.ALPHABET))


def test_weights_are_powers_of_three_mod_31():
    assert cc.WEIGHTS[:6] == [1, 3, 9, 27, 19, 26]


def test_known_business_code_passes_check():
    # 9135... is a company code (authority 9), so only the check rule is asserted here.
    assert cc.check_character("91350100M000100Y4") == "3"


def test_problem_messages_name_the_rule():
    code = cc.make_code(type_digit="1", division="330482", org_code="MJ9173104")
    assert cc.problems(code) == []
    assert [p.rule for p in cc.problems(code[:-1])] == ["length"]
    assert [p.rule for p in cc.problems("9" + code[1:])] == ["authority", "check"]
    assert [p.rule for p in cc.problems(code, type_digit="2")] == ["legal_form"]
    assert [p.rule for p in cc.problems(code[:10] + "I" + code[11:])] == ["charset"]


def test_normalize_full_width_and_spaces():
    assert cc.normalize(" ５１３３ ０４８２ｍｊ ") == "51330482MJ"


@given(
    type_digit=st.sampled_from(["1", "2", "3", "9"]),
    division=st.text(alphabet=string.digits, min_size=6, max_size=6),
    org_code=st.text(alphabet=cc.ALPHABET, min_size=9, max_size=9),
)
def test_every_built_code_is_valid(type_digit, division, org_code):
    code = cc.make_code(type_digit=type_digit, division=division, org_code=org_code)
    assert cc.problems(code) == []


@given(
    base=st.text(alphabet=cc.ALPHABET, min_size=9, max_size=9),
    position=st.integers(min_value=2, max_value=16),
    replacement=ALPHABET,
)
def test_any_single_substitution_is_caught(base, position, replacement):
    code = cc.make_code(type_digit="2", division="330482", org_code=base)
    mutated = code[:position] + replacement + code[position + 1 :]
    if mutated != code:
        # Weights 3^k mod 31 are never 0 and 31 is prime, so one changed character always
        # changes the sum mod 31: the check character catches every single substitution.
        assert "check" in [p.rule for p in cc.problems(mutated)]


@given(st.text(max_size=30))
def test_never_crashes_on_any_input(raw):
    code = cc.normalize(raw)
    result = cc.problems(code)
    assert isinstance(result, list)
    if len(code) == 18 and all(ch in cc.VALUE for ch in code) and code[0] == "5" and code[1] in "1239":
        assert (result == []) == (cc.check_character(code[:17]) == code[17])
