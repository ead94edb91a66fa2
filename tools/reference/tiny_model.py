"""Tiny Qwen2.5-VL models: config, seeded init, GPTQ W4A16 quantization, format checks.

Every structural feature of Qwen2.5-VL-3B (MODEL.md §1) is kept, only smaller:
GQA (8 query heads, 2 kv heads), q/k/v biases, M-RoPE with mrope_section [4,6,6] (sums to
head_dim/2 = 16), tied embeddings, a vision tower with window attention blocks and full
attention blocks (fullatt_block_indexes), window_size 112, patch 14, merge 2, temporal patch 2,
the 2x2 merger. Text Linear in-features (256, 384) are multiples of the group size.
"""

import json
import math

import torch
from safetensors import safe_open

from common import preprocessor_config, write_json
from tiny_tokenizer import MODEL_VOCAB_SIZE

TEXT = dict(
    hidden_size=256,
    intermediate_size=384,
    num_hidden_layers=2,
    num_attention_heads=8,
    num_key_value_heads=2,
    mrope_section=[4, 6, 6],
    rope_theta=1000000.0,
    rms_norm_eps=1e-6,
    max_position_embeddings=4096,
)
VISION = dict(
    depth=4,
    fullatt_block_indexes=[1, 3],
    hidden_size=64,
    num_heads=4,
    intermediate_size=120,
    window_size=112,
    patch_size=14,
    spatial_merge_size=2,
    temporal_patch_size=2,
    tokens_per_second=2,
)
# Small enough that test images stay small (at most 25 LLM tokens per image).
TINY_MIN_PIXELS = 3136
TINY_MAX_PIXELS = 28 * 28 * 25

# Scales of the seeded init. Linear weights use 1/sqrt(fan_in) so every layer changes the
# residual stream by O(1) and outweighs the (small) token embedding, so the model does not just
# echo its input token; the final norm weight ~5 scales the tied logits to ~N(0, 4^2), which keeps
# greedy top-2 margins far above fp32 rounding noise.
EMBED_STD = 0.05
FINAL_NORM_SCALE = 5.0
BIAS_STD = 0.1
NORM_WEIGHT_STD = 0.1


def token_ids(tokenizer):
    t = tokenizer.token_to_id
    return dict(
        bos=t("<|endoftext|>"),
        pad=t("<|endoftext|>"),
        eos=t("<|im_end|>"),
        image=t("<|image_pad|>"),
        video=t("<|video_pad|>"),
        vision_start=t("<|vision_start|>"),
        vision_end=t("<|vision_end|>"),
        vision_pad=t("<|vision_pad|>"),
    )


def build_config(ids):
    from transformers import Qwen2_5_VLConfig

    text = {k: v for k, v in TEXT.items() if k != "mrope_section"}
    return Qwen2_5_VLConfig(
        text_config=dict(
            **text,
            vocab_size=MODEL_VOCAB_SIZE,
            rope_scaling={"type": "mrope", "mrope_section": TEXT["mrope_section"]},
            bos_token_id=ids["bos"],
            eos_token_id=ids["eos"],
            tie_word_embeddings=True,
        ),
        vision_config=dict(**VISION, out_hidden_size=TEXT["hidden_size"], in_channels=3),
        image_token_id=ids["image"],
        video_token_id=ids["video"],
        vision_start_token_id=ids["vision_start"],
        vision_end_token_id=ids["vision_end"],
        tie_word_embeddings=True,
    )


def init_weights(model, seed):
    """Deterministic init, independent of transformers' own _init_weights."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in sorted(model.named_parameters(), key=lambda kv: kv[0]):
            noise = torch.randn(p.shape, generator=gen, dtype=torch.float32)
            if name.endswith("embed_tokens.weight"):
                value = noise * EMBED_STD
            elif name.endswith(".bias"):
                value = noise * BIAS_STD
            elif name.endswith("language_model.norm.weight"):
                value = FINAL_NORM_SCALE * (1.0 + noise * NORM_WEIGHT_STD)
            elif p.dim() == 1:  # RMSNorm weights
                value = 1.0 + noise * NORM_WEIGHT_STD
            else:  # Linear / Conv3d: fan_in = product of all but the output dim
                value = noise / math.sqrt(p[0].numel())
            p.copy_(value)


def create_bf16_model(tokenizer, seed):
    from transformers import Qwen2_5_VLForConditionalGeneration

    config = build_config(token_ids(tokenizer))
    model = Qwen2_5_VLForConditionalGeneration(config)
    init_weights(model, seed)
    model.tie_weights()
    return model.to(torch.bfloat16).eval()


def generation_config(ids):
    """Qwen2.5-VL-Instruct generation_config.json values (MODEL.md §1.4) with the tiny ids."""
    return {
        "bos_token_id": ids["bos"],
        "pad_token_id": ids["pad"],
        "do_sample": True,
        "eos_token_id": [ids["eos"], ids["bos"]],
        "repetition_penalty": 1.05,
        "temperature": 0.1,
        "top_k": 1,
        "top_p": 0.001,
        "transformers_version": "4.49.0",
    }


def write_processor_files(model_dir, ids):
    write_json(model_dir / "preprocessor_config.json", preprocessor_config(TINY_MIN_PIXELS, TINY_MAX_PIXELS))
    write_json(model_dir / "generation_config.json", generation_config(ids))


def quantize(base_dir, processor, calibration, group_size, actorder, out_dir):
    """GPTQ W4A16 (int4, symmetric, groups) of the bf16 model in base_dir, saved as pack-quantized."""
    from llmcompressor import oneshot
    from llmcompressor.modifiers.gptq import GPTQModifier
    from transformers import Qwen2_5_VLForConditionalGeneration

    model = Qwen2_5_VLForConditionalGeneration.from_pretrained(base_dir, dtype=torch.bfloat16)

    scheme = {
        "targets": ["Linear"],
        "weights": {
            "num_bits": 4,
            "type": "int",
            "symmetric": True,
            "strategy": "group",
            "group_size": group_size,
            "dynamic": False,
            "actorder": actorder,
        },
    }
    recipe = GPTQModifier(config_groups={"group_0": scheme}, ignore=["lm_head", "re:visual.*", "re:model.visual.*"])

    def collate(batch):
        assert len(batch) == 1
        return {k: torch.tensor(v) for k, v in batch[0].items()}

    oneshot(
        model=model,
        processor=processor,
        dataset=calibration,
        recipe=recipe,
        data_collator=collate,
        num_calibration_samples=len(calibration),
        shuffle_calibration_samples=False,
        sequential_targets=["Qwen2_5_VLDecoderLayer"],
        pipeline="sequential",
    )
    model.save_pretrained(out_dir, save_compressed=True)


def check_checkpoint(model_dir, group_size, actorder):
    """Asserts the saved tensors have the real checkpoint's format (MODEL.md §2.3); returns facts."""
    config = json.loads((model_dir / "config.json").read_text())
    text = config.get("text_config", config)
    hidden, inter, layers = text["hidden_size"], text["intermediate_size"], text["num_hidden_layers"]
    head_dim = hidden // text["num_attention_heads"]
    kv = text["num_key_value_heads"] * head_dim
    linears = {
        "self_attn.q_proj": (hidden, hidden),
        "self_attn.k_proj": (kv, hidden),
        "self_attn.v_proj": (kv, hidden),
        "self_attn.o_proj": (hidden, hidden),
        "mlp.gate_proj": (inter, hidden),
        "mlp.up_proj": (inter, hidden),
        "mlp.down_proj": (hidden, inter),
    }
    expected = {}
    for layer in range(layers):
        for name, (out_f, in_f) in linears.items():
            p = f"model.layers.{layer}.{name}"
            expected[f"{p}.weight_packed"] = ("I32", [out_f, in_f // 8])
            expected[f"{p}.weight_scale"] = ("BF16", [out_f, in_f // group_size])
            expected[f"{p}.weight_shape"] = ("I64", [2])
            if actorder == "group":
                expected[f"{p}.weight_g_idx"] = ("I32", [in_f])
            if name in ("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"):
                expected[f"{p}.bias"] = ("BF16", [out_f])
    header = {}
    with safe_open(model_dir / "model.safetensors", "pt") as f:
        for key in f.keys():
            s = f.get_slice(key)
            header[key] = (s.get_dtype(), list(s.get_shape()))
        shapes = {key: f.get_tensor(key).tolist() for key in header if key.endswith("weight_shape")}
    for key, want in expected.items():
        if header.get(key) != want:
            raise AssertionError(f"{key}: saved {header.get(key)}, expected {want}")
    for key, value in shapes.items():
        out_f, in_f = expected[key.replace("weight_shape", "weight_packed")][1]
        if value != [out_f, in_f * 8]:
            raise AssertionError(f"{key} = {value}")
    for key, (dtype, _) in header.items():
        if key.endswith("zero_point"):
            raise AssertionError(f"unexpected zero point {key}")
        if key.endswith("weight_g_idx") and actorder != "group":
            raise AssertionError(f"unexpected g_idx {key}")
        if key not in expected and dtype != "BF16":
            raise AssertionError(f"{key} is {dtype}, expected BF16")
        if key.startswith("visual.") and not key.endswith((".weight", ".bias")):
            raise AssertionError(f"vision tensor {key} looks quantized")
    return {
        "tensors": len(header),
        "quantized_linears": layers * len(linears),
        "lm_head_stored": "lm_head.weight" in header,
        "tensor_name_prefixes": sorted({k.split(".")[0] for k in header}),
    }


CALIBRATION_PROMPTS = [
    ("Describe the image.", "The image shows a scanned document with a table and a logo."),
    ("What is the total amount of this invoice?", "The total amount is 107.10 EUR."),
    ("Wie hoch ist der Gesamtbetrag?", "Der Gesamtbetrag beträgt 1 234,56 €."),
    ("请问这张发票的总金额是多少？", "金额：人民币一千元整。"),
    ("Who is the vendor? Answer in JSON.", '{"vendor": "ACME", "total": 107.10}'),
    ("List the line items.", "Steel bolts M8x40, hex nuts M8, washers 8.4 mm."),
]
CALIBRATION_SIZES = [(84, 112), (140, 140), (112, 56), (56, 168), (100, 150), (70, 98)]


def calibration_dataset(processor, seed):
    """A few synthetic image+conversation samples, processed like the model's inputs."""
    from datasets import Dataset
    from PIL import Image

    from test_images import rgb_pattern

    rows = []
    for i, ((question, answer), (height, width)) in enumerate(zip(CALIBRATION_PROMPTS, CALIBRATION_SIZES)):
        image = Image.fromarray(rgb_pattern(height, width, seed + i), "RGB")
        messages = [
            {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": question}]},
            {"role": "assistant", "content": [{"type": "text", "text": answer}]},
        ]
        text = processor.apply_chat_template(messages, add_generation_prompt=False, tokenize=False)
        inputs = processor(text=[text], images=[image], return_tensors="np")
        rows.append({k: inputs[k].tolist() for k in ("input_ids", "attention_mask", "pixel_values", "image_grid_thw")})
    return Dataset.from_list(rows)


def _read_raw_safetensors(path):
    """Header + raw bytes, parsed by hand (the layout the Java loader reads)."""
    data = path.read_bytes()
    header_len = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + header_len])
    header.pop("__metadata__", None)
    base = 8 + header_len
    return {k: (v["dtype"], v["shape"], data[base + v["data_offsets"][0] : base + v["data_offsets"][1]]) for k, v in header.items()}


def _as_numpy(dtype, shape, raw):
    import numpy as np

    if dtype == "BF16":
        return (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32).reshape(shape)
    return np.frombuffer(raw, {"I32": "<i4", "I64": "<i8", "F32": "<f4"}[dtype]).reshape(shape)


def check_dequantization(model_dir, model):
    """Dequantizes every packed Linear from the raw file bytes following MODEL.md §2.4-2.5
    (nibble i of int32 column j = column 8j+i, q = nibble - 8, W = q * scale[r][g(c)] with
    g(c) = g_idx[c] if stored else c // group) and asserts equality with the loaded fp32 weights."""
    import numpy as np

    tensors = _read_raw_safetensors(model_dir / "model.safetensors")
    params = dict(model.named_parameters())
    checked = 0
    for key in tensors:
        if not key.endswith(".weight_packed"):
            continue
        prefix = key[: -len(".weight_packed")]
        packed = _as_numpy(*tensors[key]).view(np.uint32)
        scale = _as_numpy(*tensors[prefix + ".weight_scale"])
        out_f, in_f = _as_numpy(*tensors[prefix + ".weight_shape"]).tolist()
        nibbles = (packed[:, :, None] >> (4 * np.arange(8, dtype=np.uint32))) & 0xF
        q = nibbles.reshape(out_f, -1)[:, :in_f].astype(np.int32) - 8
        if prefix + ".weight_g_idx" in tensors:
            groups = _as_numpy(*tensors[prefix + ".weight_g_idx"]).astype(np.int64)
        else:
            groups = np.arange(in_f) // (in_f // scale.shape[1])
        weight = q.astype(np.float32) * scale[:, groups]
        loaded = params["model.language_model." + prefix[len("model.") :] + ".weight"].detach().numpy()
        if not np.array_equal(weight, loaded):
            raise AssertionError(f"{prefix}: dequantized weights differ from compressed-tensors'")
        checked += 1
    return checked
