"""core.optim's registry: the options the page offers resolve, reach torch, and build the right class."""

import inspect

import pytest
import torch

from core import optim
from core.optim import OPTIMIZERS

KEYS = sorted(OPTIMIZERS)


def torch_defaults(spec) -> dict:
    params = inspect.signature(getattr(torch.optim, spec.torch_class).__init__).parameters
    return {name: p.default for name, p in params.items() if p.default is not inspect.Parameter.empty}


@pytest.mark.parametrize("key", KEYS)
def test_every_option_resolves_to_its_default(key):
    """With nothing chosen, each option takes its declared default, with the default's type."""
    spec = OPTIMIZERS[key]
    resolved = spec.resolve()
    assert resolved == {o.key: o.default for o in spec.options}
    assert all(type(resolved[o.key]) is type(o.default) for o in spec.options)


@pytest.mark.parametrize("key", KEYS)
def test_option_defaults_match_torch_defaults(key):
    """The page's defaults are torch's, so an untouched selector means an untouched torch argument."""
    spec = OPTIMIZERS[key]
    expected = torch_defaults(spec)
    if "betas" in expected:
        expected["beta1"], expected["beta2"] = expected.pop("betas")
    assert all(o.default == expected[o.key] for o in spec.options)
    assert spec.default_weight_decay == expected["weight_decay"]


@pytest.mark.parametrize("key", KEYS)
def test_rule_defaults_match_torch_defaults(key):
    """Arguments the page never sets (eps) default in the rule exactly as in torch."""
    spec = OPTIMIZERS[key]
    rule_params = inspect.signature(spec.step).parameters
    expected = torch_defaults(spec)
    if "eps" in expected:
        assert rule_params["eps"].default == expected["eps"]
    assert rule_params["weight_decay"].default == expected["weight_decay"]


@pytest.mark.parametrize("key", KEYS)
def test_float_option_defaults_lie_on_their_slider(key):
    """A slider must be able to show its own default."""
    for o in OPTIMIZERS[key].options:
        if not isinstance(o.default, bool):
            assert o.low <= o.default <= o.high, o


def test_resolve_casts_given_values_to_the_option_type():
    """A slider may hand over an int; the rule gets a float."""
    resolved = optim.get("sgd").resolve({"momentum": 1})
    assert resolved["momentum"] == 1.0 and isinstance(resolved["momentum"], float)


@pytest.mark.parametrize("key", KEYS)
def test_unknown_option_raises_naming_it(key):
    """A typo never passes silently."""
    with pytest.raises(ValueError, match="no option momentun"):
        OPTIMIZERS[key].resolve({"momentun": 0.9})


@pytest.mark.parametrize("key", ["adam", "adamw"])
def test_torch_kwargs_pack_beta1_beta2_into_betas(key):
    """torch.optim.Adam/AdamW take betas as a pair."""
    kwargs = OPTIMIZERS[key].torch_kwargs({"beta1": 0.5, "beta2": 0.9})
    assert kwargs["betas"] == (0.5, 0.9)
    assert "beta1" not in kwargs and "beta2" not in kwargs


@pytest.mark.parametrize("key", ["sgd", "rmsprop", "adagrad"])
def test_torch_kwargs_are_the_resolved_options_elsewhere(key):
    """Only Adam-style optimizers rename anything."""
    assert OPTIMIZERS[key].torch_kwargs() == OPTIMIZERS[key].resolve()


@pytest.mark.parametrize("key", KEYS)
def test_make_torch_builds_the_named_class_with_our_settings(key):
    """The oracle is the real torch class, configured with lr, weight_decay and every option."""
    spec = OPTIMIZERS[key]
    opt = spec.make_torch([torch.zeros(3, requires_grad=True)], lr=0.05, weight_decay=0.2)
    assert type(opt) is getattr(torch.optim, spec.torch_class)
    group = opt.param_groups[0]
    assert group["lr"] == 0.05 and group["weight_decay"] == 0.2
    assert all(group[k] == v for k, v in spec.torch_kwargs().items())


def test_decay_enters_says_where_torch_applies_decay():
    """SGD and AdamW report lr*wd*W (parameter units); the L2-style rules report wd*W (gradient units)."""
    assert {k: s.decay_enters for k, s in OPTIMIZERS.items()} == {
        "sgd": "parameter", "adam": "gradient", "adamw": "parameter", "rmsprop": "gradient", "adagrad": "gradient",
    }


def test_get_returns_the_spec():
    assert optim.get("adamw") is OPTIMIZERS["adamw"]


def test_get_unknown_key_raises_listing_the_choices():
    """The message lists every valid key, so a user can fix the typo."""
    with pytest.raises(ValueError, match="nope") as info:
        optim.get("nope")
    assert all(repr(k) in str(info.value) for k in OPTIMIZERS)
