package dev.docproc.inference.engine.cli;

import dev.docproc.inference.engine.Engine;
import dev.docproc.inference.engine.QwenVL;
import dev.docproc.inference.engine.compute.Backend;
import dev.docproc.inference.engine.compute.Buf;
import dev.docproc.inference.engine.compute.Ops;
import dev.docproc.inference.engine.compute.Taps;
import dev.docproc.inference.engine.decoder.KvCache;
import dev.docproc.inference.engine.generate.Generation;
import dev.docproc.inference.engine.generate.GenerationListener;
import dev.docproc.inference.engine.generate.Request;
import dev.docproc.inference.engine.generate.SamplingParams;
import dev.docproc.inference.engine.generate.Scheduler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The engine end to end on a backend against the reference fixtures (what transformers computed in
 * float32, tools/reference): per case the vision features, the logits at every prompt position, the
 * logits of the 32 greedy steps (fed the reference's tokens), and the tokens the generate loop
 * picks — greedy, greedy with the repetition penalty, all cases at once in one continuous batch —
 * which must equal the reference's wherever its top-2 margin is clear; after a step whose margin is
 * not clear the sequences may part. The GPU check runs it on CUDA; tests run it on the CPU.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp docproc-engine.jar \
 *   dev.docproc.inference.engine.cli.ReferenceCheck --fixtures DIR [--compute auto|cpu|cuda]
 *   [--tolerance X] [--vision-tolerance X] [--clear-margin M]
 * </pre>
 *
 * Defaults on the CPU (float32): relative errors ≤ 1e-4. On CUDA (bf16 activations): logits ≤ 5e-2
 * per row, vision features ≤ 3e-2 over the tensor, a margin ≥ 1.0 is clear — transformers itself,
 * run in bf16 on these fixtures, is 2.4e-2 (logits, worst row) and 1.0e-2 (vision) from its float32
 * result, and its logits move by up to 0.34, so a margin of 1.0 cannot flip.
 */
public final class ReferenceCheck {

  /** One checked quantity: its value against its limit. */
  public record Row(
      String item, String check, double value, double limit, boolean passed, String detail) {}

  /** Limits of the comparison. */
  public record Limits(double logits, double vision, double clearMargin) {
    static Limits forBackend(Backend.Kind kind) {
      return kind == Backend.Kind.CPU ? new Limits(1e-4, 1e-4, 0) : new Limits(5e-2, 3e-2, 1.0);
    }
  }

  private ReferenceCheck() {}

  public static void main(String[] args) {
    Path fixtures = Path.of("ejb-inference/src/test/resources/reference");
    String compute = Backend.setting();
    Double tolerance = null;
    Double vision = null;
    Double margin = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--fixtures" -> fixtures = Path.of(args[i + 1]);
        case "--compute" -> compute = args[i + 1];
        case "--tolerance" -> tolerance = Double.parseDouble(args[i + 1]);
        case "--vision-tolerance" -> vision = Double.parseDouble(args[i + 1]);
        case "--clear-margin" -> margin = Double.parseDouble(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Backend.Kind kind = Backend.choose(compute, dev.docproc.gpu.CudaAvailability::probe).kind();
    Limits d = Limits.forBackend(kind);
    Limits limits =
        new Limits(
            tolerance != null ? tolerance : d.logits(),
            vision != null ? vision : d.vision(),
            margin != null ? margin : d.clearMargin());
    List<Row> rows = run(fixtures, compute, limits);
    System.out.print(table(rows));
    System.exit(rows.stream().allMatch(Row::passed) ? 0 : 1);
  }

  /** Runs every case of every fixture model on the backend {@code compute} chooses. */
  public static List<Row> run(Path fixtures, String compute, Limits limits) {
    Map<Path, List<ReferenceCase>> byModel = new LinkedHashMap<>();
    for (ReferenceCase c : ReferenceCase.all(fixtures)) {
      byModel.computeIfAbsent(c.modelDir(), m -> new ArrayList<>()).add(c);
    }
    List<Row> rows = new ArrayList<>();
    for (var e : byModel.entrySet()) {
      List<ReferenceCase> cases = e.getValue();
      Engine.Settings settings =
          Engine.Settings.fromSystemProperties().with(compute, 4096, 2 * cases.size() + 2);
      try (Engine engine = Engine.open(e.getKey(), settings, Taps.OFF)) {
        for (ReferenceCase c : cases) {
          rows.addAll(single(engine, c, limits));
        }
        rows.addAll(batched(engine, cases, limits));
      }
    }
    return rows;
  }

  /** Vision features, prompt logits, teacher-forced step logits, greedy and penalized tokens. */
  static List<Row> single(Engine engine, ReferenceCase c, Limits limits) {
    List<Row> rows = new ArrayList<>();
    QwenVL model = engine.model();
    Ops ops = engine.ops();
    int vocab = c.vocab();
    Buf image = null;
    try {
      if (!c.grids().isEmpty()) {
        image = model.encodeImages(c.pixels(), c.grids());
        float[] features = ops.read(image, 0, image.rows());
        rows.add(
            within(
                c.name(),
                "vision features",
                worstRow(features, c.visionFeatures(), features.length),
                limits.vision()));
      }
      try (KvCache cache = model.decoder().newCache(c.ids().length + c.greedy().length)) {
        try (Buf logits = model.decoder().prefill(cache, c.ids(), c.grids(), image, true)) {
          float[] all = ops.read(logits, 0, c.ids().length);
          rows.add(
              within(
                  c.name(),
                  "prompt logits (worst row)",
                  worstRow(all, c.logits(), vocab),
                  limits.logits()));
        }
      }
      try (KvCache cache = model.decoder().newCache(c.ids().length + c.greedy().length)) {
        float[] steps = new float[c.generatedLogits().length];
        try (Buf first = model.decoder().prefill(cache, c.ids(), c.grids(), image, false)) {
          System.arraycopy(ops.read(first, 0, 1), 0, steps, 0, vocab);
        }
        for (int t = 1; t < c.greedy().length; t++) {
          Buf logits = model.decoder().step(cache, c.greedy()[t - 1]);
          System.arraycopy(ops.read(logits, 0, 1), 0, steps, t * vocab, vocab);
        }
        rows.add(
            within(
                c.name(),
                "greedy step logits (worst)",
                worstRow(steps, c.generatedLogits(), vocab),
                limits.logits()));
      }
    } finally {
      if (image != null) {
        image.close();
      }
    }
    var generator = engine.generator(ids -> "");
    Generation g =
        generator.generate(
            c.ids(), c.pixels(), c.grids(), greedy(c, 1f), GenerationListener.NONE, () -> false);
    rows.add(tokens(c.name(), "greedy tokens", g.tokens(), c.greedy(), c.greedyMargins(), limits));
    Generation p =
        generator.generate(
            c.ids(),
            c.pixels(),
            c.grids(),
            greedy(c, c.penalty()),
            GenerationListener.NONE,
            () -> false);
    rows.add(
        tokens(
            c.name(),
            "penalty " + c.penalty() + " tokens",
            p.tokens(),
            c.penalized(),
            c.penalizedMargins(),
            limits));
    return rows;
  }

  /**
   * Every case twice (greedy and with the penalty) plus one seeded sampling request twice, all
   * submitted at once to one scheduler: a continuous batch whose rows join, leave and move.
   */
  static List<Row> batched(Engine engine, List<ReferenceCase> cases, Limits limits) {
    List<Row> rows = new ArrayList<>();
    try (Scheduler s = engine.scheduler(ids -> "")) {
      List<CompletableFuture<Generation>> plain = new ArrayList<>();
      List<CompletableFuture<Generation>> penalized = new ArrayList<>();
      for (ReferenceCase c : cases) {
        plain.add(s.submit(request(c, greedy(c, 1f))));
        penalized.add(s.submit(request(c, greedy(c, c.penalty()))));
      }
      ReferenceCase first = cases.get(0);
      SamplingParams sampled =
          SamplingParams.greedy(first.greedy().length).withSampling(0.8f, 20, 0.9f, 7);
      CompletableFuture<Generation> drawA = s.submit(request(first, sampled));
      CompletableFuture<Generation> drawB = s.submit(request(first, sampled));
      s.runUntilIdle();
      for (int i = 0; i < cases.size(); i++) {
        ReferenceCase c = cases.get(i);
        rows.add(
            tokens(
                c.name(),
                "batched greedy tokens",
                plain.get(i).join().tokens(),
                c.greedy(),
                c.greedyMargins(),
                limits));
        rows.add(
            tokens(
                c.name(),
                "batched penalty tokens",
                penalized.get(i).join().tokens(),
                c.penalized(),
                c.penalizedMargins(),
                limits));
      }
      int[] a = drawA.join().tokens();
      int[] b = drawB.join().tokens();
      boolean same = Arrays.equals(a, b);
      rows.add(
          new Row(
              first.name(),
              "sampling, same seed twice",
              same ? 0 : 1,
              0,
              same,
              same
                  ? "equal draws: " + Arrays.toString(Arrays.copyOf(a, 8)) + "…"
                  : Arrays.toString(a) + " vs " + Arrays.toString(b)));
    }
    return rows;
  }

  private static Request request(ReferenceCase c, SamplingParams p) {
    return new Request(c.ids(), c.pixels(), c.grids(), p, GenerationListener.NONE, () -> false);
  }

  /** Greedy for as many steps as the reference has, no stop ids (as the reference generated). */
  private static SamplingParams greedy(ReferenceCase c, float penalty) {
    return SamplingParams.greedy(c.greedy().length).withRepetitionPenalty(penalty);
  }

  /**
   * Tokens equal to the reference's up to its length, except that from a step whose reference
   * margin is below the clear margin on, a different token ends the comparison without failing.
   */
  static Row tokens(
      String item, String check, int[] got, int[] ref, double[] margins, Limits limits) {
    for (int t = 0; t < ref.length; t++) {
      if (t >= got.length) {
        return new Row(item, check, t, ref.length, false, "stopped after " + t + " tokens");
      }
      if (got[t] != ref[t]) {
        boolean unclear = margins[t] < limits.clearMargin();
        return new Row(
            item,
            check,
            t,
            ref.length,
            unclear,
            String.format(
                "step %d: %d where the reference has %d, top-2 margin %.3f %s %.2f",
                t, got[t], ref[t], margins[t], unclear ? "<" : "≥", limits.clearMargin()));
      }
    }
    return new Row(item, check, ref.length, ref.length, true, "all " + ref.length + " equal");
  }

  private static Row within(String item, String check, double err, double limit) {
    return new Row(item, check, err, limit, err <= limit, "relative error");
  }

  /** Largest ‖out − ref‖ / ‖ref‖ over rows of {@code width} values; a NaN counts as infinite. */
  static double worstRow(float[] out, float[] ref, int width) {
    if (out.length != ref.length) {
      return Double.POSITIVE_INFINITY;
    }
    double worst = 0;
    for (int r = 0; r < ref.length / width; r++) {
      double diff = 0;
      double norm = 0;
      for (int i = r * width; i < (r + 1) * width; i++) {
        double d = (double) out[i] - ref[i];
        diff += d * d;
        norm += (double) ref[i] * ref[i];
      }
      double err = Math.sqrt(diff / norm);
      worst = Double.isNaN(err) ? Double.POSITIVE_INFINITY : Math.max(worst, err);
    }
    return worst;
  }

  /** The rows as a fixed-width table, then a summary line. */
  public static String table(List<Row> rows) {
    StringBuilder t = new StringBuilder();
    t.append(
        String.format(
            "%-40s %-28s %10s %9s  %-4s  %s%n", "case", "check", "value", "limit", "", "detail"));
    int passed = 0;
    for (Row r : rows) {
      t.append(
          String.format(
              "%-40s %-28s %10.3g %9.3g  %-4s  %s%n",
              r.item(), r.check(), r.value(), r.limit(), r.passed() ? "PASS" : "FAIL", r.detail()));
      passed += r.passed() ? 1 : 0;
    }
    t.append(String.format("end-to-end: %d passed, %d failed%n", passed, rows.size() - passed));
    return t.toString();
  }
}
