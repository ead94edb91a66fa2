package dev.docproc.inference.engine.vision.preprocess;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;

/**
 * Wall time of {@link ImagePreprocessor} with the published Qwen2.5-VL config, per image file: from
 * the encoded bytes (decode + resize + normalize + patchify) and from a decoded TYPE_INT_RGB
 * BufferedImage (a page as PDFBox renders it). Median of 15 runs after 5 warm-up runs, one thread.
 * A benchmark for docs/benchmarks.md, not a test.
 *
 * <p>Usage: {@code java -cp ... PreprocessBenchmark IMAGE...}
 */
public final class PreprocessBenchmark {

  private PreprocessBenchmark() {}

  public static void main(String[] args) throws IOException {
    ImagePreprocessor preprocessor = new ImagePreprocessor(PreprocessorConfig.qwen25vl());
    for (String arg : args) {
      byte[] file = Files.readAllBytes(Path.of(arg));
      BufferedImage decoded = ImageIO.read(Path.of(arg).toFile());
      BufferedImage page =
          new BufferedImage(decoded.getWidth(), decoded.getHeight(), BufferedImage.TYPE_INT_RGB);
      page.getGraphics().drawImage(decoded, 0, 0, null);
      PixelValues p = preprocessor.preprocess(file);
      System.out.printf(
          "%s %dx%d -> grid [1, %d, %d] (%d tokens): bytes %s, BufferedImage %s%n",
          Path.of(arg).getFileName(),
          decoded.getWidth(),
          decoded.getHeight(),
          p.gridH(),
          p.gridW(),
          p.numMergedTokens(),
          millis(() -> preprocessor.preprocess(file)),
          millis(() -> preprocessor.preprocess(page)));
    }
  }

  /** "min / median ms" of 15 runs after 5 warm-up runs. */
  private static String millis(Runnable run) {
    for (int i = 0; i < 5; i++) {
      run.run();
    }
    double[] ms = new double[15];
    for (int i = 0; i < ms.length; i++) {
      long start = System.nanoTime();
      run.run();
      ms[i] = (System.nanoTime() - start) / 1e6;
    }
    Arrays.sort(ms);
    return String.format("%.1f / %.1f ms", ms[0], ms[ms.length / 2]);
  }
}
