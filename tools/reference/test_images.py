"""Synthetic test images, one per PIL mode/format the engine must read.

Content: smooth colour gradients, a few hard-edged rectangles and light noise, so that resampling
and JPEG coding are exercised on both smooth and sharp regions. Fixed numpy seed per image.
"""

import numpy as np
from PIL import Image

# name -> (file name, height, width, seed). Sizes chosen for the tiny preprocessor (max_pixels
# 23520) and the real one (MODEL.md §3.1); see the README for what each one exercises.
IMAGES = {
    "rgb": ("rgb_140x140.png", 140, 140, 11),
    "rgba": ("rgba_60x90.png", 60, 90, 12),
    "gray": ("gray_70x70.png", 70, 70, 13),
    "palette": ("palette_30x40.png", 30, 40, 14),
    "jpeg": ("jpeg_100x200.jpg", 100, 200, 15),
    "cmyk": ("cmyk_84x56.tif", 84, 56, 16),
}


def rgb_pattern(height, width, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    img = np.stack(
        [
            128 + 100 * np.sin(x / width * np.pi * rng.uniform(1, 3) + rng.uniform(0, 6)),
            128 + 100 * np.cos(y / height * np.pi * rng.uniform(1, 3) + rng.uniform(0, 6)),
            255 * (x + y) / (width + height),
        ],
        axis=-1,
    )
    for _ in range(4):
        y0, x0 = rng.integers(0, height - 4), rng.integers(0, width - 4)
        h, w = rng.integers(3, max(4, height // 3)), rng.integers(3, max(4, width // 3))
        img[y0 : y0 + h, x0 : x0 + w] = rng.integers(0, 256, size=3)
    img += rng.normal(0, 6, size=img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def make_image(name):
    """Returns (PIL image, file name, save kwargs) for one test image."""
    file_name, height, width, seed = IMAGES[name]
    rgb = Image.fromarray(rgb_pattern(height, width, seed), "RGB")
    if name == "rgb":
        return rgb, file_name, {}
    if name == "rgba":
        alpha = np.tile(np.linspace(0, 255, width).astype(np.uint8), (height, 1))
        rgba = rgb.copy()
        rgba.putalpha(Image.fromarray(alpha, "L"))
        return rgba, file_name, {}
    if name == "gray":
        return rgb.convert("L"), file_name, {}
    if name == "palette":
        return rgb.quantize(colors=16, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE), file_name, {}
    if name == "jpeg":
        # 4:4:4 (no chroma subsampling): decoders then differ only in IDCT rounding.
        return rgb, file_name, {"quality": 92, "subsampling": 0}
    if name == "cmyk":
        return rgb.convert("CMYK"), file_name, {"compression": "raw"}
    raise ValueError(name)


def write_images(out_dir):
    """Writes every test image; returns {name: metadata}."""
    out_dir.mkdir(parents=True, exist_ok=True)
    meta = {}
    for name in IMAGES:
        image, file_name, save_kwargs = make_image(name)
        path = out_dir / file_name
        image.save(path, **save_kwargs)
        with Image.open(path) as reread:
            meta[name] = {
                "file": f"images/{file_name}",
                "format": reread.format,
                "mode": reread.mode,
                "width": reread.width,
                "height": reread.height,
            }
    return meta
