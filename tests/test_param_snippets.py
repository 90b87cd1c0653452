"""core.params.snippets: every copyable snippet, executed on every built-in model (on the meta device),
chooses exactly the tensors the table says its convention decays, and builds a working AdamW."""

import functools
import re

import pytest
from torch import nn

from core.params.conventions import CONVENTIONS
from core.params.models import MODELS, build
from core.params.reference_rules import mingpt_failure, mingpt_outcome
from core.params.snippets import optimizer_snippet
from core.params.table import infos_from_model, no_weight_decay_names, parameter_table, totals

PRINTED = re.compile(r"^(decayed|not decayed): (\d+) tensors, ([\d,]+) parameters$", re.MULTILINE)


@functools.cache
def model_and_table(key: str):
    """Built once per model: executing a snippet reads the model but never changes it."""
    model = build(key)
    return model, parameter_table(infos_from_model(model), no_weight_decay_names(model))


def run_snippet(code: str, model: nn.Module) -> dict:
    namespace = {"model": model}
    exec(compile(code, "<snippet>", "exec"), namespace)
    return namespace


def printed_counts(stdout: str) -> dict[str, tuple[int, int]]:
    return {label: (int(n), int(params.replace(",", ""))) for label, n, params in PRINTED.findall(stdout)}


@pytest.mark.parametrize("convention", list(CONVENTIONS))
@pytest.mark.parametrize("key", list(MODELS))
def test_snippet_decays_what_the_table_says(key, convention, capsys):
    """Counts printed, and the very tensors in each group, match the table's verdicts; where the table has
    n/a rows only minGPT can be the cause, and its snippet refuses the model the way minGPT's assert does."""
    model, table = model_and_table(key)
    row = dict(zip(CONVENTIONS, totals(table).to_dict("records"), strict=True))[convention]
    code = optimizer_snippet(convention)
    if row["n/a tensors"]:
        assert convention == "mingpt"
        with pytest.raises(AssertionError, match="minGPT would refuse"):
            run_snippet(code, model)
        return
    ns = run_snippet(code, model)
    assert printed_counts(capsys.readouterr().out) == {
        "decayed": (row["decay tensors"], row["decay params"]),
        "not decayed": (row["no_decay tensors"], row["no_decay params"]),
    }
    name_of = {id(p): name for name, p in model.named_parameters()}
    assert {name_of[id(p)] for p in ns["decay"]} == set(table.loc[table[convention] == "decay", "name"])
    assert {name_of[id(p)] for p in ns["no_decay"]} == set(table.loc[table[convention] == "no_decay", "name"])


def test_mingpt_refusal_names_unclassified_parameters():
    with pytest.raises(AssertionError, match=r"minGPT would refuse this model: \['bn1.weight'"):
        run_snippet(optimizer_snippet("mingpt"), build("small-cnn"))


@pytest.mark.parametrize("convention", list(CONVENTIONS))
def test_optimizer_groups_carry_the_requested_weight_decay_and_lr(convention, capsys):
    """The meta-device model is enough for torch.optim.AdamW to be constructed from the two groups."""
    model, _ = model_and_table("mlp")
    ns = run_snippet(optimizer_snippet(convention, lr=3e-4, weight_decay=0.05), model)
    groups = ns["optimizer"].param_groups
    assert [g["weight_decay"] for g in groups] == [0.05, 0.0]
    assert all(g["lr"] == 3e-4 for g in groups)
    assert sum(len(g["params"]) for g in groups) == len(list(model.parameters()))


@pytest.mark.parametrize("convention", list(CONVENTIONS))
def test_snippet_names_its_source_and_is_valid_python(convention):
    code = optimizer_snippet(convention)
    assert CONVENTIONS[convention].source in code
    compile(code, "<snippet>", "exec")


def test_mingpt_refuses_exactly_the_models_with_convs_batchnorms_or_nanogpts_layernorm():
    """Conv2d/BatchNorm weights, and nanoGPT's own LayerNorm class, are on neither of minGPT's lists; the
    MLPs are fine. The snippet, core.params.reference_rules and the table agree on which."""
    refused = {key for key in MODELS if (model_and_table(key)[1]["mingpt"] == "n/a").any()}
    assert refused == {"resnet50", "resnet18", "small-cnn", "gpt2", "gpt2-large"}
    assert refused == {key for key in MODELS if mingpt_outcome(model_and_table(key)[0]).error is AssertionError}


class TiedGPT(nn.Module):
    """minGPT's own layout (nn.LayerNorm, nn.Embedding, nn.Linear) with nanoGPT's weight tying."""

    def __init__(self, tie: bool = True):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(wte=nn.Embedding(10, 4), ln_f=nn.LayerNorm(4)))
        self.lm_head = nn.Linear(4, 10, bias=False)
        if tie:
            self.transformer.wte.weight = self.lm_head.weight


def test_mingpt_snippet_raises_keyerror_on_a_tied_lm_head_as_mingpt_does():
    """Every tensor is classified, so the asserts pass; the lookup of lm_head.weight, which named_parameters()
    lists only as transformer.wte.weight, raises. The old snippet skipped it with `if n in params`."""
    model = TiedGPT()
    assert mingpt_outcome(model).error is KeyError
    with pytest.raises(KeyError, match="lm_head.weight"):
        run_snippet(optimizer_snippet("mingpt"), model)
    run_snippet(optimizer_snippet("mingpt"), TiedGPT(tie=False))  # untied, as in minGPT itself: no error


def test_mingpt_snippet_carries_the_failure_sentence_as_a_comment():
    failure = mingpt_failure(TiedGPT())
    assert failure.startswith("minGPT would raise KeyError: 'lm_head.weight' because lm_head.weight is tied to "
                              "transformer.wte.weight")
    code = optimizer_snippet("mingpt", mingpt_failure=failure)
    comment = " ".join(line.removeprefix("# ") for line in code.splitlines() if line.startswith("# ")
                       and not line.startswith("# minGPT: "))
    assert failure in comment
    assert "minGPT would raise" not in optimizer_snippet("nanogpt", mingpt_failure=failure)
    compile(code, "<snippet>", "exec")
