"""The Frontier lab's sections, one module per experiment (issue 16).

Each module declares FIELDS (its controls, keys unique across the lab: the page binds them
in one scope), SOURCE (the paper or issue it rests on) and section(s), which draws its
header, controls, charts and generated sentences. The page lists the modules once, in
app_pages/frontier.py's SECTIONS; a new experiment is one module here, one in core/frontier/
and one line there.
"""
