"""PyTorch peer benchmark for the Java engine (issue 3, item 11).

Loads a compressed-tensors pack-quantized Qwen2.5-VL model directory (the published checkpoint
layout, e.g. the synthetic full-size model the Java tool writes) with transformers, weights
dequantized once at load (fp32 or bf16 on CPU, fp16 on CUDA), SDPA attention, and measures:

- load_s: config + safetensors read + dequantization + model construction, wall clock;
- vision: encoder time (`model.model.visual`, patch embed to merger) for 480x360, 640x480 and
  1680x2240 (width x height) synthetic images, preprocessed by the slow PIL processor with the
  REAL Qwen2.5-VL limits (min_pixels 3136, max_pixels 12845056) whatever the model's own
  preprocessor_config says, so a tiny model sees the same image sizes;
- prefill: one forward over --prefill-tokens random text token ids (no image), tokens/s;
- decode: --decode-tokens greedy steps with the KV cache after that prefill, tokens/s
  (time of the decode steps only);
- peak_rss_bytes: the process's peak resident set (getrusage), plus peak CUDA memory on CUDA.

Each timed section runs once after one untimed warm-up of the same kind (a short prompt, the
smallest image). Prints one JSON object to stdout.

With --profiles (the model card's workloads, as the Java ProfileBench runs them) it measures instead,
per profile WIDTHxHEIGHT:PROMPT:NEW (an image, PROMPT random question tokens in the chat template,
NEW greedy tokens, no stop): single-stream time to first token (vision + prefill + first token),
decode time per token and total (median of --repeat), then throughput with each --concurrency C as
one static batch of C such requests (same shapes, so no padding): C / wall time of the batch.
Sections past --budget-seconds are reported as skipped.
"""

import argparse
import json
import platform
import resource
import sys
import time
from importlib.metadata import version
from pathlib import Path

import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dequantized_model  # noqa: E402
from common import REAL_MAX_PIXELS, REAL_MIN_PIXELS, preprocessor_config  # noqa: E402
from test_images import rgb_pattern  # noqa: E402

IMAGE_SIZES = "480x360,640x480,1680x2240"  # width x height


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, type=Path, help="model directory (compressed-tensors pack-quantized)")
    parser.add_argument("--threads", required=True, type=int, help="torch intra-op threads")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--dtype", choices=["float32", "bfloat16", "float16"], help="compute dtype (default: float16 on CUDA, float32 on the CPU)")
    parser.add_argument("--prefill-tokens", type=int, default=512)
    parser.add_argument("--decode-tokens", type=int, default=32)
    parser.add_argument("--images", default=IMAGE_SIZES, help="comma-separated WIDTHxHEIGHT list for the vision timing")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profiles", help="comma-separated WIDTHxHEIGHT:PROMPT:NEW workloads (replaces the default sections)")
    parser.add_argument("--concurrency", default="8,16,32", help="with --profiles: batch sizes for throughput")
    parser.add_argument("--repeat", type=int, default=3, help="with --profiles: single-stream repetitions (median)")
    parser.add_argument("--budget-seconds", type=float, default=240, help="with --profiles: skip sections after this")
    return parser.parse_args(argv)


def synchronize(device):
    if device == "cuda":
        torch.cuda.synchronize()


def timed(device, fn):
    synchronize(device)
    start = time.perf_counter()
    result = fn()
    synchronize(device)
    return time.perf_counter() - start, result


def image_inputs(width, height, seed):
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    config = preprocessor_config(REAL_MIN_PIXELS, REAL_MAX_PIXELS)
    processor = Qwen2VLImageProcessorPil(**{k: v for k, v in config.items() if k not in ("image_processor_type", "processor_class")})
    image = Image.fromarray(rgb_pattern(height, width, seed), "RGB")
    out = processor(images=[image], return_tensors="pt")
    return out["pixel_values"], out["image_grid_thw"]


def bench_vision(model, device, dtype, sizes, seed):
    def run(pixel_values, grid):
        with torch.no_grad():
            return model.model.visual(pixel_values.to(device, dtype), grid_thw=grid.to(device)).pooler_output

    inputs = [image_inputs(w, h, seed) for w, h in sizes]
    run(*min(inputs, key=lambda i: i[0].shape[0]))  # warm-up
    results = []
    for (width, height), (pixel_values, grid) in zip(sizes, inputs):
        seconds, features = timed(device, lambda: run(pixel_values, grid))
        results.append(
            {
                "image": f"{width}x{height}",
                "image_grid_thw": grid[0].tolist(),
                "patches": pixel_values.shape[0],
                "llm_tokens": features.shape[0],
                "seconds": seconds,
            }
        )
    return results


def bench_text(model, device, prompt_len, decode_tokens, seed):
    from transformers import DynamicCache

    vocab = model.config.text_config.vocab_size
    special_from = model.config.text_config.bos_token_id  # first added token; ids below are BPE pieces
    generator = torch.Generator().manual_seed(seed)

    def prefill(n):
        ids = torch.randint(0, min(vocab, special_from), (1, n), generator=generator).to(device)
        cache = DynamicCache(config=model.config.text_config)
        model.model.rope_deltas = None  # text only: plain positions
        with torch.no_grad():
            logits = model(input_ids=ids, past_key_values=cache, use_cache=True, logits_to_keep=1).logits
        return logits, cache

    def decode(logits, cache, steps):
        tokens = []
        with torch.no_grad():
            for _ in range(steps):
                next_id = logits[:, -1].argmax(-1, keepdim=True)
                tokens.append(int(next_id))
                logits = model(input_ids=next_id, past_key_values=cache, use_cache=True).logits
        return tokens

    warm_logits, warm_cache = prefill(16)  # warm-up
    decode(warm_logits, warm_cache, 2)
    prefill_s, (logits, cache) = timed(device, lambda: prefill(prompt_len))
    decode_s, tokens = timed(device, lambda: decode(logits, cache, decode_tokens))
    return (
        {"tokens": prompt_len, "seconds": prefill_s, "tokens_per_s": prompt_len / prefill_s},
        {"tokens": decode_tokens, "seconds": decode_s, "tokens_per_s": decode_tokens / decode_s, "first_tokens": tokens[:8]},
    )


# The chat template around one image and the question (MODEL.md §6): Qwen2.5 token ids.
BEFORE_IMAGE = [151644, 8948, 198, 2610, 525, 264, 10950, 17847, 13, 151645, 198, 151644, 872, 198, 151652]
AFTER_QUESTION = [151645, 198, 151644, 77091, 198]
IMAGE_PAD, VISION_END = 151655, 151653


def profile_batch(model, device, dtype, key, batch, seed):
    """input_ids, pixel_values, image_grid_thw, mm_token_type_ids of `batch` requests of a profile."""
    size, prompt, _ = key.split(":")
    width, height = (int(v) for v in size.split("x"))
    pixel_values, grid = image_inputs(width, height, seed)
    generator = torch.Generator().manual_seed(seed)
    question = torch.randint(0, model.config.text_config.bos_token_id, (int(prompt),), generator=generator).tolist()
    ids = BEFORE_IMAGE + [IMAGE_PAD] * (int(grid.prod()) // 4) + [VISION_END] + question + AFTER_QUESTION
    input_ids = torch.tensor([ids] * batch, device=device)
    return {
        "input_ids": input_ids,
        "pixel_values": pixel_values.repeat(batch, 1).to(device, dtype),
        "image_grid_thw": grid.repeat(batch, 1).to(device),
        "mm_token_type_ids": (input_ids == IMAGE_PAD).long(),
    }


def generate_timed(model, device, inputs, new_tokens):
    """Greedy decoding of exactly new_tokens: (time to first token, decode seconds, total seconds)."""
    from transformers import DynamicCache

    cache = DynamicCache(config=model.config.text_config)
    model.model.rope_deltas = None  # cached by transformers between calls
    synchronize(device)
    start = time.perf_counter()
    with torch.no_grad():
        logits = model(**inputs, past_key_values=cache, use_cache=True, logits_to_keep=1).logits
        next_ids = logits[:, -1].argmax(-1, keepdim=True)
        synchronize(device)
        first = time.perf_counter()
        for _ in range(new_tokens - 1):
            logits = model(input_ids=next_ids, past_key_values=cache, use_cache=True).logits
            next_ids = logits[:, -1].argmax(-1, keepdim=True)
        synchronize(device)
    end = time.perf_counter()
    return first - start, end - first, end - start


def bench_profiles(model, device, dtype, args):
    keys = args.profiles.split(",")
    deadline = time.perf_counter() + args.budget_seconds
    for key in keys:  # warm-up, untimed
        generate_timed(model, device, profile_batch(model, device, dtype, key, 1, args.seed), 4)
    single = []
    for key in keys:
        new_tokens = int(key.split(":")[2])
        runs = [generate_timed(model, device, profile_batch(model, device, dtype, key, 1, args.seed + r), new_tokens) for r in range(args.repeat)]
        median = lambda values: sorted(values)[len(values) // 2]  # noqa: E731
        single.append(
            {
                "profile": key,
                "ttft_s": median([r[0] for r in runs]),
                "decode_ms_per_token": median([r[1] / (new_tokens - 1) * 1e3 for r in runs]),
                "total_s": median([r[2] for r in runs]),
            }
        )
    throughput = []
    for c in (int(v) for v in args.concurrency.split(",")):
        for key in keys:
            if time.perf_counter() > deadline:
                throughput.append({"profile": key, "concurrency": c, "skipped": f"time budget of {args.budget_seconds} s spent"})
                continue
            try:
                _, _, seconds = generate_timed(model, device, profile_batch(model, device, dtype, key, c, args.seed), int(key.split(":")[2]))
                throughput.append({"profile": key, "concurrency": c, "seconds": seconds, "qps": c / seconds})
            except torch.OutOfMemoryError as e:
                torch.cuda.empty_cache()
                throughput.append({"profile": key, "concurrency": c, "skipped": f"out of memory: {str(e).splitlines()[0]}"})
    return single, throughput


def cpu_name():
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.machine()


def main(argv=None):
    args = parse_args(argv)
    # Import the libraries before the clock starts: load_s is reading + dequantizing + building.
    import compressed_tensors.compressors.pack_quantized  # noqa: F401
    import transformers.models.qwen2_5_vl.modeling_qwen2_5_vl  # noqa: F401

    torch.set_num_threads(args.threads)
    device = args.device
    dtype = getattr(torch, args.dtype or ("float16" if device == "cuda" else "float32"))
    if device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: no CUDA device visible to torch")

    load_s, (model, quantized) = timed(device, lambda: dequantized_model.load(args.model, dtype, "sdpa"))
    if device == "cuda":
        load_s += timed(device, lambda: model.to(device))[0]
    report = {
        "model": str(args.model),
        "device": torch.cuda.get_device_name() if device == "cuda" else cpu_name(),
        "dtype": str(dtype).replace("torch.", ""),
        "threads": args.threads,
        "attn_implementation": "sdpa",
        "versions": {p: version(p) for p in ("torch", "transformers", "compressed-tensors")},
        "parameters": sum(p.numel() for p in model.parameters()),
        "dequantized_linears": quantized,
        "load_s": load_s,
    }
    if args.profiles:
        report["single_stream"], report["throughput"] = bench_profiles(model, device, dtype, args)
    else:
        sizes = [tuple(int(v) for v in size.split("x")) for size in args.images.split(",")]
        report["vision"] = bench_vision(model, device, dtype, sizes, args.seed)
        report["prefill"], report["decode"] = bench_text(model, device, args.prefill_tokens, args.decode_tokens, args.seed)
    report["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    if device == "cuda":
        report["cuda_peak_bytes"] = torch.cuda.max_memory_allocated()
    json.dump(report, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
