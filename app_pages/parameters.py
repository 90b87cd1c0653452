"""Parameters: which tensors of a real model each common convention decays, searchable."""

import pandas as pd
import streamlit as st

from core.numbers import percent
from core.params.checkpoints import SUFFIXES, UPLOAD_LIMIT_MB, CheckpointError, read_checkpoint
from core.params.conventions import CONVENTIONS, DECAY, NA, NO_DECAY
from core.params.freeze import FREEZE_MODES, LORA_RANKS, Freeze, FreezeError, apply_freeze
from core.params.headline import frozen_sentence, headlines
from core.params.hf_models import HF_PREFIX, HF_PRESETS, MAX_CONFIG_BYTES, MAX_LAYERS, HFConfigError, build_text
from core.params.models import MODELS, TORCHVISION_PREFIX, build, hf_keys, torchvision_models
from core.params.reference_rules import mingpt_failure_for
from core.params.search import MAX_PATTERN
from core.params.snippets import optimizer_snippet
from core.params.table import (
    MAX_STYLED_ROWS,
    filter_table,
    infos_from_state_dict,
    model_table,
    parameter_table,
    summary,
    totals,
)
from core.schema import Field
from core.text import escape_markdown
from ui import widgets
from ui.classroom import aside
from ui.state import PageState, bind, rerun_alone

UPLOAD = "upload"
HF_CONFIG = "hf-config"
ANY = "any"
# torchvision's models when it is installed
BUILT_IN = (*MODELS, *hf_keys(), *(TORCHVISION_PREFIX + name for name in torchvision_models()))
FIELDS = (
    Field("model", "resnet50", choices=(*BUILT_IN, HF_CONFIG, UPLOAD), label="Model"),
    Field("freeze", "none", choices=tuple(FREEZE_MODES), label="Trainable",
          help="Frozen tensors (requires_grad=False) are in no convention's update; the totals count trainable ones"),
    Field("freeze_k", 2, 0, MAX_LAYERS, step=1, label="k: blocks trained"),
    Field("freeze_pattern", "", max_len=MAX_PATTERN, label="Freeze names matching (regular expression)"),
    Field("lora_r", 8, choices=LORA_RANKS, label="LoRA rank r"),
    Field("search", "", label="Search parameter names"),
    Field("regex", False, label="Regular expression"),
    Field("convention", "torch", choices=tuple(CONVENTIONS), label="Convention"),
    Field("verdict", ANY, choices=(ANY, DECAY, NO_DECAY, NA), label="Show"),
    Field("snippet_wd", 0.1, 0.0, 10.0, label="weight_decay for the decayed group"),
)
VERDICT_COLORS = {DECAY: "background-color: #fde0c5", NO_DECAY: "background-color: #cfe3f3", NA: "color: #777"}


@st.cache_data(max_entries=32, show_spinner=False)
def model_view(key: str, freeze: Freeze) -> tuple[pd.DataFrame, list[str], str]:
    """The table of a built-in model under a freeze, its headline per convention and its frozen share."""
    return _view(apply_freeze(build(key), freeze))  # on the meta device: no weights are allocated


@st.cache_data(max_entries=8, show_spinner=False)
def config_view(text: bytes, freeze: Freeze) -> tuple[pd.DataFrame, list[str], str]:
    """The same for a pasted or uploaded config.json (validated and bounded by core.params.hf_models)."""
    return _view(apply_freeze(build_text(text), freeze))


def _view(model) -> tuple[pd.DataFrame, list[str], str]:
    table = model_table(model)
    return table, headlines(table, model), frozen_sentence(table)


@st.cache_data(max_entries=8, show_spinner=False)
def upload_table(data: bytes, filename: str) -> pd.DataFrame:
    return parameter_table(infos_from_state_dict(read_checkpoint(data, filename)))


def model_label(key: str) -> str:
    if key == UPLOAD:
        return "Upload a checkpoint…"
    if key == HF_CONFIG:
        return "Paste or upload a config.json…"
    if key.startswith(HF_PREFIX):
        return HF_PRESETS[key.removeprefix(HF_PREFIX)].label
    return MODELS[key].label if key in MODELS else f"{key.removeprefix(TORCHVISION_PREFIX)} (torchvision)"


def freeze_controls(s: PageState) -> Freeze:
    """Which tensors are trainable: the mode, and the one setting it takes."""
    sb = st.sidebar
    mode = widgets.select(s, "freeze", format_func=FREEZE_MODES.get)
    if mode == "last_k":
        return Freeze(mode, k=int(widgets.number(s, "freeze_k", sb)))
    if mode == "pattern":
        return Freeze(mode, pattern=widgets.text(s, "freeze_pattern", sb, placeholder="e.g. embed|layers\\.[0-9]\\."))
    if mode == "lora":
        return Freeze(mode, r=widgets.select(s, "lora_r"))
    return Freeze(mode)


def config_text() -> bytes | None:
    """A pasted config.json, else an uploaded one; None while there is neither."""
    sb = st.sidebar
    pasted = sb.text_area("config.json", key="config_paste", max_chars=MAX_CONFIG_BYTES, height=120,
                          placeholder='{"model_type": "llama", "hidden_size": 4096, ...}')
    upload = sb.file_uploader("…or upload config.json", type=["json"], key="config_upload",
                              max_upload_size=max(1, MAX_CONFIG_BYTES // 1_000_000))
    st.caption("A Hugging Face config.json, built with transformers on the meta device: no weights, no download, "
               "no custom code. Known model types only, sizes bounded.")
    if pasted.strip():
        return pasted.encode()
    return upload.getvalue() if upload is not None else None


def source_table(s: PageState) -> tuple[pd.DataFrame, list[str], str] | None:
    sb = st.sidebar
    key = widgets.select(s, "model", format_func=model_label)
    if key != UPLOAD:
        freeze = freeze_controls(s)
        if key in MODELS:
            st.caption(MODELS[key].description)
        elif key.startswith(HF_PREFIX):
            preset = HF_PRESETS[key.removeprefix(HF_PREFIX)]
            st.caption(f"Hugging Face transformers, built on the meta device from {preset.source}'s config.json "
                       "(stored with the app); the HF Trainer column is transformers' own "
                       "Trainer.get_decay_parameter_names.")
        elif key != HF_CONFIG:
            st.caption("torchvision's own constructor, weights=None")
        try:
            if key != HF_CONFIG:
                return model_view(key, freeze)
            text = config_text()
            if text is None:
                st.info("Paste a config.json in the sidebar, or upload one, to list its model's tensors.")
                return None
            return config_view(text, freeze)
        except (HFConfigError, FreezeError, ValueError) as err:  # may quote the config or the pattern
            st.error(escape_markdown(str(err)))
            return None
    upload = sb.file_uploader(f"Checkpoint ({', '.join(SUFFIXES)}, at most {UPLOAD_LIMIT_MB} MB)",
                              type=[s.lstrip(".") for s in SUFFIXES], key="upload", max_upload_size=UPLOAD_LIMIT_MB)
    st.caption(".safetensors, or a state dict saved by torch.save: only names, shapes and dtypes are read "
               "(torch.load with weights_only=True, on the meta device), never arbitrary unpickling. Without the "
               "model's modules, rules that need the module type say n/a.")
    if upload is None:
        st.info("Upload a checkpoint in the sidebar to list its tensors.")
        return None
    try:
        return upload_table(upload.getvalue(), upload.name), [], ""
    except CheckpointError as err:  # its message quotes the file's name, and perhaps text from inside it
        st.error(escape_markdown(str(err)))
        return None


def show_headlines(by_convention: dict[str, str], convention: str, frozen: str) -> None:
    """The chosen convention's headline above the table, every convention's one click away: six
    sentences pushed the table off a projector's first screen (1280x720)."""
    if convention in by_convention:
        st.markdown(by_convention[convention])
    if frozen:
        st.caption(frozen)
    if len(by_convention) > 1:
        with st.expander("What every convention decays"):
            st.markdown("\n".join(f"- {sentence}" for sentence in by_convention.values()))


def main() -> None:
    st.title("Parameters: which tensors get decayed")
    aside("torch.optim decays every parameter it is given, BatchNorm and biases included. "
               "Recipes differ on which to exclude; here is each one's verdict, tensor by tensor.")
    with bind("parameters", FIELDS) as s:
        body(s)


def body(s: PageState) -> None:
    view = source_table(s)
    if view is None:
        return
    explore(s, *view)


@rerun_alone
def explore(s: PageState, table: pd.DataFrame, sentences: list[str], frozen: str) -> None:
    """The table, searched and filtered, and what follows from it: its controls touch nothing above it,
    so a search reruns this part alone (the model, its build and the sidebar are not sent again)."""
    left, mid, right = st.columns([3, 2, 2])
    search = widgets.text(s, "search", left, placeholder="e.g. bn or layer4\\..*weight")
    regex = widgets.toggle(s, "regex", left)
    convention = widgets.select(s, "convention", mid, format_func=lambda k: CONVENTIONS[k].label)
    verdict = widgets.select(s, "verdict", right)
    show_headlines(dict(zip(CONVENTIONS, sentences, strict=True)) if sentences else {}, convention, frozen)
    try:
        shown = filter_table(table, search, regex, convention, None if verdict == ANY else verdict)
    except ValueError as err:  # its message quotes the pattern, which a link may carry
        st.error(escape_markdown(str(err)))
        shown = table.iloc[0:0]
    st.write(summary(shown, table))
    styled = len(shown) <= MAX_STYLED_ROWS  # pandas' Styler costs ~0.5 ms a row
    st.dataframe(
        shown.style.map(lambda v: VERDICT_COLORS.get(v, ""), subset=list(CONVENTIONS)).format({"share": percent})
        if styled else shown,
        hide_index=True, height=420,
        column_config={"numel": st.column_config.NumberColumn("numel", format="localized"),
                       **({} if styled else {"share": st.column_config.NumberColumn("share", format="percent")})},
    )
    if not styled:
        st.caption(f"Verdicts are coloured when at most {MAX_STYLED_ROWS:,} rows are shown: search to narrow them.")
    st.download_button("Download CSV", lambda: shown.to_csv(index=False), "parameters.csv", "text/csv", key="csv")
    st.subheader("Totals per convention")
    counts = totals(table)
    st.dataframe(counts, hide_index=True, column_config={  # thousands separators: 23,508,032 not 23508032
        c: st.column_config.NumberColumn(c, format="localized") for c in counts.columns if c != "convention"})
    st.caption("n/a: the convention cannot judge the tensor: torchvision's rule needs the module type, and minGPT "
               "classifies only Linear, LayerNorm and Embedding weights (its own code would refuse the model).")
    if failure := mingpt_failure_for(s["model"]):
        st.warning(failure)
    st.subheader(f"Param groups the {CONVENTIONS[convention].label} way")
    wd = widgets.number(s, "snippet_wd", st)
    st.code(optimizer_snippet(convention, weight_decay=wd, mingpt_failure=failure), language="python")
    st.caption(f"Source: {CONVENTIONS[convention].source}. Expects your model as `model`.")


main()
