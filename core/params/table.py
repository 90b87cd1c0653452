"""The parameter explorer's table: every named parameter with its verdict under each convention.

`python -m core.params MODEL` (or `--config path/to/config.json`) prints it as CSV (name, shape,
numel, one column per convention); `--list` names the models.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd
import torch
from torch import nn

from core.params.checkpoints import TensorSpec
from core.params.conventions import CONVENTIONS, DECAY, NA, NO_DECAY, ParamInfo
from core.params.models import module_classes
from core.params.search import compile_search, matches

VERDICTS = (DECAY, NO_DECAY, NA)


def infos_from_model(model: nn.Module) -> list[ParamInfo]:
    """One ParamInfo per named_parameters() entry (tied weights once), with its owning module."""
    owners = module_classes(model)
    return [ParamInfo(name, tuple(p.shape), str(p.dtype).removeprefix("torch."), owners[name].__name__, owners[name],
                      p.requires_grad)
            for name, p in model.named_parameters()]


def infos_from_state_dict(state: dict[str, TensorSpec | torch.Tensor]) -> list[ParamInfo]:
    """An uploaded checkpoint has names, shapes and dtypes but no modules: module-based rules say n/a."""
    return [ParamInfo(name, tuple(t.shape), str(t.dtype).removeprefix("torch.")) for name, t in state.items()]


def no_weight_decay_names(model: nn.Module | None) -> frozenset[str]:
    """timm models list parameters to skip in no_weight_decay(); most models have none."""
    hook = getattr(model, "no_weight_decay", None)
    return frozenset(hook()) if callable(hook) else frozenset()


def shape_text(shape: tuple[int, ...]) -> str:
    return "x".join(map(str, shape)) if shape else "scalar"


MAX_STYLED_ROWS = 500  # rows the page colours by verdict: pandas' Styler costs ~0.5 ms a row


def parameter_table(infos: list[ParamInfo], no_weight_decay: frozenset[str] = frozenset(),
                    decided: dict[str, set[str]] | None = None) -> pd.DataFrame:
    """One row per tensor. decided: {convention: the names it decays}, from the project's own code
    where it can run (the real Trainer.get_decay_parameter_names on a transformers model), in place
    of our per-tensor rule."""
    total = sum(p.numel for p in infos) or 1
    decided = decided or {}

    def verdict(key: str, p: ParamInfo) -> str:
        if key in decided:
            return DECAY if p.name in decided[key] else NO_DECAY
        return CONVENTIONS[key].verdict(p, no_weight_decay)

    rows = [{
        "name": p.name,
        "module": p.module_type or "",
        "shape": shape_text(p.shape),
        "numel": p.numel,
        "share": p.numel / total,
        "dtype": p.dtype,
        "trainable": p.trainable,
        **{key: verdict(key, p) for key in CONVENTIONS},
    } for p in infos]
    return pd.DataFrame(rows, columns=["name", "module", "shape", "numel", "share", "dtype", "trainable",
                                       *CONVENTIONS])


def model_table(model: nn.Module) -> pd.DataFrame:
    """The table of a built model; on a transformers model (or peft's wrapper of one) the HF Trainer
    column is the real Trainer.get_decay_parameter_names."""
    from core.params.hf_models import is_hf_model, trainer_decay_names

    decided = {"hf_trainer": trainer_decay_names(model)} if is_hf_model(model) else None
    return parameter_table(infos_from_model(model), no_weight_decay_names(model), decided)


def filter_table(table: pd.DataFrame, pattern: str = "", regex: bool = False, convention: str | None = None,
                 verdict: str | None = None) -> pd.DataFrame:
    """Rows whose name contains pattern (a regular expression if regex), and whose verdict under
    convention is verdict. An invalid expression raises ValueError with the reason."""
    if pattern:
        if regex:
            mask = pd.Series(matches(compile_search(pattern), table["name"]), index=table.index)
        else:
            mask = table["name"].str.contains(pattern, regex=False)
        table = table[mask.astype(bool)]
    if convention and verdict:
        if convention not in CONVENTIONS or verdict not in VERDICTS:
            raise ValueError(f"Unknown convention or verdict: {convention!r}, {verdict!r}")
        table = table[table[convention] == verdict]
    return table


def numel_sum(table: pd.DataFrame) -> int:
    """Exact at any size: pandas sums int64 with wrap-around (four 2^62-element tensors sum to 0)."""
    return sum(int(n) for n in table["numel"])


def summary(shown: pd.DataFrame, table: pd.DataFrame) -> str:
    """The line above the table: how much of the model the filters keep."""
    return f"{len(shown):,} of {len(table):,} tensors, {numel_sum(shown):,} of {numel_sum(table):,} parameters"


def totals(table: pd.DataFrame) -> pd.DataFrame:
    """Per convention: trainable tensors and parameters decayed, not decayed, and not judged, and the
    frozen ones, which no convention updates (the four partition the model)."""
    trainable = table["trainable"].to_numpy(dtype=bool)
    # Python ints (exact at any size, see numel_sum), counted with boolean masks on the columns: cutting a
    # sub-table per convention and verdict was about 23 ms of every Parameters rerun on ResNet-50.
    numel = np.array([int(n) for n in table["numel"]], dtype=object)

    def count(chosen: np.ndarray) -> tuple[int, int]:
        return int(chosen.sum()), sum(numel[chosen], 0)

    frozen = count(~trainable)
    rows = []
    for key, c in CONVENTIONS.items():
        row = {"convention": c.label}
        verdicts = table[key].to_numpy()
        for verdict in VERDICTS:
            row[f"{verdict} tensors"], row[f"{verdict} params"] = count(trainable & (verdicts == verdict))
        row["frozen tensors"], row["frozen params"] = frozen
        rows.append(row)
    return pd.DataFrame(rows)


def csv_table(table: pd.DataFrame) -> str:
    return table[["name", "shape", "numel", *CONVENTIONS]].to_csv(index=False)


def main(argv: list[str] | None = None) -> int:
    from core.params.hf_models import HF_PRESETS, MAX_CONFIG_BYTES, build_text
    from core.params.models import MODELS, build, hf_keys

    parser = argparse.ArgumentParser(prog="python -m core.params", description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", help="a model key; see --list")
    parser.add_argument("--config", help="a Hugging Face config.json, built on the meta device (nothing downloaded)")
    parser.add_argument("--list", action="store_true", help="name the built-in models")
    args = parser.parse_args(argv)
    if args.list or not (args.model or args.config):
        for key, spec in MODELS.items():
            print(f"{key}\t{spec.label}")
        for key, preset in zip(hf_keys(), HF_PRESETS.values(), strict=True):
            print(f"{key}\t{preset.label}")
        return 0
    try:
        if args.config:
            with open(args.config, "rb") as f:
                model = build_text(f.read(MAX_CONFIG_BYTES + 1))  # one byte over is refused
        else:
            model = build(args.model)
    except (ValueError, OSError) as err:  # HFConfigError is a ValueError
        print(err if isinstance(err, ValueError) else f"{args.config}: {err.strerror}", file=sys.stderr)
        return 2
    sys.stdout.write(csv_table(model_table(model)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
