package dev.docproc.inference.engine.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.docproc.inference.engine.QwenVL;
import dev.docproc.inference.engine.cli.SyntheticModel;
import dev.docproc.inference.engine.compute.Ops;
import dev.docproc.inference.engine.compute.Taps;
import dev.docproc.inference.engine.compute.cpu.CpuOps;
import dev.docproc.inference.engine.testing.RandomTensors;
import dev.docproc.inference.engine.vision.Grid;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generate loop on a tiny synthetic model: limits, stops, streaming, cancellation. */
class GeneratorTest {
  @TempDir static Path tmp;
  private static Ops ops;
  private static QwenVL model;
  private static final List<Grid> GRIDS = List.of(new Grid(1, 4, 6));

  /** Each id as one letter: enough text to see stop strings and streaming work. */
  private static String decode(int[] ids) {
    StringBuilder sb = new StringBuilder();
    for (int id : ids) {
      sb.append((char) ('a' + id % 26));
    }
    return sb.toString();
  }

  @BeforeAll
  static void setUp() throws IOException {
    SyntheticModel.write(SyntheticModel.Spec.tiny(3), tmp);
    ops = new CpuOps(new CpuOps.Options(2, true));
    model = QwenVL.load(tmp, ops, Taps.OFF);
  }

  @AfterAll
  static void tearDown() {
    model.close();
    ops.close();
  }

  private static int[] prompt() {
    return new int[] {
      151644, 10, 151652, 151655, 151655, 151655, 151655, 151655, 151655, 151653, 20
    };
  }

  private static float[] pixels() {
    return new RandomTensors(5).floats(24 * 1176, 2);
  }

  private Generation run(
      SamplingParams p, GenerationListener l, java.util.function.BooleanSupplier c) {
    return new Generator(model, ops, GeneratorTest::decode, 4096)
        .generate(prompt(), pixels(), GRIDS, p, l, c);
  }

  @Test
  void greedyRunsToTheTokenLimitAndStreamsAllText() {
    StringBuilder streamed = new StringBuilder();
    List<Integer> tokens = new ArrayList<>();
    Generation g =
        run(
            SamplingParams.greedy(12),
            new GenerationListener() {
              @Override
              public void onText(String delta) {
                streamed.append(delta);
              }

              @Override
              public void onToken(int step, int token) {
                tokens.add(token);
              }
            },
            () -> false);
    assertEquals(Generation.StopReason.MAX_TOKENS, g.stopReason());
    assertEquals(12, g.tokens().length);
    assertEquals(decode(g.tokens()), g.text());
    assertEquals(g.text(), streamed.toString());
    assertArrayEquals(g.tokens(), tokens.stream().mapToInt(Integer::intValue).toArray());
    // deterministic: the same request gives the same answer
    assertArrayEquals(
        g.tokens(), run(SamplingParams.greedy(12), GenerationListener.NONE, () -> false).tokens());
  }

  @Test
  void stopTokenEndsAndIsNotInTheText() {
    int[] greedy = run(SamplingParams.greedy(12), GenerationListener.NONE, () -> false).tokens();
    Generation g = run(SamplingParams.greedy(12, greedy[4]), GenerationListener.NONE, () -> false);
    int first = 0;
    while (greedy[first] != greedy[4]) {
      first++;
    }
    assertEquals(Generation.StopReason.STOP_TOKEN, g.stopReason());
    assertEquals(first + 1, g.tokens().length);
    assertEquals(decode(java.util.Arrays.copyOf(greedy, first)), g.text());
  }

  @Test
  void stopStringCutsTheAnswerAndIsNeverStreamed() {
    int[] greedy = run(SamplingParams.greedy(12), GenerationListener.NONE, () -> false).tokens();
    String full = decode(greedy);
    String stop = full.substring(5, 8);
    StringBuilder streamed = new StringBuilder();
    Generation g =
        run(
            SamplingParams.greedy(12).withStopStrings(List.of(stop)),
            new GenerationListener() {
              @Override
              public void onText(String delta) {
                streamed.append(delta);
              }
            },
            () -> false);
    assertEquals(Generation.StopReason.STOP_STRING, g.stopReason());
    assertEquals(full.substring(0, full.indexOf(stop)), g.text());
    assertEquals(g.text(), streamed.toString());
  }

  @Test
  void cancellationStopsBetweenTokens() {
    AtomicInteger seen = new AtomicInteger();
    Generation g =
        run(
            SamplingParams.greedy(50),
            new GenerationListener() {
              @Override
              public void onToken(int step, int token) {
                seen.incrementAndGet();
              }
            },
            () -> seen.get() >= 3);
    assertEquals(Generation.StopReason.CANCELLED, g.stopReason());
    assertEquals(3, g.tokens().length);
  }

  @Test
  void samplingWithASeedIsRepeatable() {
    SamplingParams p = SamplingParams.greedy(10).withSampling(1.5f, 0, 1f, 99);
    int[] a = run(p, GenerationListener.NONE, () -> false).tokens();
    assertArrayEquals(a, run(p, GenerationListener.NONE, () -> false).tokens());
  }

  @Test
  void generationConfigGivesTheDefaults() {
    SamplingParams d = SamplingParams.defaults(model.generationConfig(), 8);
    assertEquals(1.05f, d.repetitionPenalty());
    assertEquals(1, d.topK());
    assertArrayEquals(new int[] {151645, 151643}, d.stopTokenIds());
    assertTrue(!d.greedy());
  }

  @Test
  void promptLongerThanTheContextIsRefused() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new Generator(model, ops, GeneratorTest::decode, 8)
                    .generate(
                        prompt(),
                        pixels(),
                        GRIDS,
                        SamplingParams.greedy(4),
                        GenerationListener.NONE,
                        () -> false));
    assertTrue(e.getMessage().contains("prompt of 11 tokens"), e.getMessage());
  }

  @Test
  void contextFullEndsGeneration() {
    Generation g =
        new Generator(model, ops, GeneratorTest::decode, 15)
            .generate(
                prompt(),
                pixels(),
                GRIDS,
                SamplingParams.greedy(100),
                GenerationListener.NONE,
                () -> false);
    assertEquals(Generation.StopReason.CONTEXT_FULL, g.stopReason());
    assertEquals(5, g.tokens().length); // 11 prompt + 4 cached + the last one sampled
  }
}
