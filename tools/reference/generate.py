"""Regenerates every fixture under ejb-inference/src/test/resources/reference (see README.md)."""

import json
import platform
import shutil
import sys
from importlib.metadata import version

import torch

import cases
import dequantized_model
import test_images
import tiny_model
import tiny_tokenizer
from common import OUT_ROOT, WORK_DIR, deterministic_torch, write_json

# name -> how it is made. The first mirrors the published recipe (group 128, actorder weight) and
# the published config layout (flat text keys, rope_scaling, on-disk names model.* / visual.*);
# the second stores weight_g_idx (actorder group), uses another group size and keeps the config
# nested under text_config as transformers 5 writes it.
MODELS = {
    "tiny-w4a16-g128-weight": dict(seed=1234, group_size=128, actorder="weight", flat_config=True, cases=list(cases.CASES), taps=["rgb-png"]),
    "tiny-w4a16-g64-group": dict(seed=5678, group_size=64, actorder="group", flat_config=False, cases=["two-images", "text-only"], taps=[]),
}
# tokenizer/, chat/, preprocess/ and images/io_* are written by io_cases.py (generate.sh runs both).
GENERATED_DIRS = ["models"]
COMMAND = "tools/reference/generate.sh"


def load_processor(model_dir):
    """The processor with the SLOW (PIL) image processor, which the Java side reproduces."""
    from transformers import AutoImageProcessor, AutoProcessor

    image_processor = AutoImageProcessor.from_pretrained(model_dir, backend="pil")
    if type(image_processor).__name__ != "Qwen2VLImageProcessorPil":
        raise RuntimeError(f"expected the PIL image processor, got {type(image_processor).__name__}")
    return AutoProcessor.from_pretrained(model_dir, image_processor=image_processor)


def write_support_files(model_dir, tokenizer):
    tiny_tokenizer.write_tokenizer_files(tokenizer, model_dir)
    tiny_model.write_processor_files(model_dir, tiny_model.token_ids(tokenizer))


def flatten_config(model_dir):
    """Rewrites config.json in the published (transformers 4.4x) layout: text keys at top level,
    rope_scaling {type: mrope}, vision keys in_chans / spatial_patch_size, torch_dtype."""
    from transformers import AutoConfig

    nested = AutoConfig.from_pretrained(model_dir)
    config = json.loads((model_dir / "config.json").read_text())
    text = config.pop("text_config")
    rope = text.pop("rope_parameters")
    vision = config.pop("vision_config")
    flat = {
        "architectures": config["architectures"],
        "attention_dropout": text["attention_dropout"],
        "bos_token_id": text["bos_token_id"],
        "eos_token_id": text["eos_token_id"],
        "vision_start_token_id": config["vision_start_token_id"],
        "vision_end_token_id": config["vision_end_token_id"],
        "vision_token_id": config["vision_start_token_id"] + 2,
        "image_token_id": config["image_token_id"],
        "video_token_id": config["video_token_id"],
        "hidden_act": text["hidden_act"],
        "hidden_size": text["hidden_size"],
        "initializer_range": text["initializer_range"],
        "intermediate_size": text["intermediate_size"],
        "max_position_embeddings": text["max_position_embeddings"],
        "max_window_layers": 70,
        "model_type": "qwen2_5_vl",
        "num_attention_heads": text["num_attention_heads"],
        "num_hidden_layers": text["num_hidden_layers"],
        "num_key_value_heads": text["num_key_value_heads"],
        "rms_norm_eps": text["rms_norm_eps"],
        "rope_theta": rope["rope_theta"],
        "sliding_window": 32768,
        "tie_word_embeddings": True,
        "torch_dtype": "bfloat16",
        "transformers_version": "4.49.0",
        "use_cache": True,
        "use_sliding_window": False,
        "vision_config": {
            "depth": vision["depth"],
            "hidden_act": vision["hidden_act"],
            "hidden_size": vision["hidden_size"],
            "intermediate_size": vision["intermediate_size"],
            "num_heads": vision["num_heads"],
            "in_chans": vision["in_channels"],
            "out_hidden_size": vision["out_hidden_size"],
            "patch_size": vision["patch_size"],
            "spatial_merge_size": vision["spatial_merge_size"],
            "spatial_patch_size": vision["patch_size"],
            "window_size": vision["window_size"],
            "fullatt_block_indexes": vision["fullatt_block_indexes"],
            "tokens_per_second": vision["tokens_per_second"],
            "temporal_patch_size": vision["temporal_patch_size"],
        },
        "rope_scaling": {"type": "mrope", "mrope_section": rope["mrope_section"]},
        "vocab_size": text["vocab_size"],
        "quantization_config": config["quantization_config"],
    }
    write_json(model_dir / "config.json", flat)
    reread = AutoConfig.from_pretrained(model_dir)
    for part in ("text_config", "vision_config"):
        a, b = getattr(nested, part).to_dict(), getattr(reread, part).to_dict()
        # text_config.tie_word_embeddings is only a pre-v5 alias; the top-level flag is checked below
        ignored = ("dtype", "max_window_layers", "in_chans", "tie_word_embeddings")
        differing = sorted(k for k in a if a[k] != b.get(k) and k not in ignored)
        if differing:
            raise AssertionError(f"flat config reads differently in {part}: {differing}")
    for key in ("tie_word_embeddings", "image_token_id", "video_token_id", "vision_start_token_id", "vision_end_token_id"):
        if getattr(nested, key) != getattr(reread, key):
            raise AssertionError(f"flat config reads differently: {key}")


def build_model(name, spec, tokenizer, image_meta):
    base_dir = WORK_DIR / f"{name}-bf16"
    shutil.rmtree(base_dir, ignore_errors=True)
    tiny_model.create_bf16_model(tokenizer, spec["seed"]).save_pretrained(base_dir)
    write_support_files(base_dir, tokenizer)
    processor = load_processor(base_dir)
    calibration = tiny_model.calibration_dataset(processor, spec["seed"])

    model_dir = OUT_ROOT / "models" / name
    tiny_model.quantize(base_dir, processor, calibration, spec["group_size"], spec["actorder"], model_dir)
    write_support_files(model_dir, tokenizer)  # save_pretrained wrote its own generation_config
    if spec["flat_config"]:
        flatten_config(model_dir)
    format_facts = tiny_model.check_checkpoint(model_dir, spec["group_size"], spec["actorder"])

    model, dequantized = dequantized_model.load(model_dir, torch.float32, "eager")
    checked = tiny_model.check_dequantization(model_dir, model)
    processor = load_processor(model_dir)
    summaries = [
        cases.record(model, processor, tokenizer, name, case, image_meta, with_taps=case in spec["taps"])
        for case in spec["cases"]
    ]
    config = model.config
    facts = {
        "seed": spec["seed"],
        "group_size": spec["group_size"],
        "actorder": spec["actorder"],
        "config_layout": "flat (published 4.4x layout)" if spec["flat_config"] else "nested text_config (transformers 5)",
        "text": {**tiny_model.TEXT, "vocab_size": config.text_config.vocab_size, "tokenizer_size": tokenizer.get_vocab_size()},
        "vision": tiny_model.VISION,
        "token_ids": tiny_model.token_ids(tokenizer),
        "checkpoint": format_facts,
        "dequantized_linears": dequantized,
        "dequantization_checked_against_model_md": checked,
        "min_top2_margin": min(s["min_top2_margin"] for s in summaries),
        "cases": {s["case"]: {"input_len": len(s["input_ids"]), "image_grid_thw": s["image_grid_thw"], "min_top2_margin": s["min_top2_margin"]} for s in summaries},
    }
    write_json(model_dir / "reference.json", facts)
    return facts, processor


def main():
    deterministic_torch(threads=1)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    for d in GENERATED_DIRS:
        shutil.rmtree(OUT_ROOT / d, ignore_errors=True)
    image_meta = test_images.write_images(OUT_ROOT / "images")
    tokenizer = tiny_tokenizer.train()
    models = {}
    for name, spec in MODELS.items():
        models[name], _ = build_model(name, spec, tokenizer, image_meta)
        print(f"{name}: min top-2 margin {models[name]['min_top2_margin']:.4f}", flush=True)

    write_json(
        OUT_ROOT / "manifest.json",
        {
            "command": COMMAND,
            "python": platform.python_version(),
            "versions": {p: version(p) for p in ["torch", "transformers", "compressed-tensors", "llmcompressor", "tokenizers", "safetensors", "pillow", "numpy", "torchvision"]},
            "reference": {"dtype": "float32", "device": "cpu", "threads": 1, "attn_implementation": "eager", "image_processor": "Qwen2VLImageProcessorPil (slow, PIL)"},
            "images": image_meta,
            "models": {name: {"cases": MODELS[name]["cases"], "min_top2_margin": f["min_top2_margin"]} for name, f in models.items()},
        },
    )
    shutil.rmtree(OUT_ROOT / "models" / "__pycache__", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
