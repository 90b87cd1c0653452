"""Weight Decay Lab: routes the pages and holds the shared sidebar (the device picker)."""

import streamlit as st

from ui.device import device_picker
from ui.warmup import warm_up

PAGES = {
    "Labs": [
        st.Page("pages/single_step.py", title="Single step", icon="🔬", default=True),
    ],
}


def main() -> None:
    st.set_page_config(page_title="Weight Decay Lab", page_icon="⚖️", layout="wide")
    warm_up()
    page = st.navigation(PAGES)
    device_picker()
    page.run()


if __name__ == "__main__":
    main()
