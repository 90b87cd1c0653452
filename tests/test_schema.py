"""Page state from links: valid values come through typed, bad ones fall back with a notice,
and only non-defaults go back into the link."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

from core.schema import (
    LISTED_KEYS,
    MAX_LINK_CHARS,
    NOTICE_CHARS,
    Field,
    as_text,
    from_query,
    read_link,
    to_query,
    unknown_notice,
)
from tests.test_text import outside_code_spans

FIELDS = (
    Field("lr", 0.1, 0.0, 1.0),
    Field("steps", 20, 1, 200),
    Field("present", False),
    Field("optimizer", "sgd", choices=("sgd", "adam")),
    Field("wds", (0.0, 1.0), choices=(0.0, 0.1, 1.0, 3.0)),
    Field("search", ""),
)


def test_valid_link_values_are_typed():
    values, notices = from_query(FIELDS, {"lr": "0.25", "steps": "7", "present": "true", "optimizer": "adam",
                                          "wds": "0.1,3", "search": "bn"})
    assert values == {"lr": 0.25, "steps": 7, "present": True, "optimizer": "adam", "wds": [0.1, 3.0],
                      "search": "bn"}
    assert notices == []


@pytest.mark.parametrize("key,raw", [("lr", "banana"), ("lr", "5"), ("lr", "nan"), ("steps", "100000"),
                                     ("present", "maybe"), ("optimizer", "rmsprop"), ("wds", "0.1,7")])
def test_bad_link_values_fall_back_to_the_default_with_a_notice(key, raw):
    values, notices = from_query(FIELDS, {key: raw})
    assert values[key] == next(f.default for f in FIELDS if f.key == key)
    assert len(notices) == 1 and key in notices[0]


def test_only_non_defaults_go_into_the_link_and_round_trip():
    values = {"lr": 0.25, "steps": 20, "present": True, "optimizer": "sgd", "wds": [0.0, 3.0], "search": ""}
    query = to_query(FIELDS, values)
    assert query == {"lr": "0.25", "present": "true", "wds": "0,3"}
    back, notices = from_query(FIELDS, query)
    assert not notices and back == {**values, "wds": [0.0, 3.0]}


def test_an_empty_list_is_a_valid_list():
    values, notices = from_query(FIELDS, {"wds": ""})
    assert values["wds"] == [] and not notices


# A link is held to exactly what the widgets allow (issue 11, points 3 and 5).

WDS = (0.0, 0.0001, 0.001, 0.01, 0.1, 0.5, 1.0, 3.0, 5.0, 10.0, 15.0, 25.0)
BOUNDED = (
    Field("seed", 0, 0, 2**31 - 1),
    Field("momentum", 0.0, 0.0, 0.99, step=0.01),
    Field("decays", (0.0, 3.0), choices=WDS),
    Field("optimizers", ("sgd", "adam"), choices=("sgd", "adam", "adamw")),
    Field("q", "", max_len=100),
    Field("anim_tensor", "w", choices=("W", "w")),
    Field("present", False),
)


def notice_for(field: Field, raw: str) -> str:
    values, notices = from_query((field,), {field.key: raw})
    assert values[field.key] == field.default and len(notices) == 1, (raw, values, notices)
    return notices[0]


@pytest.mark.parametrize("raw", ["inf", "-inf", "Infinity", "1e309", "-1e309", "nan", "NaN", "3.5", "1e-3", "", "1e"])
def test_a_whole_number_field_refuses_inf_nan_and_fractions_with_a_notice(raw):
    assert "seed" in notice_for(BOUNDED[0], raw)


@pytest.mark.parametrize("raw,value", [("7", 7), (" 7 ", 7), ("1e3", 1000), ("7.0", 7), ("+7", 7)])
def test_a_whole_number_field_takes_digits_and_integral_numbers(raw, value):
    parsed = BOUNDED[0].parse(raw)
    assert parsed == value and type(parsed) is int


@pytest.mark.parametrize("raw", ["inf", "-Infinity", "1e309", "nan"])
def test_a_float_field_refuses_non_finite_numbers(raw):
    assert "finite" in notice_for(Field("x", 0.0), raw)  # no bounds: finiteness alone refuses


def test_copies_of_a_weight_decay_are_refused_by_their_count():
    notice_for(BOUNDED[2], ",".join(["0.1"] * 576))  # the link: over-long, too
    assert "at most 12 values, got 100" in notice_for(BOUNDED[2], ",".join(["0.1"] * 100))


def test_a_list_longer_than_its_choices_is_refused_before_its_items_are_parsed():
    # 13 items that are not even numbers: the count refuses first.
    assert "at most 12 values, got 13" in notice_for(BOUNDED[2], ",".join(["banana"] * 13))
    assert "at most 3 values" in notice_for(BOUNDED[3], "sgd,adam,adamw,sgd")


@pytest.mark.parametrize("raw", ["0.1,0.1", "0.1,1e-1", "sgd,sgd"])
def test_a_repeated_value_in_a_list_is_refused(raw):
    field = BOUNDED[3] if raw.startswith("sgd") else BOUNDED[2]
    assert "more than once" in notice_for(field, raw)


def test_every_choice_once_is_a_valid_list():
    values, notices = from_query(BOUNDED, {"decays": ",".join(f"{w:g}" for w in WDS), "optimizers": "adamw,sgd,adam"})
    assert values["decays"] == list(WDS) and values["optimizers"] == ["adamw", "sgd", "adam"] and not notices


@pytest.mark.parametrize("size", [MAX_LINK_CHARS + 1, 5_000, 1_000_000])
def test_an_over_long_value_is_refused_by_its_length_and_not_repeated_in_full(size):
    for field in BOUNDED:
        notice = notice_for(field, "1" * size)
        assert f"{size:,} characters long" in notice and len(notice) < 300


def test_a_text_field_holds_its_own_max_length():
    assert from_query(BOUNDED, {"q": "a" * 100})[0]["q"] == "a" * 100
    assert "at most 100 characters" in notice_for(BOUNDED[4], "a" * 101)


@pytest.mark.parametrize("raw", ["0.123", "0.005", "0.985"])
def test_a_value_between_a_sliders_steps_is_refused(raw):
    assert "steps of 0.01" in notice_for(BOUNDED[1], raw)


@pytest.mark.parametrize("raw,value", [("0.12", 0.12), ("0.30000000000000004", 0.3), ("0.99", 0.99), ("0", 0.0)])
def test_a_value_on_a_sliders_grid_comes_back_as_that_step(raw, value):
    assert BOUNDED[1].parse(raw) == value


def test_a_free_text_field_choice_is_held_to_its_choices():
    assert "must be one of W, w" in notice_for(BOUNDED[5], "b1")


def test_a_list_field_without_choices_must_declare_its_length():
    with pytest.raises(ValueError, match="max_len"):
        Field("xs", (0.0,))
    assert Field("xs", (0.0,), 0.0, 1.0, max_len=2).parse("0.5,1") == [0.5, 1.0]


@pytest.mark.parametrize("raw", ["[x](http://evil)", "![i](http://evil/i.png)", "<img src=x onerror=alert(1)>",
                                 "a\n\n# heading", "`[x](http://evil)`", "``` [re-login](http://evil) ```"])
def test_a_notice_shows_the_links_text_literally(raw):
    notice = notice_for(Field("lr", 0.1, 0.0, 1.0), raw)
    plain = outside_code_spans(notice)
    assert "](" not in plain and "<" not in plain and "\n" not in notice, notice
    assert plain.startswith("Ignored  from the link: lr must be a number. Using 0.1.")


def assert_within(field: Field, value) -> None:
    """The property a link must keep: the value is one the field's widget could hold."""
    if isinstance(field.default, tuple):
        assert isinstance(value, (list, tuple)) and len(set(value)) == len(value)
        assert len(value) <= (field.max_len if field.max_len is not None else len(field.choices))
        items, like = value, field.choices[0] if field.choices else 0.0
    else:
        items, like = [value], field.default
    for item in items:
        assert field.choices is None or item in field.choices, (field.key, item)
        if isinstance(like, bool):
            assert isinstance(item, bool)
        elif isinstance(like, (int, float)):
            kind = int if isinstance(like, int) else float
            assert type(item) is kind and math.isfinite(item), (field.key, item)
            assert (field.low is None or item >= field.low) and (field.high is None or item <= field.high)
            if field.step is not None:
                k = (item - field.low) / field.step
                assert abs(k - round(k)) < 1e-6, (field.key, item)
        else:
            assert isinstance(item, str)
            assert len(item) <= (field.max_len if field.max_len is not None else MAX_LINK_CHARS)


def link_values(field: Field) -> hst.SearchStrategy[str]:
    """Text a link might carry for field: anything, numbers in every spelling, and lists of its choices."""
    numbers = hst.one_of(hst.floats().map(repr), hst.integers().map(str), hst.floats().map("{:.3f}".format),
                         hst.sampled_from(["inf", "-inf", "Infinity", "1e309", "nan", "3.5", "1e3", "٣", "1_000"]))
    choices = [hst.lists(hst.sampled_from(field.choices), max_size=2 * len(field.choices) + 1)
               .map(lambda xs: ",".join(map(str, xs)))] if field.choices else []
    return hst.one_of(hst.text(), numbers, *choices, hst.text(min_size=1).map(lambda t: t * 1000),
                      hst.text(alphabet="0123456789.,e-", min_size=MAX_LINK_CHARS - 5, max_size=MAX_LINK_CHARS + 5))


def check_property(fields: tuple[Field, ...], data) -> None:
    params = {f.key: data.draw(link_values(f), label=f.key) for f in fields if data.draw(hst.booleans())}
    values, notices = from_query(fields, params)
    for f in fields:
        assert_within(f, values[f.key])
    for notice in notices:
        assert len(notice) < 400 and "](" not in outside_code_spans(notice) and "\n" not in notice


@settings(max_examples=300, deadline=None)
@given(data=hst.data())
def test_from_query_never_raises_and_keeps_every_value_within_its_bounds(data):
    check_property((*FIELDS, *BOUNDED), data)


def test_the_readme_states_the_link_limits_as_declared():
    readme = " ".join((Path(__file__).resolve().parents[1] / "README.md").read_text().split())
    assert f"| `core.schema.MAX_LINK_CHARS` | {MAX_LINK_CHARS} |" in readme
    assert f"quotes at most {NOTICE_CHARS} characters of it" in readme


def test_a_list_field_can_require_items():
    field = Field("optimizers", ("sgd",), choices=("sgd", "adam"), min_len=1)
    assert "needs at least 1 value" in notice_for(field, "")
    assert field.parse("adam") == ["adam"]


def test_read_link_returns_only_what_the_link_names_and_why_it_refused():
    values, refused = read_link(FIELDS, {"lr": "0.5", "steps": "banana"})
    assert values == {"lr": 0.5} and refused == {"steps": "steps must be a number"}


@pytest.mark.parametrize("value", [0.1, 0.30000000000000004, 1e-05, 7, True, "sgd", [0.0, 3.0], 2**31 - 1,
                                   0.826065709013])
def test_a_value_written_to_a_link_reads_back_as_itself(value):
    """as_text is what to_query writes: parse gives the same value back (a float to 12 digits)."""
    back = Field("x", value if not isinstance(value, list) else tuple(value), max_len=5).parse(as_text(value))
    assert back == pytest.approx(value, rel=1e-11) if isinstance(value, float) else back == value


def test_check_holds_a_widgets_value_to_the_link_rules():
    momentum = BOUNDED[1]
    assert momentum.check(0.30000000000000004) == 0.3
    with pytest.raises(ValueError, match="steps of 0.01"):
        momentum.check(0.826065709013202)


def test_unknown_keys_are_named_literally_and_counted():
    notice = unknown_notice(["[x](http://evil)", *(f"k{i}" for i in range(9))], "sweep")
    assert notice.startswith("Dropped `[x](http://evil)`") and "and 5 more from the link" in notice
    assert notice.count("`") == 2 * LISTED_KEYS and "](" not in outside_code_spans(notice)
    assert unknown_notice(["grid"], "sweep") == "Dropped `grid` from the link: the sweep page has no such setting."


def test_a_field_labels_itself_with_its_key_unless_told():
    assert Field("lr", 0.1).label == "lr" and Field("lr", 0.1, label="Learning rate").label == "Learning rate"
