package dev.docproc.inference.engine;

import dev.docproc.inference.engine.compute.Buf;
import dev.docproc.inference.engine.compute.Ops;
import dev.docproc.inference.engine.compute.Taps;
import dev.docproc.inference.engine.decoder.Decoder;
import dev.docproc.inference.engine.decoder.DecoderWeights;
import dev.docproc.inference.engine.model.Checkpoint;
import dev.docproc.inference.engine.model.GenerationConfig;
import dev.docproc.inference.engine.model.ModelConfig;
import dev.docproc.inference.engine.model.NameMap;
import dev.docproc.inference.engine.vision.Grid;
import dev.docproc.inference.engine.vision.VisionEncoder;
import dev.docproc.inference.engine.vision.VisionWeights;
import java.nio.file.Path;
import java.util.List;

/**
 * A Qwen2.5-VL checkpoint opened on a backend: config, mapped weights, vision tower and decoder.
 * Loading maps the files and checks every tensor against the config; it copies no weights.
 */
public final class QwenVL implements AutoCloseable {
  private final Path dir;
  private final ModelConfig config;
  private final GenerationConfig generation;
  private final Checkpoint checkpoint;
  private final VisionEncoder vision;
  private final Decoder decoder;
  private final long maxPixels;

  private QwenVL(
      Path dir,
      ModelConfig config,
      GenerationConfig generation,
      Checkpoint checkpoint,
      VisionEncoder vision,
      Decoder decoder) {
    this.dir = dir;
    this.config = config;
    this.generation = generation;
    this.checkpoint = checkpoint;
    this.vision = vision;
    this.decoder = decoder;
    this.maxPixels = ModelConfig.maxPixels(dir);
  }

  public static QwenVL load(Path dir, Ops ops, Taps taps) {
    ModelConfig config = ModelConfig.load(dir);
    GenerationConfig generation = GenerationConfig.load(dir);
    Checkpoint ckpt = Checkpoint.open(dir, NameMap.QWEN2_5_VL);
    try {
      VisionWeights vw = VisionWeights.load(ckpt, ops, config.vision());
      DecoderWeights dw = DecoderWeights.load(ckpt, ops, config.text());
      return new QwenVL(
          dir,
          config,
          generation,
          ckpt,
          new VisionEncoder(ops, config.vision(), vw, taps),
          new Decoder(
              ops,
              config.text(),
              dw,
              config.imageTokenId(),
              config.vision().spatialMergeSize(),
              taps));
    } catch (RuntimeException e) {
      ckpt.close();
      throw e;
    }
  }

  public Path dir() {
    return dir;
  }

  public ModelConfig config() {
    return config;
  }

  public GenerationConfig generationConfig() {
    return generation;
  }

  public VisionEncoder vision() {
    return vision;
  }

  public Decoder decoder() {
    return decoder;
  }

  /**
   * Refuses images the engine will not run: pixel counts not matching the grids, or an image larger
   * than preprocessor_config.json's max_pixels (the processor never makes one, so such a grid means
   * a caller skipped it).
   */
  public void validateImages(float[] pixels, List<Grid> grids) {
    if (grids.isEmpty()) {
      if (pixels != null && pixels.length > 0) {
        throw new IllegalArgumentException("pixel values given without image grids");
      }
      return;
    }
    int patch = config.vision().patchSize();
    for (Grid g : grids) {
      long area = (long) g.h() * patch * g.w() * patch;
      if (area > maxPixels) {
        throw new IllegalArgumentException(
            "image of "
                + g.h() * patch
                + "×"
                + g.w() * patch
                + " pixels exceeds max_pixels "
                + maxPixels
                + " of "
                + dir.resolve("preprocessor_config.json"));
      }
    }
    vision.validate(pixels, grids);
  }

  /** Vision features [tokens, hidden] of all images, or null without images. */
  public Buf encodeImages(float[] pixels, List<Grid> grids) {
    return grids.isEmpty() ? null : vision.encode(pixels, grids);
  }

  @Override
  public void close() {
    checkpoint.close();
  }
}
