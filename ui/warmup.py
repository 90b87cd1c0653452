"""One-time process warm-up: the first optimizer imports torch._dynamo (about 1 s), and
Streamlit's post-run gc.collect(2) walks every torch/plotly object unless they are frozen."""

from __future__ import annotations

import gc

import streamlit as st
import torch


@st.cache_resource(show_spinner=False)
def warm_up() -> bool:
    torch.set_num_threads(1)  # one thread per session serves concurrent visitors best
    param = torch.zeros(1, requires_grad=True)
    param.grad = torch.zeros(1)
    torch.optim.SGD([param], lr=0.1).step()
    gc.collect()
    gc.freeze()
    return True
