"""Weight Decay Lab: routes the pages and holds the shared sidebar (device, classroom controls, link).

The pages live in app_pages/, not pages/: Streamlit treats a pages/ folder as a v1
multipage app until the first st.navigation call, so a fresh server's first visitor
following a link to /training would run that page without this file.
"""

from pathlib import Path

import streamlit as st

from ui.classroom import FIELDS as CLASSROOM
from ui.classroom import classroom_controls, presentation_requested, share_link
from ui.device import device_fields, device_picker
from ui.state import bind
from ui.warmup import warm_up

# A file of ours, sent inline: a ":material/...:" page icon makes the browser fetch the favicon
# from fonts.gstatic.com, and the app must work offline.
FAVICON = Path(__file__).resolve().parent / "assets" / "favicon.svg"
PAGES = {
    "Labs": [
        st.Page("app_pages/single_step.py", title="Single step", icon=":material/grid_on:", default=True),
        st.Page("app_pages/training.py", title="Training", icon=":material/show_chart:"),
        st.Page("app_pages/sweep.py", title="Sweep", icon=":material/grid_view:"),
        st.Page("app_pages/frontier.py", title="Frontier", icon=":material/science:"),
    ],
    "Models": [
        st.Page("app_pages/parameters.py", title="Parameters", icon=":material/table_view:"),
    ],
    "Explain": [
        st.Page("app_pages/theory.py", title="Theory", icon=":material/functions:"),
        st.Page("app_pages/questions.py", title="Questions", icon=":material/help:"),
    ],
}


def main() -> None:
    st.set_page_config(page_title="Weight Decay Lab", page_icon=str(FAVICON), layout="wide",
                       initial_sidebar_state="collapsed" if presentation_requested() else "auto")
    warm_up()
    page = st.navigation(PAGES)
    with bind("app", (*device_fields(), *CLASSROOM), shared=True) as shared:
        device_picker(shared)
        classroom_controls(shared)
    try:
        page.run()
    finally:  # a page that stops early still gets its link
        share_link()


if __name__ == "__main__":
    main()
