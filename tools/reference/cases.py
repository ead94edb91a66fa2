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


def _top2_margins(logits):
    top = logits.topk(2, dim=-1).values
    return (top[..., 0] - top[..., 1]).tolist()


def record(model, processor, tokenizer, model_name, case_name, image_meta):
    image_names, messages = CASES[case_name]
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

    tensors["position_ids"] = position_ids[:, 0].to(torch.int64).contiguous()  # [3, L]
    tensors["logits"] = logits.float().contiguous()
    tensors["generated_logits"] = generated_logits.contiguous()
    case_dir = OUT_ROOT / "models" / model_name / "cases"
    case_dir.mkdir(parents=True, exist_ok=True)
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
    write_json(case_dir / f"{case_name}.json", summary)
    return summary
