"""Hugging Face models from their config.json, built with `transformers` on the meta device.

A checkpoint of a 7B model does not fit the explorer's upload limit, but its config.json is a few
kilobytes, and the model class built from it on the meta device has every parameter's name, shape
and owning module at no memory cost. The presets' configs are copied from their public model cards
into hf_configs/ (nothing is fetched at run time); a visitor may paste or upload another one,
validated here first: a known model_type, every number and every layer count bounded, the JSON
text bounded, no custom code (auto_map). The model's size is then bounded again by the limits an
uploaded checkpoint meets (core.params.checkpoints), once it is built.

transformers is imported only here, and only when an HF model is asked for: importing it takes
seconds, which other pages and the test suite's startup should not pay.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from core.params.checkpoints import MAX_TENSORS, MAX_TOTAL_NUMEL

HF_PREFIX = "hf:"
CONFIG_DIR = Path(__file__).with_name("hf_configs")


@dataclass(frozen=True)
class HFPreset:
    key: str  # without HF_PREFIX; also the file name in hf_configs/
    label: str
    source: str  # the model card the config was copied from


HF_PRESETS: dict[str, HFPreset] = {p.key: p for p in (
    HFPreset("llama-3-8b", "LLaMA-3 8B (HF)", "meta-llama/Meta-Llama-3-8B"),
    HFPreset("qwen2.5-7b", "Qwen2.5 7B (HF)", "Qwen/Qwen2.5-7B"),
    HFPreset("mistral-7b", "Mistral 7B (HF)", "mistralai/Mistral-7B-v0.1"),
    HFPreset("gpt2", "GPT-2 (HF)", "openai-community/gpt2"),
    HFPreset("bert-base-uncased", "BERT-base (HF)", "google-bert/bert-base-uncased"),
    HFPreset("vit-base-patch16-224", "ViT-B/16 (HF)", "google/vit-base-patch16-224 (its 1000 label names as "
             "num_labels: 1000)"),
    HFPreset("t5-small", "T5-small (HF)", "google-t5/t5-small (its task_specific_params left out)"),
)}

# What a pasted or uploaded config may hold. Each bound keeps building it on the meta device to
# well under a second (benchmarks/params.py builds a config at the bounds).
MAX_CONFIG_BYTES = 256_000  # the JSON text: real configs are a few KB, ~70 KB with 1000 label names
MAX_DEPTH = 6  # nested objects/lists: real configs nest three deep (rope_scaling, task_specific_params)
MAX_NUMBER = 2**22  # any integer in the config: vocabularies reach 262,144, context lengths 1,048,576
MAX_LAYERS = 256  # any count of layers or experts: LLaMA-3 405B has 126 layers
COUNT_KEY = re.compile(r"layers?$|^n_layer$|experts$")  # num_hidden_layers, num_decoder_layers, n_layer, ...
# The model types a config may name: those tested to build on meta from a tiny config of their own
# (tests/test_hf_models.py). Others may build, but are not known to.
MODEL_TYPES = ("llama", "mistral", "qwen2", "qwen3", "gemma", "gemma2", "phi3", "gpt2", "gpt_neox", "bert",
               "roberta", "distilbert", "vit", "t5")


class HFConfigError(ValueError):
    """A config that cannot be built; the message is for the user and may quote the config's own text
    (show it literally)."""


def preset_text(key: str) -> str:
    return (CONFIG_DIR / f"{key}.json").read_text()


def parse_config(text: str | bytes) -> dict:
    """The config as a dict, or HFConfigError saying which bound or rule it breaks."""
    if len(text) > MAX_CONFIG_BYTES:
        raise HFConfigError(f"The config is {len(text):,} bytes; the limit is {MAX_CONFIG_BYTES:,}")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise HFConfigError("The config is not UTF-8 text") from None
    try:
        config = json.loads(text, parse_constant=_refuse_constant)
    except (json.JSONDecodeError, RecursionError) as err:
        raise HFConfigError(f"The config is not valid JSON: {err}") from None
    if not isinstance(config, dict):
        raise HFConfigError("A config.json holds one JSON object ({...})")
    _check_numbers(config, "", 0)
    model_type = config.get("model_type")
    if model_type not in MODEL_TYPES:
        raise HFConfigError(f"model_type {model_type!r} is not one the explorer knows; it knows "
                            f"{', '.join(MODEL_TYPES)}")
    if "auto_map" in config:
        raise HFConfigError("The config names custom code (auto_map); the explorer never runs a model's own code")
    return config


def _refuse_constant(name: str):
    raise HFConfigError(f"The config holds {name}, which is not a JSON number")


def _check_numbers(value, path: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise HFConfigError(f"The config nests deeper than {MAX_DEPTH} levels (at {path})")
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        where = f"{path}.{key}" if path else str(key)
        if isinstance(item, (dict, list)):
            _check_numbers(item, where, depth + 1)
        elif isinstance(item, int) and not isinstance(item, bool):
            if abs(item) > MAX_NUMBER:
                raise HFConfigError(f"{where} is {item:,}; the limit for any number in a config is {MAX_NUMBER:,}")
            if isinstance(key, str) and COUNT_KEY.search(key) and item > MAX_LAYERS:
                raise HFConfigError(f"{where} is {item:,}; the limit for a count of layers or experts is "
                                    f"{MAX_LAYERS}")


def _model_class(config: dict):
    """The class the config's architectures names, if transformers' auto classes list it for the
    model type; else the model type's base model (AutoModel)."""
    import transformers
    from transformers.models.auto import modeling_auto

    wanted = (config.get("architectures") or [None])[0]
    known = {name for mapping_name in dir(modeling_auto) if mapping_name.endswith("_MAPPING_NAMES")
             for name in _names(getattr(modeling_auto, mapping_name).get(config["model_type"]))}
    if wanted is not None and wanted not in known:
        raise HFConfigError(f"architectures names {wanted!r}, which transformers does not list for model_type "
                            f"{config['model_type']!r}; it lists {', '.join(sorted(known))}")
    return getattr(transformers, wanted) if wanted else None


def _names(entry) -> tuple[str, ...]:
    if entry is None or not isinstance(entry, (str, tuple, list)):
        return ()
    return (entry,) if isinstance(entry, str) else tuple(entry)


def build_from_config(config: dict) -> nn.Module:
    """The model on the meta device, in eager attention (nothing probes for kernels). Raises
    HFConfigError when transformers refuses the config or the model is over the checkpoint limits."""
    from transformers import AutoConfig, AutoModel
    from transformers.utils import logging

    fields = {k: v for k, v in config.items() if k != "model_type"}
    verbosity = logging.get_verbosity()
    logging.set_verbosity_error()  # a config's own deprecation notes are not the visitor's concern
    try:
        hf_config = AutoConfig.for_model(config["model_type"], **fields)
        hf_config._attn_implementation = "eager"
        cls = _model_class(config)
        with torch.device("meta"):
            model = cls(hf_config) if cls is not None else AutoModel.from_config(hf_config)
    except HFConfigError:
        raise
    except Exception as err:  # a config transformers refuses: its message says why
        raise HFConfigError(f"transformers could not build this config: {type(err).__name__}: {err}") from None
    finally:
        logging.set_verbosity(verbosity)
    _check_size(model)
    return model


def _check_size(model: nn.Module) -> None:
    count = sum(1 for _ in model.named_parameters())
    if count > MAX_TENSORS:
        raise HFConfigError(f"The model has {count:,} parameter tensors; the limit is {MAX_TENSORS:,}")
    total = sum(p.numel() for p in model.parameters())
    if total > MAX_TOTAL_NUMEL:
        raise HFConfigError(f"The model has {total:,} parameters; the limit is {MAX_TOTAL_NUMEL:,}")


def build_preset(key: str) -> nn.Module:
    return build_from_config(parse_config(preset_text(key)))


def build_text(text: str | bytes) -> nn.Module:
    """A pasted or uploaded config.json's model on the meta device."""
    return build_from_config(parse_config(text))


def is_hf_model(model: nn.Module) -> bool:
    """A transformers model, or peft's wrapper around one. Never imports transformers: a model built
    without it cannot be one."""
    import sys

    transformers = sys.modules.get("transformers")
    if transformers is None:
        return False
    base = getattr(getattr(model, "base_model", None), "model", model)  # PeftModel -> LoraModel -> the model
    return isinstance(model, transformers.PreTrainedModel) or isinstance(base, transformers.PreTrainedModel)


def trainer_decay_names(model: nn.Module) -> set[str]:
    """The real `Trainer.get_decay_parameter_names`: in transformers 5 it reads nothing of the
    Trainer (it calls get_parameter_names with its own patterns), so it is called unbound, without
    constructing a Trainer, which needs TrainingArguments, accelerate and an output folder."""
    from transformers.trainer import Trainer

    return set(Trainer.get_decay_parameter_names(None, model))
