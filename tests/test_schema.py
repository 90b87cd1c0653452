"""Page state from links: valid values come through typed, bad ones fall back with a notice,
and only non-defaults go back into the link."""

from __future__ import annotations

import pytest

from core.schema import Field, from_query, to_query

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
