package dev.docproc.inference.engine.cli;

import dev.docproc.inference.engine.QwenVL;
import dev.docproc.inference.engine.compute.Buf;
import dev.docproc.inference.engine.compute.Taps;
import dev.docproc.inference.engine.compute.cpu.CpuOps;
import dev.docproc.inference.engine.decoder.KvCache;
import dev.docproc.inference.engine.model.Checkpoint;
import dev.docproc.inference.engine.model.NameMap;
import dev.docproc.inference.engine.model.Tensor;
import dev.docproc.inference.engine.vision.Grid;
import dev.docproc.inference.engine.vision.preprocess.ImagePreprocessor;
import dev.docproc.inference.engine.vision.preprocess.PreprocessorConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * CPU benchmark (not a test) on a model directory, normally the synthetic full-size one: load time,
 * vision encoder time per image size, prefill and decode speed, peak RSS, and the machine's copy
 * bandwidth with the decode floor it implies. Optionally runs a peer command in the same run.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Xmx20g -cp ejb-inference/target/docproc-engine.jar \
 *   dev.docproc.inference.engine.cli.Bench --model DIR [--threads N] [--repeat R]
 *   [--sizes 480x360,640x480,1680x2240] [--prefill-tokens 512] [--decode-tokens 32]
 *   [--peer "COMMAND"]
 * </pre>
 */
public final class Bench {
  private static final String USAGE =
      """
      usage: Bench --model DIR [--threads N] [--repeat R] [--sizes 480x360,640x480,1680x2240]
                   [--prefill-tokens 512] [--decode-tokens 32] [--peer "COMMAND"]""";

  private Bench() {}

  public static void main(String[] args) throws Exception {
    Path modelDir = null;
    int threads = Runtime.getRuntime().availableProcessors();
    int repeat = 2;
    int decodeTokens = 32;
    String sizes = "480x360,640x480,1680x2240";
    int prefillTokens = 512;
    String peer = null;
    for (int i = 0; i < args.length; i += 2) {
      if (args[i].equals("--help") || i + 1 == args.length) {
        System.err.println(USAGE);
        System.exit(args[i].equals("--help") ? 0 : 2);
      }
      String v = args[i + 1];
      switch (args[i]) {
        case "--model" -> modelDir = Path.of(v);
        case "--threads" -> threads = Integer.parseInt(v);
        case "--repeat" -> repeat = Integer.parseInt(v);
        case "--decode-tokens" -> decodeTokens = Integer.parseInt(v);
        case "--sizes" -> sizes = v;
        case "--prefill-tokens" -> prefillTokens = Integer.parseInt(v);
        case "--peer" -> peer = v;
        default -> {
          System.err.println("unknown option " + args[i] + "\n" + USAGE);
          System.exit(2);
        }
      }
    }
    if (modelDir == null) {
      System.err.println(USAGE);
      System.exit(2);
    }
    System.setProperty("docproc.cpu.threads", Integer.toString(threads));
    Rows rows = new Rows();
    System.out.println("| measure | value |");
    System.out.println("|---|---|");
    rows.add("| date | " + java.time.ZonedDateTime.now() + " |");
    rows.add(
        "| machine | "
            + cpuModel()
            + ", "
            + Runtime.getRuntime().availableProcessors()
            + " cores |");
    rows.add("| load average at start | " + loadAverage() + " |");
    rows.add(String.format("| threads | %d |", threads));

    double bandwidth = Bandwidth.copyGBps(threads);
    long bytesPerToken = decodeBytesPerToken(modelDir);
    rows.add(String.format("| memory bandwidth (copy, read+write) | %.1f GB/s |", bandwidth));
    rows.add(
        String.format("| weight bytes read per decoded token | %.2f GB |", bytesPerToken / 1e9));
    double floorMs = bytesPerToken / (bandwidth * 1e9) * 1e3;
    rows.add(
        String.format(
            "| decode floor (bytes / bandwidth) | %.0f ms/token (%.2f tokens/s) |",
            floorMs, 1e3 / floorMs));

    ImagePreprocessor pre =
        new ImagePreprocessor(
            PreprocessorConfig.load(modelDir.resolve("preprocessor_config.json")));
    SplittableRandom random = new SplittableRandom(1);
    try (CpuOps ops = CpuOps.create()) {
      long t0 = System.nanoTime();
      QwenVL model = QwenVL.load(modelDir, ops, Taps.OFF);
      rows.add(
          String.format(
              "| load (mmap + checks, files in page cache) | %.2f s |",
              (System.nanoTime() - t0) / 1e9));
      rows.add("| backend | " + ops.name() + " |");

      // warm-up, untimed: a small image and a short prompt (as the peer does)
      Grid small = grid(pre, "480x360");
      model.encodeImages(randomPixels(random, small.patches() * 1176), List.of(small)).close();
      try (KvCache cache = model.decoder().newCache(40)) {
        Buf logits =
            model
                .decoder()
                .prefill(
                    cache,
                    textIds(random, 16, model.config().text().vocabSize()),
                    List.of(),
                    null,
                    false);
        for (int k = 0; k < 4; k++) {
          logits = model.decoder().step(cache, ops.argmax(logits, 0));
        }
      }

      for (String size : sizes.split(",")) {
        Grid g = grid(pre, size);
        double[] times = new double[repeat];
        for (int r = 0; r < repeat; r++) {
          float[] pixels = randomPixels(random, g.patches() * 1176);
          long s = System.nanoTime();
          model.encodeImages(pixels, List.of(g)).close();
          times[r] = (System.nanoTime() - s) / 1e9;
        }
        rows.add(
            String.format(
                "| vision encoder %s (grid %dx%d, %d patches) | %s s |",
                size, g.h(), g.w(), g.patches(), fmt(times)));
      }

      double[] prefill = new double[repeat];
      double[] decode = new double[repeat];
      double[] decodeCpu = new double[repeat]; // process CPU ms per decoded token
      for (int r = 0; r < repeat; r++) {
        int[] prompt = textIds(random, prefillTokens, model.config().text().vocabSize());
        try (KvCache cache = model.decoder().newCache(prompt.length + decodeTokens + 1)) {
          long s = System.nanoTime();
          Buf logits = model.decoder().prefill(cache, prompt, List.of(), null, false);
          prefill[r] = prompt.length / ((System.nanoTime() - s) / 1e9);
          int token = ops.argmax(logits, 0);
          s = System.nanoTime();
          long cpu0 = processCpuNanos();
          for (int k = 0; k < decodeTokens; k++) {
            logits = model.decoder().step(cache, token);
            token = ops.argmax(logits, 0);
          }
          decode[r] = decodeTokens / ((System.nanoTime() - s) / 1e9);
          decodeCpu[r] = (processCpuNanos() - cpu0) / 1e6 / decodeTokens;
        }
      }
      rows.add(
          String.format(
              "| prefill, %d random text tokens | %s tokens/s |", prefillTokens, fmt(prefill)));
      rows.add(
          String.format(
              "| decode, %d greedy steps after it | %s tokens/s |", decodeTokens, fmt(decode)));
      double best = Arrays.stream(decode).max().orElse(0);
      rows.add(
          String.format(
              "| best decode step vs floor | %.2f× the floor time |", (1e3 / best) / floorMs));
      // CPU time does not grow when other processes take the cores: what an idle machine would see
      double cpu = Arrays.stream(decodeCpu).min().orElse(0);
      rows.add(
          String.format("| decode CPU time per token (all threads) | %s ms |", fmt(decodeCpu)));
      rows.add(
          String.format(
              "| decode CPU time ÷ threads vs floor | %.2f× the floor time |",
              cpu / threads / floorMs));
      model.close();
    }
    rows.add(
        String.format(
            "| peak RSS (VmHWM, mapped weights included) | %.2f GB |", peakRssBytes() / 1e9));
    rows.add("| load average at end | " + loadAverage() + " |");
    if (peer != null) {
      System.out.println();
      System.out.println("peer: " + peer);
      System.gc();
      Process p = new ProcessBuilder("bash", "-c", peer).inheritIO().start();
      System.out.println("peer exit code " + p.waitFor());
    }
  }

  /** Image size "WxH" → its patch grid after smart_resize with the model's preprocessor config. */
  static Grid grid(ImagePreprocessor pre, String size) {
    String[] wh = size.split("x");
    int[] hw = pre.smartResize(Integer.parseInt(wh[1]), Integer.parseInt(wh[0]));
    int patch = pre.config().patchSize();
    return new Grid(1, hw[0] / patch, hw[1] / patch);
  }

  private static float[] randomPixels(SplittableRandom random, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (random.nextDouble() * 4 - 2);
    }
    return a;
  }

  /** Random ordinary token ids (below the special tokens at 151643). */
  private static int[] textIds(SplittableRandom random, int n, int vocab) {
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = random.nextInt(Math.min(151643, vocab));
    }
    return ids;
  }

  /** Bytes a decode step reads: every decoder tensor, the lm_head (the tied embedding) once. */
  static long decodeBytesPerToken(Path dir) {
    try (Checkpoint c = Checkpoint.open(dir, NameMap.QWEN2_5_VL)) {
      long bytes = 0;
      for (String name : c.names()) {
        if (name.startsWith("model.layers.")
            || name.equals("model.norm.weight")
            || name.startsWith("lm_head.")) {
          bytes += c.get(name).data().byteSize();
        }
      }
      if (!c.has("lm_head.weight")) {
        Tensor embed = c.get("model.embed_tokens.weight");
        bytes += embed.data().byteSize();
      }
      return bytes;
    }
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static String loadAverage() throws IOException {
    String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
    return f[0] + " " + f[1] + " " + f[2] + " (1/5/15 min)";
  }

  private static String cpuModel() throws IOException {
    return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
        .filter(l -> l.startsWith("model name"))
        .findFirst()
        .map(l -> l.substring(l.indexOf(':') + 1).strip())
        .orElse("unknown CPU");
  }

  static long peakRssBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }

  /** Table rows, printed as they are measured (a full run takes a while). */
  private static final class Rows {
    void add(String row) {
      System.out.println(row);
      System.out.flush();
    }
  }

  private static String fmt(double[] values) {
    StringBuilder sb = new StringBuilder();
    for (double v : values) {
      sb.append(sb.isEmpty() ? "" : " / ").append(String.format(v < 10 ? "%.2f" : "%.1f", v));
    }
    return sb.toString();
  }
}
