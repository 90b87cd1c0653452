"""The parameter explorer through AppTest: the ResNet-50 table, search, the regex error,
the verdict filter and the snippet."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.params.checkpoints import MAX_TENSORS, MAX_UPLOAD_BYTES, UPLOAD_LIMIT_MB, CheckpointError, read_checkpoint
from core.params.models import MODELS, build
from core.params.table import MAX_STYLED_ROWS, filter_table, infos_from_model, parameter_table
from core.text import escape_markdown
from tests.checkpoint_helpers import safetensors_header_only
from tests.page_helpers import run_page

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "app_pages" / "parameters.py")


def run(**state) -> AppTest:
    return run_page("parameters", **state)


def shown_table(at):
    return at.dataframe[0].value


def model_table_for_test():
    return parameter_table(infos_from_model(build("resnet50")))


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
    from core.params.reference_rules import mingpt_failure_for

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


# ----------------------------------------------------------------------------- uploads and link text, shown literally

EVIL = "[re-login](http://evil)[![x](http://evil/x.png)](http://evil)"


def upload(data: bytes, filename: str) -> AppTest:
    at = run(model="upload")
    at.sidebar.file_uploader(key="upload").upload(filename, data)
    return at.run()


def assert_literal(shown: str, message: str):
    """What st.error got is message escaped: no link, image or other markdown can form."""
    assert shown == escape_markdown(message)
    assert "](" not in shown and "![" not in shown and "<" not in shown.replace("\\<", "")


def test_a_regex_error_from_a_link_is_shown_literally_not_as_markdown():
    """A link could put a remote image and a 're-login' link inside the app's error box."""
    at = run_page("parameters", query={"regex": "true", "search": EVIL + "("})
    assert not at.exception
    with pytest.raises(ValueError) as err:
        filter_table(model_table_for_test(), EVIL + "(", regex=True)
    assert_literal(at.error[0].value, str(err.value))


def test_a_pattern_too_costly_to_compile_gets_its_reason():
    at = run_page("parameters", query={"regex": "true", "search": "a{100000000}"})
    assert not at.exception
    assert "repeats something 100,000,000 times" in at.error[0].value.replace("\\", "")


def test_an_upload_name_is_shown_literally():
    at = upload(b"not a checkpoint", EVIL + ".pt")
    assert not at.exception
    with pytest.raises(CheckpointError) as err:
        read_checkpoint(b"not a checkpoint", EVIL + ".pt")
    assert_literal(at.error[0].value, str(err.value))


def test_a_pickle_calling_os_system_is_reported_as_code():
    class System:
        def __reduce__(self):
            return os.system, ("true",)

    at = upload(pickle.dumps(System(), protocol=2), "evil.pt")
    assert not at.exception
    shown = at.error[0].value.replace("\\", "")
    assert "refused because it contains code" in shown and f"{os.system.__module__}.system" in shown


def test_as_many_tensors_as_the_limit_render_without_colouring():
    """Beyond MAX_STYLED_ROWS rows the Styler is dropped (it costs ~0.5 ms a row, and pandas refuses more than
    262,144 cells), and the page says so."""
    at = upload(safetensors_header_only(MAX_TENSORS), "big.safetensors")
    assert not at.exception
    assert len(shown_table(at)) == MAX_TENSORS
    assert f"at most {MAX_STYLED_ROWS:,} rows" in " ".join(c.value for c in at.caption)
    assert at.markdown[0].value.startswith(f"{MAX_TENSORS:,} of {MAX_TENSORS:,} tensors")


def test_the_reported_21846_tensors_get_a_message_not_a_traceback():
    at = upload(safetensors_header_only(21_846), "many.safetensors")
    assert not at.exception
    assert "the limit is" in at.error[0].value.replace("\\", "")


def test_the_uploader_refuses_in_the_browser_what_the_core_refuses():
    at = run(model="upload")
    assert at.sidebar.file_uploader(key="upload").proto.max_upload_size_mb == UPLOAD_LIMIT_MB
    assert MAX_UPLOAD_BYTES == UPLOAD_LIMIT_MB * 10**6


# ----------------------------------------------------------------------------- Hugging Face models, freeze and LoRA


def test_an_hf_preset_shows_the_chosen_conventions_headline_above_the_table_and_every_one_folded():
    from core.params.conventions import CONVENTIONS
    from core.params.headline import headlines
    from core.params.table import model_table

    at = run(model="hf:llama-3-8b", convention="hf_trainer")
    assert not at.exception
    model = build("hf:llama-3-8b")
    table = model_table(model)
    every = dict(zip(CONVENTIONS, headlines(table, model), strict=True))
    shown = [m.value for m in at.markdown]
    assert every["hf_trainer"] in shown
    assert "**Hugging Face Trainer** decays 226 of 291 tensors" in every["hf_trainer"]
    folded = at.expander[0]
    assert folded.label == "What every convention decays"
    assert folded.markdown[0].value == "\n".join(f"- {s}" for s in every.values())
    assert list(shown_table(at)["hf_trainer"]) == list(table["hf_trainer"])


def test_lora_counts_only_the_adapters_as_trainable():
    at = run(model="hf:gpt2", freeze="lora", lora_r=4)
    assert not at.exception
    table = shown_table(at)
    assert int(table["trainable"].sum()) == 2 * 12  # lora_A and lora_B on c_attn in 12 blocks
    assert "are frozen: no convention updates them" in " ".join(c.value for c in at.caption)
    assert "decays 24 of 24 trainable tensors" in at.markdown[0].value


def test_a_freeze_that_does_not_apply_gets_a_message():
    at = run(model="resnet50", freeze="last_k")
    assert not at.exception
    assert "no list of blocks" in at.error[0].value.replace("\\", "")


def paste(text: str) -> AppTest:
    at = run(model="hf-config")
    at.sidebar.text_area(key="config_paste").set_value(text)
    return at.run()


def test_a_pasted_config_builds_its_model():
    from core.params.hf_models import preset_text

    at = paste(preset_text("bert-base-uncased"))
    assert not at.exception
    assert len(shown_table(at)) == 202


def test_a_pasted_configs_text_is_shown_literally():
    from core.params.hf_models import HFConfigError, build_text

    text = '{"model_type": "' + EVIL + '"}'
    at = paste(text)
    assert not at.exception
    with pytest.raises(HFConfigError) as err:
        build_text(text)
    assert_literal(at.error[0].value, str(err.value))


def test_the_config_choice_without_text_explains_what_to_do():
    at = run(model="hf-config")
    assert not at.exception and "Paste a config.json" in at.info[0].value
