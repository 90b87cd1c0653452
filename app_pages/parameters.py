"""Parameters: which tensors of a real model each common convention decays, searchable."""

import pandas as pd
import streamlit as st

from core.numbers import percent
from core.params.checkpoints import SUFFIXES, UPLOAD_LIMIT_MB, CheckpointError, read_checkpoint
from core.params.conventions import CONVENTIONS, DECAY, NA, NO_DECAY
from core.params.models import MODELS, TORCHVISION_PREFIX, build, torchvision_models
from core.params.reference_rules import mingpt_failure_for
from core.params.snippets import optimizer_snippet
from core.params.table import (
    MAX_STYLED_ROWS,
    filter_table,
    infos_from_model,
    infos_from_state_dict,
    no_weight_decay_names,
    parameter_table,
    summary,
    totals,
)
from core.schema import Field
from core.text import escape_markdown
from ui import widgets
from ui.classroom import aside
from ui.state import PageState, bind

UPLOAD = "upload"
ANY = "any"
BUILT_IN = (*MODELS, *(TORCHVISION_PREFIX + name for name in torchvision_models()))  # torchvision's when installed
FIELDS = (
    Field("model", "resnet50", choices=(*BUILT_IN, UPLOAD), label="Model"),
    Field("search", "", label="Search parameter names"),
    Field("regex", False, label="Regular expression"),
    Field("convention", "torch", choices=tuple(CONVENTIONS), label="Convention"),
    Field("verdict", ANY, choices=(ANY, DECAY, NO_DECAY, NA), label="Show"),
    Field("snippet_wd", 0.1, 0.0, 10.0, label="weight_decay for the decayed group"),
)
VERDICT_COLORS = {DECAY: "background-color: #fde0c5", NO_DECAY: "background-color: #cfe3f3", NA: "color: #777"}


@st.cache_data(max_entries=32, show_spinner=False)
def model_table(key: str) -> pd.DataFrame:
    model = build(key)  # on the meta device: no weights are allocated
    return parameter_table(infos_from_model(model), no_weight_decay_names(model))


@st.cache_data(max_entries=8, show_spinner=False)
def upload_table(data: bytes, filename: str) -> pd.DataFrame:
    return parameter_table(infos_from_state_dict(read_checkpoint(data, filename)))


def model_label(key: str) -> str:
    if key == UPLOAD:
        return "Upload a checkpoint…"
    return MODELS[key].label if key in MODELS else f"{key.removeprefix(TORCHVISION_PREFIX)} (torchvision)"


def source_table(s: PageState) -> pd.DataFrame | None:
    sb = st.sidebar
    key = widgets.select(s, "model", format_func=model_label)
    if key != UPLOAD:
        st.caption(MODELS[key].description if key in MODELS else "torchvision's own constructor, weights=None")
        return model_table(key)
    upload = sb.file_uploader(f"Checkpoint ({', '.join(SUFFIXES)}, at most {UPLOAD_LIMIT_MB} MB)",
                              type=[s.lstrip(".") for s in SUFFIXES], key="upload", max_upload_size=UPLOAD_LIMIT_MB)
    st.caption(".safetensors, or a state dict saved by torch.save: only names, shapes and dtypes are read "
               "(torch.load with weights_only=True, on the meta device), never arbitrary unpickling. Without the "
               "model's modules, rules that need the module type say n/a.")
    if upload is None:
        st.info("Upload a checkpoint in the sidebar to list its tensors.")
        return None
    try:
        return upload_table(upload.getvalue(), upload.name)
    except CheckpointError as err:  # its message quotes the file's name, and perhaps text from inside it
        st.error(escape_markdown(str(err)))
        return None


def main() -> None:
    st.title("Parameters: which tensors get decayed")
    aside("torch.optim decays every parameter it is given, BatchNorm and biases included. "
               "Recipes differ on which to exclude; here is each one's verdict, tensor by tensor.")
    with bind("parameters", FIELDS) as s:
        body(s)


def body(s: PageState) -> None:
    table = source_table(s)
    if table is None:
        return
    left, mid, right = st.columns([3, 2, 2])
    search = widgets.text(s, "search", left, placeholder="e.g. bn or layer4\\..*weight")
    regex = widgets.toggle(s, "regex", left)
    convention = widgets.select(s, "convention", mid, format_func=lambda k: CONVENTIONS[k].label)
    verdict = widgets.select(s, "verdict", right)
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
    st.download_button("Download CSV", shown.to_csv(index=False), "parameters.csv", "text/csv", key="csv")
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
