"""Records what transformers computes for fixed image+prompt cases of one tiny model."""

import torch
from PIL import Image
from safetensors.torch import save_file

from common import OUT_ROOT, write_json

GREEDY_TOKENS = 32


def user(*content):
    return {"role": "user", "content": list(content)}


def image():
    return {"type": "image"}


def text(value):
    return {"type": "text", "text": value}


# name -> (image names in order of appearance, messages). Images are test_images.IMAGES keys.
CASES = {
    "rgb-png": (["rgb"], [user(image(), text("Describe the image."))]),
    "rgba-png-text-first": (
        ["rgba"],
        [user(text("Look at this picture:"), image(), text("What colour dominates?"))],
    ),
    "jpeg": (["jpeg"], [user(image(), text("What is the total amount of this invoice?"))]),
    "cmyk-tiff": (["cmyk"], [user(image(), text("Read the text."))]),
    "two-images": (
        ["gray", "palette"],
        [user(image(), text("and"), image(), text("Which of the two is larger?"))],
    ),
    "text-only": (
        [],
        [
            {"role": "system", "content": "You are a careful invoice clerk."},
            {"role": "user", "content": "Hello!"},
            {"role": "assistant", "content": "Hi, how can I help?"},
            {"role": "user", "content": "What is 12 + 30? Answer with digits only."},
        ],
    ),
}


def mrope_positions(ids, grids, image_token_id):
    """MODEL.md §5.3, written independently of transformers: [3][L] (t, h, w) positions."""
    rows = [[], [], []]
    grids = iter(grids.tolist() if grids is not None else [])
    next_pos, i = 0, 0
    while i < len(ids):
        if ids[i] == image_token_id:
            _, gh, gw = next(grids)
            gh, gw = gh // 2, gw // 2
            for r in range(gh):
                for c in range(gw):
                    for row, value in zip(rows, (next_pos, next_pos + r, next_pos + c)):
                        row.append(value)
            next_pos += max(gh, gw)
            i += gh * gw
        else:
            for row in rows:
                row.append(next_pos)
            next_pos += 1
            i += 1
    return rows


def window_index_model_md(grids, merge=2, window=112, patch=14):
    """MODEL.md §4.3, written independently of transformers: (window_index, cu_window_seqlens)."""
    v = window // merge // patch
    index, cu, offset = [], [0], 0
    for t, h, w in grids:
        lh, lw = h // merge, w // merge
        nh, nw = (lh + v - lh % v) // v, (lw + v - lw % v) // v  # a full extra window when divisible
        for tt in range(t):
            for wh in range(nh):
                for ww in range(nw):
                    cells = [(r, c) for r in range(wh * v, wh * v + v) for c in range(ww * v, ww * v + v) if r < lh and c < lw]
                    index += [offset + tt * lh * lw + r * lw + c for r, c in cells]
                    cu.append(cu[-1] + len(cells) * merge * merge)
        offset += t * lh * lw
    return index, [x for i, x in enumerate(cu) if i == 0 or x != cu[i - 1]]


def vision_windows(model, grid):
    """HF's window permutation, checked against MODEL.md §4.3."""
    from transformers.vision_utils import get_vision_window_index

    vision = model.model.visual
    window_index, cu_window_seqlens = get_vision_window_index(
        grid, spatial_merge_size=vision.spatial_merge_size, window_size=vision.window_size, patch_size=vision.patch_size
    )
    if (window_index.tolist(), cu_window_seqlens.tolist()) != window_index_model_md(grid.tolist()):
        raise AssertionError(f"window index for {grid.tolist()} differs from MODEL.md §4.3")
    return window_index.to(torch.int64), cu_window_seqlens.to(torch.int64)


def record_taps(model, model_inputs, window_index, path):
    """Intermediate activations of one forward (debug taps), all F32, vision ones in
    pixel_values row order (the window permutation undone)."""
    taps, hooks = {}, []
    vision, text = model.model.visual, model.model.language_model
    unpermute = torch.argsort(window_index)

    def raster(x):
        return x.reshape(x.shape[0] // 4, 4, -1)[unpermute].reshape(x.shape[0], -1)

    def keep(name, transform=lambda x: x):
        def hook(module, args, output):
            out = output[0] if isinstance(output, tuple) else output
            taps[name] = transform(out.detach().reshape(-1, out.shape[-1])).float().clone()

        return hook

    def keep_input(module, args, kwargs):
        x = args[0] if args else kwargs["hidden_states"]
        taps["text.inputs_embeds"] = x.detach().reshape(-1, x.shape[-1]).float().clone()

    hooks.append(vision.patch_embed.register_forward_hook(keep("vision.patch_embed")))
    for i, block in enumerate(vision.blocks):
        hooks.append(block.register_forward_hook(keep(f"vision.blocks.{i}", raster)))
    hooks.append(text.layers[0].register_forward_pre_hook(keep_input, with_kwargs=True))
    for i, layer in enumerate(text.layers):
        hooks.append(layer.register_forward_hook(keep(f"text.layers.{i}")))
    hooks.append(text.norm.register_forward_hook(keep("text.norm")))
    try:
        with torch.no_grad():
            model.model.rope_deltas = None
            model(**model_inputs)
    finally:
        for hook in hooks:
            hook.remove()
        model.model.rope_deltas = None
    save_file({k: v.contiguous() for k, v in taps.items()}, path)
    return {k: list(v.shape) for k, v in taps.items()}


def _top2_margins(logits):
    top = logits.topk(2, dim=-1).values
    return (top[..., 0] - top[..., 1]).tolist()


def record(model, processor, tokenizer, model_name, case_name, image_meta, with_taps=False):
    image_names, messages = CASES[case_name]
    case_dir = OUT_ROOT / "models" / model_name / "cases"
    case_dir.mkdir(parents=True, exist_ok=True)
    images = [Image.open(OUT_ROOT / image_meta[n]["file"]) for n in image_names]
    prompt_text = processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    inputs = processor(text=[prompt_text], images=images or None, return_tensors="pt")
    input_ids = inputs["input_ids"]
    # mm_token_type_ids must reach the model: without it transformers 5 silently falls back to
    # 1-D text positions instead of M-RoPE.
    keys = ("input_ids", "attention_mask", "mm_token_type_ids", "pixel_values", "image_grid_thw")
    model_inputs = {k: inputs[k] for k in keys if k in inputs}

    tensors = {}
    with torch.no_grad():
        model.model.rope_deltas = None  # cached by transformers between calls
        logits = model(**model_inputs).logits[0]  # [L, vocab]
        if images:
            grid = inputs["image_grid_thw"]
            features = model.model.get_image_features(inputs["pixel_values"], grid).pooler_output
            tensors["pixel_values"] = inputs["pixel_values"].float()
            tensors["image_grid_thw"] = grid.to(torch.int64)
            tensors["vision_features"] = torch.cat(features, dim=0).float()
            tensors["window_index"], tensors["cu_window_seqlens"] = vision_windows(model, grid)
        position_ids, _ = model.model.get_rope_index(
            input_ids, inputs["mm_token_type_ids"], inputs.get("image_grid_thw"), attention_mask=inputs["attention_mask"]
        )
        expected_positions = mrope_positions(input_ids[0].tolist(), inputs.get("image_grid_thw"), model.config.image_token_id)
        if position_ids[:, 0].tolist() != expected_positions:
            raise AssertionError(f"{case_name}: M-RoPE positions differ from MODEL.md §5.3")
        model.model.rope_deltas = None
        greedy = model.generate(
            **model_inputs,
            do_sample=False,
            max_new_tokens=GREEDY_TOKENS,
            repetition_penalty=1.0,
            eos_token_id=None,
            output_logits=True,
            return_dict_in_generate=True,
        )
        penalized = model.generate(
            **model_inputs,
            do_sample=False,
            max_new_tokens=GREEDY_TOKENS,
            repetition_penalty=1.05,
            eos_token_id=None,
            output_scores=True,
            return_dict_in_generate=True,
        )
        model.model.rope_deltas = None
    prompt_len = input_ids.shape[1]
    greedy_tokens = greedy.sequences[0, prompt_len:].tolist()
    generated_logits = torch.stack(greedy.logits)[:, 0].float()  # [32, vocab]
    penalized_tokens = penalized.sequences[0, prompt_len:].tolist()
    penalized_scores = torch.stack(penalized.scores)[:, 0].float()
    if len(greedy_tokens) != GREEDY_TOKENS or len(penalized_tokens) != GREEDY_TOKENS:
        raise AssertionError(f"{case_name}: generation stopped early")
    if greedy_tokens != generated_logits.argmax(-1).tolist():
        raise AssertionError(f"{case_name}: greedy tokens are not the argmax of their logits")
    # The first decode step reuses the prefill: its logits must equal the last prompt row.
    first_step_error = ((generated_logits[0] - logits[-1]).norm() / logits[-1].norm()).item()
    if first_step_error > 1e-6:
        raise AssertionError(f"{case_name}: first generated logits differ from prefill ({first_step_error})")

    taps = None
    if with_taps:
        taps = record_taps(model, model_inputs, tensors["window_index"], case_dir / f"{case_name}.taps.safetensors")
    tensors["position_ids"] = position_ids[:, 0].to(torch.int64).contiguous()  # [3, L]
    tensors["logits"] = logits.float().contiguous()
    tensors["generated_logits"] = generated_logits.contiguous()
    save_file({k: v.contiguous() for k, v in tensors.items()}, case_dir / f"{case_name}.safetensors")

    greedy_margins = _top2_margins(generated_logits)
    prompt_margins = _top2_margins(logits)
    summary = {
        "model": model_name,
        "case": case_name,
        "image": image_meta[image_names[0]]["file"] if len(image_names) == 1 else None,
        "images": [image_meta[n]["file"] for n in image_names],
        "messages": messages,
        "add_generation_prompt": True,
        "prompt_text": prompt_text,
        "input_ids": input_ids[0].tolist(),
        "image_grid_thw": inputs["image_grid_thw"].tolist() if images else [],
        "num_image_tokens": int((input_ids == model.config.image_token_id).sum()),
        "rope_delta": int(position_ids.max() + 1 - prompt_len),
        "reference_dtype": "float32",
        "greedy_tokens": greedy_tokens,
        "greedy_text": tokenizer.decode(greedy_tokens, skip_special_tokens=False),
        "greedy_top2_margins": greedy_margins,
        "min_top2_margin": min(greedy_margins),
        "prompt_top2_margin_min": min(prompt_margins),
        "penalized_greedy": {
            "repetition_penalty": 1.05,
            "tokens": penalized_tokens,
            "top2_margins": _top2_margins(penalized_scores),
        },
        "tensors": {k: {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape)} for k, v in tensors.items()},
    }
    if taps:
        summary["taps"] = {"file": f"{case_name}.taps.safetensors", "dtype": "float32", "shapes": taps}
    write_json(case_dir / f"{case_name}.json", summary)
    return summary
