"""Frontier: what recent research says about weight decay, each idea a live experiment with its
source (issue 16). The experiments are the modules of ui/frontier/, listed once in SECTIONS;
the page binds all their fields in one scope, so their keys are unique across the lab."""

import streamlit as st

from ui.classroom import aside
from ui.frontier import decoupling, embeddings, gradient_growth, rotation, timescale
from ui.state import PageState, bind, rerun_alone

SECTIONS = (timescale, decoupling, rotation, gradient_growth, embeddings)
FIELDS = tuple(f for section in SECTIONS for f in section.FIELDS)


@rerun_alone
def run_section(s: PageState, section) -> None:
    """One experiment, rerun alone when one of its controls moves: the others are neither run nor sent again."""
    section.section(s)


def main() -> None:
    st.title("Frontier: what recent research says about weight decay")
    aside("Each idea is a live experiment, checked against torch.optim or the paper's algorithm written out; "
          "every sentence is computed from the numbers shown.")
    with bind("frontier", FIELDS) as s:
        for section in SECTIONS:
            run_section(s, section)


main()
