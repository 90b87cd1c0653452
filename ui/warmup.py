"""One-time process warm-up: the first optimizer imports torch._dynamo (about 1 s), Streamlit's
post-run gc.collect(2) walks every torch/plotly object unless they are frozen, and freed tensor
memory is kept for the next training step (core.allocator)."""

from __future__ import annotations

import gc

import streamlit as st
import torch

from core.allocator import reuse_freed_memory


@st.cache_resource(show_spinner=False)
def warm_up() -> bool:
    torch.set_num_threads(1)  # one thread per session serves concurrent visitors best
    reuse_freed_memory()
    param = torch.zeros(1, requires_grad=True)
    param.grad = torch.zeros(1)
    torch.optim.SGD([param], lr=0.1).step()
    gc.collect()
    gc.freeze()
    return True
