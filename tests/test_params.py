"""core.params.table: the parameter explorer's table, its filters and totals, and the `python -m core.params` CSV."""

import csv
import io
import re
import tracemalloc
from types import SimpleNamespace

import pytest
import regex

from core.params.conventions import CONVENTIONS, DECAY, NA, NO_DECAY, ParamInfo
from core.params.models import build
from core.params.search import MAX_PATTERN, MAX_REPEAT, MAX_WRITTEN_OUT
from core.params.table import (
    csv_table,
    filter_table,
    infos_from_model,
    main,
    no_weight_decay_names,
    numel_sum,
    parameter_table,
    shape_text,
    summary,
    totals,
)

VERDICTS = {"decay", "no_decay", "n/a"}
CSV_HEADER = ["name", "shape", "numel", "torch", "nanogpt", "timm", "hf_trainer", "torchvision", "mingpt"]


@pytest.fixture(scope="module")
def resnet50():
    model = build("resnet50")
    return parameter_table(infos_from_model(model), no_weight_decay_names(model))


def totals_by_key(table) -> dict[str, dict]:
    """totals() rows are labelled for display; key them by convention key for the tests."""
    return dict(zip(CONVENTIONS, totals(table).to_dict("records"), strict=True))


@pytest.fixture
def cli(capsys):
    """`python -m core.params ARGS`, run in-process: its exit code, stdout and stderr."""

    def run(*args: str) -> SimpleNamespace:
        code = main(list(args))
        out, err = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=out, stderr=err)

    return run


# ----------------------------------------------------------------------------- the table


def test_resnet50_table_rows_sizes_and_shares(resnet50):
    assert len(resnet50) == 161
    assert resnet50["numel"].sum() == 25_557_032
    assert resnet50["share"].sum() == pytest.approx(1.0)
    assert list(resnet50["name"][:4]) == ["conv1.weight", "bn1.weight", "bn1.bias", "layer1.0.conv1.weight"]
    assert list(resnet50.columns) == ["name", "module", "shape", "numel", "share", "dtype", "trainable", *CONVENTIONS]
    assert resnet50["trainable"].all()


def test_resnet50_row_text(resnet50):
    rows = resnet50.set_index("name")
    assert rows.loc["conv1.weight", "shape"] == "64x3x7x7"
    assert rows.loc["conv1.weight", "module"] == "Conv2d"
    assert rows.loc["conv1.weight", "dtype"] == "float32"
    assert rows.loc["bn1.bias", "shape"] == "64"
    assert rows.loc["fc.weight", "shape"] == "1000x2048"


def test_shape_text_of_a_scalar():
    assert shape_text(()) == "scalar"
    assert shape_text((4, 5)) == "4x5"


def test_empty_table_has_the_columns_and_no_rows():
    table = parameter_table([])
    assert table.empty and list(table.columns)[-len(CONVENTIONS):] == list(CONVENTIONS)
    assert all(row["decay tensors"] == 0 for row in totals_by_key(table).values())


def test_share_is_each_tensors_fraction():
    table = parameter_table([ParamInfo("a", (3,), "float32"), ParamInfo("b", (1,), "float32")])
    assert list(table["share"]) == [0.75, 0.25]


# ----------------------------------------------------------------------------- totals


@pytest.mark.parametrize("key", ["resnet50", "resnet18", "gpt2", "small-cnn", "mlp"])
def test_totals_partition_every_tensor_and_parameter(key):
    """decay + no_decay + n/a (of the trainable tensors) + frozen is the whole model, under every convention."""
    table = parameter_table(infos_from_model(build(key)))
    for conv, row in totals_by_key(table).items():
        assert row["frozen tensors"] == row["frozen params"] == 0
        assert row["decay tensors"] + row["no_decay tensors"] + row["n/a tensors"] == len(table), conv
        assert row["decay params"] + row["no_decay params"] + row["n/a params"] == table["numel"].sum(), conv


def test_totals_count_trainable_tensors_only():
    """A frozen tensor is in no convention's update: it leaves the decay counts for the frozen columns."""
    infos = [ParamInfo("w", (3, 4), "float32"), ParamInfo("v", (5, 6), "float32", trainable=False),
             ParamInfo("b", (3,), "float32")]
    t = totals_by_key(parameter_table(infos))
    assert (t["torch"]["decay tensors"], t["torch"]["decay params"]) == (2, 15)
    assert (t["nanogpt"]["decay tensors"], t["nanogpt"]["no_decay tensors"]) == (1, 1)
    assert all((row["frozen tensors"], row["frozen params"]) == (1, 30) for row in t.values())


def test_resnet50_known_totals(resnet50):
    """nanoGPT decays the 53 convs + fc.weight; torchvision also decays fc.bias (only norms are exempt)."""
    t = totals_by_key(resnet50)
    assert (t["torch"]["decay tensors"], t["torch"]["decay params"]) == (161, 25_557_032)
    assert (t["nanogpt"]["decay tensors"], t["nanogpt"]["decay params"]) == (54, 25_502_912)
    assert (t["timm"]["decay tensors"], t["timm"]["decay params"]) == (54, 25_502_912)
    assert (t["torchvision"]["decay tensors"], t["torchvision"]["decay params"]) == (55, 25_502_912 + 1000)
    assert t["torchvision"]["n/a tensors"] == 0
    assert t["mingpt"]["decay tensors"] == 1 and t["mingpt"]["n/a tensors"] == 106  # only fc.weight; convs/bn n/a


def test_totals_labels_follow_the_registry(resnet50):
    assert list(totals(resnet50)["convention"]) == [c.label for c in CONVENTIONS.values()]


def test_totals_and_summary_are_exact_beyond_64_bits():
    """Four 2^31 x 2^31 tensors (the reported stride-0 upload) hold 2^64 elements: pandas' int64 sum wraps to 0."""
    table = parameter_table([ParamInfo(f"t{i}", (2**31, 2**31), "float32") for i in range(4)])
    row = totals_by_key(table)["torch"]
    assert row["decay params"] == 2**64 and row["decay tensors"] == 4
    assert summary(table.iloc[:1], table) == f"1 of 4 tensors, {2**62:,} of {2**64:,} parameters"
    assert list(table["share"]) == [0.25] * 4


def test_summary_counts_the_filtered_rows(resnet50):
    assert summary(filter_table(resnet50, "fc."), resnet50) == "2 of 161 tensors, 2,049,000 of 25,557,032 parameters"


# ----------------------------------------------------------------------------- filter_table


def test_substring_filter_is_literal_and_case_sensitive(resnet50):
    bn = filter_table(resnet50, "bn")
    assert len(bn) == 2 * 49  # bn1 and 16 blocks x bn1..bn3; the 4 downsample norms are named downsample.1
    assert all("bn" in name for name in bn["name"])
    assert filter_table(resnet50, "BN").empty
    assert filter_table(resnet50, "layer4.").shape[0] == filter_table(resnet50, r"layer4\.", regex=True).shape[0]
    assert filter_table(resnet50, ".*").empty  # not a regex unless asked


def test_regex_filter(resnet50):
    rows = filter_table(resnet50, r"layer4\..*conv2\.weight$", regex=True)
    assert list(rows["name"]) == ["layer4.0.conv2.weight", "layer4.1.conv2.weight", "layer4.2.conv2.weight"]


def test_invalid_regex_is_a_value_error_with_the_reason(resnet50):
    with pytest.raises(ValueError, match=r"Invalid regular expression 'bn\['"):
        filter_table(resnet50, "bn[", regex=True)
    assert len(filter_table(resnet50, "bn[")) == 0  # as a plain substring it is merely absent


EXPANDING = ["a{100000000}", "a{2147483647}", "(?:a{65535}){65535}x", "a{10000000}", "bn{101}", "x{0,101}",
             "(?x) a { 1 0 0 0 0 0 0 0 0 }", "[ab]{101}+", "(?:a|b{200})c"]


@pytest.mark.parametrize("pattern", EXPANDING)
def test_a_pattern_with_a_large_count_is_refused_before_compiling(resnet50, pattern, monkeypatch):
    """Compiling writes each counted repeat out: a{100000000} took a server past 22 GB. The 0.5 s search
    timeout covers matching only, so the count is refused first, with the reason and the limit."""
    monkeypatch.setattr(regex, "compile", lambda *a, **k: pytest.fail(f"compiled {pattern!r}"))
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=rf"repeats something [\d,]+ times; the limit is {MAX_REPEAT} "):
            filter_table(resnet50, pattern, regex=True)
        assert tracemalloc.get_traced_memory()[1] < 2**20
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("pattern", ["(?:a{100}){100}", "(?:(?:a{20}){20}){20}", "(?:[a-z]{100}){30}"])
def test_nested_counted_repeats_multiply_and_are_refused_before_compiling(resnet50, pattern, monkeypatch):
    monkeypatch.setattr(regex, "compile", lambda *a, **k: pytest.fail(f"compiled {pattern!r}"))
    with pytest.raises(ValueError, match=rf"make [\d,]+ items \(nested repeats multiply\); the limit is "
                                         rf"{MAX_WRITTEN_OUT:,}"):
        filter_table(resnet50, pattern, regex=True)


@pytest.mark.parametrize("pattern", [r"layer4\..*weight", r"bn\d{1,2}", r"^fc\.(weight|bias)$", r"(?i)FC",
                                     r"(?:layer[1-4]\.){1}0\.downsample", "(?:x{100})" * 10 + "|fc", r"\d{100}|bn1"])
def test_ordinary_patterns_within_the_limits_still_search(resnet50, pattern):
    """Python's re, which has no such limits, is the oracle for which names match."""
    expected = [name for name in resnet50["name"] if re.search(pattern, name)]
    assert expected and list(filter_table(resnet50, pattern, regex=True)["name"]) == expected


def test_a_pattern_over_the_length_limit_is_refused(resnet50):
    with pytest.raises(ValueError, match=rf"the limit is {MAX_PATTERN}"):
        filter_table(resnet50, "a" * (MAX_PATTERN + 1), regex=True)


def test_empty_pattern_keeps_every_row(resnet50):
    assert len(filter_table(resnet50)) == 161
    assert len(filter_table(resnet50, "", regex=True)) == 161


def test_verdict_filter_timm_no_decay_is_the_vectors(resnet50):
    rows = filter_table(resnet50, convention="timm", verdict="no_decay")
    assert len(rows) == 107
    assert all("x" not in shape for shape in rows["shape"])  # every row is 1-D (ndim <= 1)


def test_pattern_and_verdict_filters_combine(resnet50):
    rows = filter_table(resnet50, "fc", convention="torchvision", verdict="decay")
    assert list(rows["name"]) == ["fc.weight", "fc.bias"]
    assert filter_table(resnet50, "fc", convention="nanogpt", verdict="no_decay")["name"].tolist() == ["fc.bias"]


@pytest.mark.parametrize(("convention", "verdict"), [("adam", "decay"), ("timm", "maybe")])
def test_unknown_convention_or_verdict(resnet50, convention, verdict):
    with pytest.raises(ValueError, match="Unknown convention or verdict"):
        filter_table(resnet50, convention=convention, verdict=verdict)


# ----------------------------------------------------------------------------- CSV and CLI


def test_csv_table_columns(resnet50):
    rows = list(csv.reader(io.StringIO(csv_table(resnet50))))
    assert rows[0] == CSV_HEADER
    assert rows[1] == ["conv1.weight", "64x3x7x7", "9408", "decay", "decay", "decay", "decay", "decay", "n/a"]


def test_cli_prints_the_resnet50_csv(cli):
    result = cli("resnet50")
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == CSV_HEADER
    assert len(rows) == 1 + 161
    assert all(cell in VERDICTS for row in rows[1:] for cell in row[3:])
    assert sum(int(row[2]) for row in rows[1:]) == 25_557_032


def test_cli_list_names_the_models(cli):
    result = cli("--list")
    assert result.returncode == 0
    keys = [line.split("\t")[0] for line in result.stdout.splitlines()]
    assert "resnet50" in keys and "gpt2" in keys


def test_cli_unknown_model_exits_2_with_the_choices(cli):
    result = cli("resnet51")
    assert result.returncode == 2
    assert "Unknown model 'resnet51'" in result.stderr and result.stdout == ""


def test_totals_count_each_sub_table_of_a_partly_frozen_model(resnet50):
    """totals() counts with masks (a sub-table per convention and verdict was about 23 ms of each Parameters
    rerun); its numbers are those of the sub-tables themselves."""
    table = resnet50.assign(trainable=~resnet50["name"].str.startswith("layer1."))
    trainable = table["trainable"]
    for key, row in totals_by_key(table).items():
        for verdict in (DECAY, NO_DECAY, NA):
            chosen = table[trainable & (table[key] == verdict)]
            assert (row[f"{verdict} tensors"], row[f"{verdict} params"]) == (len(chosen), numel_sum(chosen))
        assert (row["frozen tensors"], row["frozen params"]) == ((~trainable).sum(), numel_sum(table[~trainable]))
        assert row["frozen tensors"] > 0
