"""Loads a compressed-tensors pack-quantized Qwen2.5-VL directory as a dense transformers model.

Why not `from_pretrained` with the compressed-tensors quantizer: with transformers 5.14.1 and
compressed-tensors 0.18.0 that path cannot load a Qwen2.5-VL checkpoint whose tensor names are the
on-disk ones (`model.layers.*`, `visual.*`): the ignore list (`visual.blocks.0.attn.qkv`, ...) is
matched against the renamed modules (`model.visual.*`) so the vision Linears are wrongly set up as
quantized, and renamed keys come out mangled (`...v_projweight`). So this loader does the two steps
itself, with the libraries' own code: compressed-tensors' PackedQuantizationCompressor.decompress
dequantizes every packed Linear (scale upcast first, so W = q * scale is exact in the target
dtype when that is fp32), and transformers' Qwen2_5_VLForConditionalGeneration runs the forward.
"""

import json
from pathlib import Path

import torch
from safetensors import safe_open


def _tensor_files(model_dir):
    index = model_dir / "model.safetensors.index.json"
    if index.exists():
        return sorted({model_dir / f for f in json.loads(index.read_text())["weight_map"].values()})
    return [model_dir / "model.safetensors"]


def _module_name(key):
    """On-disk name (as the published checkpoint and save_pretrained write it) -> module tree name."""
    if key.startswith("visual."):
        return "model." + key
    if key.startswith("model.") and not key.startswith(("model.language_model.", "model.visual.")):
        return "model.language_model." + key[len("model.") :]
    return key


def read_state_dict(model_dir, dtype):
    """All tensors of the checkpoint, packed Linears dequantized, in `dtype`, module-tree names."""
    from compressed_tensors.compressors.pack_quantized import PackedQuantizationCompressor
    from compressed_tensors.quantization import QuantizationConfig

    config = json.loads((Path(model_dir) / "config.json").read_text())
    quant = QuantizationConfig.model_validate(config["quantization_config"])
    if quant.format != "pack-quantized" or len(quant.config_groups) != 1:
        raise ValueError(f"unsupported quantization_config: {quant.format}, {list(quant.config_groups)}")
    scheme = next(iter(quant.config_groups.values()))

    # Tensors are read one module at a time, so peak memory is the dense model plus one module.
    handles = [safe_open(path, "pt") for path in _tensor_files(Path(model_dir))]
    where = {key: f for f in handles for key in f.keys()}
    packed_prefixes = [k[: -len(".weight_packed")] for k in where if k.endswith(".weight_packed")]
    state = {}
    for prefix in packed_prefixes:
        module_state = {k[len(prefix) + 1 :]: where.pop(k).get_tensor(k) for k in list(where) if k.startswith(prefix + ".weight_")}
        module_state["weight_scale"] = module_state["weight_scale"].to(dtype)
        weight = PackedQuantizationCompressor.decompress(module_state, scheme)["weight"]
        state[_module_name(prefix + ".weight")] = weight.to(dtype)
    for key, f in where.items():
        state[_module_name(key)] = f.get_tensor(key).to(dtype)
    return state, len(packed_prefixes)


def load(model_dir, dtype=torch.float32, attn_implementation="eager"):
    """Returns (model, number of dequantized Linears)."""
    from transformers import AutoConfig, Qwen2_5_VLForConditionalGeneration
    from transformers.initialization import no_init_weights

    config = AutoConfig.from_pretrained(model_dir)
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    with no_init_weights():
        model = Qwen2_5_VLForConditionalGeneration._from_config(
            config, dtype=dtype, attn_implementation=attn_implementation
        )
    state, quantized = read_state_dict(model_dir, dtype)
    # assign: the model's own (never touched) parameter storage is replaced, not copied into
    missing, unexpected = model.load_state_dict(state, strict=False, assign=True)
    tied = config.tie_word_embeddings and missing == ["lm_head.weight"]
    if unexpected or (missing and not tied):
        raise ValueError(f"checkpoint does not fit the model: missing {missing}, unexpected {unexpected}")
    model.tie_weights()
    return model.eval(), quantized
