"""The theory page renders every section with numbers, at the sliders' ends too."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[1] / "app_pages" / "theory.py")


def test_every_section_renders_with_live_numbers():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    assert [h.value[:2] for h in at.header] == ["1.", "2.", "3.", "4.", "5.", "6."]
    assert any("autograd" in latex.value for latex in at.latex)


@pytest.mark.parametrize("state", [dict(lr=0.001, weight_decay=0.0), dict(lr=1.0, weight_decay=10.0, alpha=0.05),
                                   dict(row=3, col=4, alpha=2.0)])
def test_range_ends_render_without_exceptions(state):
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in state.items():
        at.session_state[f"theory:{key}"] = value
    at.run()
    assert not at.exception
    assert at.sidebar.slider(key="theory:alpha").value == state.get("alpha", 0.5)


def test_exclusion_section_shows_the_generated_convention_sentences():
    """The page said Hugging Face and torchvision's reference exclude norm scales; it now shows core's counted
    sentences, among them that the HF Trainer decays all 53 BatchNorm weights of ResNet-50."""
    from core.params.convention_claims import convention_claims

    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    shown = "\n".join(m.value for m in at.markdown)
    assert all(claim in shown for claim in convention_claims())
    assert "Hugging Face Trainer** skips parameters of `nn.LayerNorm` modules" in shown
    assert "all 53 BatchNorm2d weights" in shown
    assert not any("torchvision's reference exclude them" in c.value for c in at.caption)
