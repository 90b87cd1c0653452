"""Classroom controls shared by every page: presentation mode, export format, share link."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from core.figures.matrix_table import STYLE as MATRIX_TABLE_STYLE
from core.schema import Field
from core.text import literal
from ui import widgets
from ui.state import PageState, value

FIELDS = (
    Field("present", False, label="Presentation mode",
          help="Large type, thick lines, high contrast, sidebar tucked away: for a projector."),
    Field("export_format", "png", choices=("png", "svg"), label="Chart export format",
          help="What the camera button in each chart's toolbar downloads."),
)

# Large type and high contrast for a projector: Streamlit sizes text in rem, so the root
# font size scales everything. Captions: Streamlit dims their container with opacity 0.6, so a
# colour alone left them grey. Opened, the sidebar lies over the page instead of squeezing it: the
# charts keep the width they were fitted to (pushed aside at 1280 px, heatmap numbers and axis labels
# ran together). The first screen at 1280x720 must reach the main chart: less
# padding above the title, a smaller title; the header bar (the sidebar's button) is see-through, since
# it is taller than that padding and covered the title's top. The laid-over sidebar is one screen tall and
# scrolls: Streamlit's own height won over a plain one, so it grew to its content (1834 px on Theory) and
# every control below the first 720 px, the mode's own switch among them, was out of reach.
PRESENTATION_CSS = """
<style>
html { font-size: 22px; }
[data-testid="stAppViewContainer"], [data-testid="stMain"] { background: #ffffff; color: #000000; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * {
  color: #111111 !important; opacity: 1 !important; }
[data-testid="stCaptionContainer"] { font-size: 0.95rem !important; }
[data-testid="stMetricValue"] { font-size: 2.4rem !important; }
[data-testid="stMainBlockContainer"] { padding-top: 2rem !important; padding-left: 1.5rem !important;
  padding-right: 1.5rem !important; }
h1 { font-size: 1.6rem !important; padding-top: 0 !important; padding-bottom: 0.3rem !important; }
[data-testid="stHeader"], [data-testid="stHeader"] * { background: transparent !important;
  pointer-events: none !important; }
[data-testid="stHeader"] button { pointer-events: auto !important; }
[data-testid="stSidebar"] { position: fixed !important; top: 0; left: 0; height: 100vh !important; z-index: 999991;
  box-shadow: 4px 0 24px rgba(0, 0, 0, 0.25); }
h2, h3 { font-size: 1.25rem !important; }
.katex { font-size: 1.45em !important; }
"""


def presentation_requested() -> bool:
    """Before set_page_config: from the session, or from a link that says present=true."""
    stored = value("app", "present")
    if stored is not None:
        return bool(stored)
    return str(st.query_params.get("present", "")).lower() in ("true", "1")


# Every mode: a formula still wider than its column (core.explain.latex_wrap breaks the long ones
# into rows) scrolls instead of being cut, and says so: a shadow at each edge with more beyond it
# (scroll shadows: the white covers are attached to the content, the shadows to the box). Phones
# and touch screens draw no scroll bar. On a phone the display formulas are set a little smaller.
LAYOUT_CSS = """
<style>
.katex-display { overflow-x: auto; overflow-y: hidden; padding-bottom: 4px;
  background:
    linear-gradient(to right, #ffffff 30%, rgba(255,255,255,0)) left center / 2.5em 100% no-repeat local,
    linear-gradient(to left, #ffffff 30%, rgba(255,255,255,0)) right center / 2.5em 100% no-repeat local,
    radial-gradient(farthest-side at 0 50%, rgba(0,0,0,0.35), rgba(0,0,0,0)) left center / 0.9em 100% no-repeat scroll,
    radial-gradient(farthest-side at 100% 50%, rgba(0,0,0,0.35), rgba(0,0,0,0)) right center / 0.9em 100% no-repeat
      scroll; }
@media (max-width: 640px) { .katex-display > .katex { font-size: 0.95em; } }
</style>
"""


def presenting() -> bool:
    """The page is drawn for a projector (the sidebar's toggle, or present=true in the link)."""
    return bool(value("app", "present"))


def aside(text: str, where=st) -> None:
    """A caption a lecturer says aloud instead: drawn outside presentation mode only, so the first
    screen of a projector (1280x720) reaches the page's main chart."""
    if not presenting():
        where.caption(text)


def classroom_controls(shared: PageState) -> None:
    st.html(LAYOUT_CSS + MATRIX_TABLE_STYLE)  # style tags only: Streamlit sends them where they take no space
    widgets.toggle(shared, "present")
    widgets.select(shared, "export_format")
    if shared["present"]:
        st.html(PRESENTATION_CSS)


# A part of a page that reruns alone (ui.state.rerun_alone: a question card) writes its controls into the
# address bar (ui.state.PageState.write_link) but cannot draw the sidebar again, so the browser keeps
# the link shown equal to the address bar: once the app is idle (no script running) and the link is
# this page's, with another query. A full run draws the same link itself, so it is left alone then.
KEEP_LINK_JS = r"""<script>
if (!window.__keepShareLink) {
  window.__keepShareLink = setInterval(() => {
    const shown = document.querySelector('.st-key-share-link code');
    if (!shown || document.querySelector('[data-testid=stStatusWidget]')) return;
    // the root page's path is "/", written without it in the server's link ("http://host?t=2")
    const here = location.origin + location.pathname.replace(/\/$/, ''), link = here + location.search;
    const text = shown.textContent;
    if (text !== link && (text === here || text.startsWith(here + '?'))) shown.textContent = link;
  }, 100);
}
</script>"""


def share_link() -> None:
    """After the page ran (ui.state wrote the view into the query, and only its keys): the
    link to this exact view."""
    base = (st.context.url or "").split("?")[0]
    query = urlencode(st.query_params.to_dict())
    box = st.sidebar.container(key="share-link")
    box.caption("Share this view (every control is in the link):")
    link = f"{base}?{query}" if query else base or "(open the app in a browser to get its link)"
    box.markdown(literal(link, max_chars=len(link)))  # urlencoded: nothing to escape, never shortened
    box.html(KEEP_LINK_JS, unsafe_allow_javascript=True)
