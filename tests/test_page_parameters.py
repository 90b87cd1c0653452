"""The parameter explorer through AppTest: the ResNet-50 table, search, the regex error,
the verdict filter and the snippet."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.models import MODELS
from tests.page_helpers import run_page

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "app_pages" / "parameters.py")


def run(**state) -> AppTest:
    return run_page("parameters", **state)


def shown_table(at):
    return at.dataframe[0].value


def test_default_render_lists_resnet50():
    at = run()
    assert not at.exception
    table = shown_table(at)
    assert len(table) == 161 and int(table["numel"].sum()) == 25_557_032
    assert list(table["name"][:3]) == ["conv1.weight", "bn1.weight", "bn1.bias"]
    assert "161 of 161 tensors" in at.markdown[0].value


@pytest.mark.parametrize("model", list(MODELS))
def test_every_built_in_model_renders(model):
    at = run(model=model)
    assert not at.exception
    assert len(shown_table(at)) > 0


def test_search_and_verdict_filter_narrow_the_table():
    at = run()
    at.text_input(key="parameters:search").set_value("downsample").run()
    assert set(shown_table(at)["name"].str.contains("downsample")) == {True}
    at.selectbox(key="parameters:convention").set_value("timm").run()
    at.selectbox(key="parameters:verdict").set_value("no_decay").run()
    names = list(shown_table(at)["name"])
    assert names and all(".downsample.1." in n for n in names)  # the BatchNorm of each downsample


def test_an_invalid_regex_gets_a_message_not_a_traceback():
    at = run(regex=True, search="bn[")
    assert not at.exception
    assert "Invalid regular expression" in at.error[0].value
    assert len(shown_table(at)) == 0


def test_the_snippet_follows_the_chosen_convention():
    at = run(model="gpt2", convention="nanogpt")
    assert not at.exception
    code = at.code[0].value
    assert "p.dim() >= 2" in code and "AdamW" in code


def test_upload_choice_without_a_file_explains_what_to_do():
    at = run(model="upload")
    assert not at.exception
    assert "Upload a checkpoint" in at.info[0].value


def test_a_link_with_an_unknown_model_falls_back():
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["model"] = "resnet9000"
    at.run()
    assert not at.exception
    assert at.sidebar.selectbox(key="parameters:model").value == "resnet50"


def test_mingpt_failure_is_shown_with_its_reason_and_in_the_snippet():
    """nanoGPT's GPT-2: minGPT's code would raise; the page says so (the totals alone showed 48 decayed)."""
    from core.reference_rules import mingpt_failure_for

    at = run(model="gpt2", convention="mingpt")
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert warnings == [mingpt_failure_for("gpt2")]
    assert "KeyError: 'lm_head.weight' because lm_head.weight is tied to transformer.wte.weight" in warnings[0]
    assert "# minGPT would raise AssertionError" in at.code[0].value


def test_no_mingpt_warning_where_minGPT_builds_its_groups():
    at = run(model="mlp", convention="mingpt")
    assert not at.exception and not at.warning
    assert "minGPT would raise" not in at.code[0].value
