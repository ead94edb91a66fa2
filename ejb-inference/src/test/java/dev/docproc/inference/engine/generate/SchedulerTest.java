package dev.docproc.inference.engine.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.docproc.inference.engine.QwenVL;
import dev.docproc.inference.engine.cli.ReferenceCase;
import dev.docproc.inference.engine.compute.Ops;
import dev.docproc.inference.engine.compute.Taps;
import dev.docproc.inference.engine.compute.cpu.CpuOps;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Continuous batching on the CPU backend with the reference fixture model: many requests at once,
 * more than the batch has rows and the pool has blocks, give each exactly what it gives alone.
 */
class SchedulerTest {
  private static final Path FIXTURES = Path.of("src/test/resources/reference");
  private static Ops ops;
  private static QwenVL model;
  private static List<ReferenceCase> cases;

  /** Each id as one letter: text for stop strings and streaming. */
  private static String decode(int[] ids) {
    StringBuilder sb = new StringBuilder();
    for (int id : ids) {
      sb.append((char) ('a' + id % 26));
    }
    return sb.toString();
  }

  @BeforeAll
  static void setUp() {
    cases =
        ReferenceCase.all(FIXTURES).stream()
            .filter(c -> c.name().startsWith("tiny-w4a16-g128-weight/"))
            .toList();
    ops = new CpuOps(new CpuOps.Options(2, true));
    model = QwenVL.load(cases.get(0).modelDir(), ops, Taps.OFF);
  }

  @AfterAll
  static void tearDown() {
    model.close();
    ops.close();
  }

  private static Request request(ReferenceCase c, SamplingParams p, GenerationListener l) {
    return new Request(c.ids(), c.pixels(), c.grids(), p, l, () -> false);
  }

  private static Generation alone(Request r) {
    return new Generator(model, ops, SchedulerTest::decode, 4096)
        .generate(r.prompt(), r.pixels(), r.grids(), r.params(), r.listener(), r.cancelled());
  }

  /** Greedy, penalized, sampled, stop-token, stop-string and short requests over all cases. */
  private static List<Request> mix() {
    List<Request> requests = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      ReferenceCase c = cases.get(i);
      requests.add(request(c, SamplingParams.greedy(24), GenerationListener.NONE));
      requests.add(
          request(
              c, SamplingParams.greedy(17).withRepetitionPenalty(1.05f), GenerationListener.NONE));
      requests.add(
          request(
              c,
              SamplingParams.greedy(20).withSampling(0.9f, 40, 0.95f, 11 + i),
              GenerationListener.NONE));
      requests.add(request(c, SamplingParams.greedy(3 + i), GenerationListener.NONE));
    }
    ReferenceCase c = cases.get(1);
    requests.add(request(c, SamplingParams.greedy(30, c.greedy()[6]), GenerationListener.NONE));
    String text = decode(c.greedy());
    requests.add(
        request(
            c,
            SamplingParams.greedy(30).withStopStrings(List.of(text.substring(9, 12))),
            GenerationListener.NONE));
    return requests;
  }

  @Test
  void batchedResultsEqualSingleRequestResults() {
    List<Request> requests = mix();
    List<Generation> expected = requests.stream().map(SchedulerTest::alone).toList();
    // 3 rows, and KV blocks for about two long sequences: requests wait for rows and for blocks
    try (Scheduler s =
        new Scheduler(model, ops, SchedulerTest::decode, new Scheduler.Limits(3, 4096, 260))) {
      List<CompletableFuture<Generation>> results = new ArrayList<>();
      for (Request r : requests) {
        results.add(s.submit(r));
      }
      s.runUntilIdle();
      for (int i = 0; i < requests.size(); i++) {
        Generation got = results.get(i).join();
        Generation want = expected.get(i);
        assertArrayEquals(want.tokens(), got.tokens(), "tokens of request " + i);
        assertEquals(want.text(), got.text(), "text of request " + i);
        assertEquals(want.stopReason(), got.stopReason(), "stop reason of request " + i);
      }
    }
    assertTrue(
        expected.stream().anyMatch(g -> g.stopReason() == Generation.StopReason.STOP_TOKEN)
            && expected.stream().anyMatch(g -> g.stopReason() == Generation.StopReason.STOP_STRING),
        "the mix covers both stop kinds");
  }

  @Test
  void greedyInABatchEqualsTheReference() {
    try (Scheduler s =
        new Scheduler(model, ops, SchedulerTest::decode, new Scheduler.Limits(8, 4096, 8 * 200))) {
      List<CompletableFuture<Generation>> results = new ArrayList<>();
      for (ReferenceCase c : cases) {
        results.add(s.submit(request(c, SamplingParams.greedy(32), GenerationListener.NONE)));
      }
      s.runUntilIdle();
      for (int i = 0; i < cases.size(); i++) {
        assertArrayEquals(
            cases.get(i).greedy(), results.get(i).join().tokens(), cases.get(i).name());
      }
    }
  }

  @Test
  void aCancelledOrFailingRequestLeavesTheOthersAlone() {
    ReferenceCase c = cases.get(0);
    AtomicInteger seen = new AtomicInteger();
    GenerationListener failing =
        new GenerationListener() {
          @Override
          public void onToken(int step, int token) {
            if (step == 4) {
              throw new IllegalStateException("client went away");
            }
          }
        };
    GenerationListener counting =
        new GenerationListener() {
          @Override
          public void onToken(int step, int token) {
            seen.incrementAndGet();
          }
        };
    try (Scheduler s =
        new Scheduler(model, ops, SchedulerTest::decode, new Scheduler.Limits(4, 4096, 4 * 200))) {
      CompletableFuture<Generation> plain =
          s.submit(request(c, SamplingParams.greedy(32), GenerationListener.NONE));
      CompletableFuture<Generation> broken =
          s.submit(request(c, SamplingParams.greedy(32), failing));
      CompletableFuture<Generation> cancelled =
          s.submit(
              new Request(
                  c.ids(),
                  c.pixels(),
                  c.grids(),
                  SamplingParams.greedy(32),
                  counting,
                  () -> seen.get() >= 6));
      s.runUntilIdle();
      assertArrayEquals(c.greedy(), plain.join().tokens());
      CompletionException e = assertThrows(CompletionException.class, broken::join);
      assertEquals("client went away", e.getCause().getMessage());
      Generation g = cancelled.join();
      assertEquals(Generation.StopReason.CANCELLED, g.stopReason());
      assertEquals(6, g.tokens().length);
    }
  }

  @Test
  void requestsThatCanNeverRunAreRefusedWithTheReason() {
    ReferenceCase c = cases.get(0);
    try (Scheduler s =
        new Scheduler(model, ops, SchedulerTest::decode, new Scheduler.Limits(2, 4096, 64))) {
      CompletableFuture<Generation> tooLong =
          s.submit(request(c, SamplingParams.greedy(32), GenerationListener.NONE));
      s.runUntilIdle();
      CompletionException e = assertThrows(CompletionException.class, tooLong::join);
      assertTrue(
          e.getCause().getMessage().contains("KV blocks but the pool has 1"), e.getMessage());
      IllegalArgumentException prompt =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  new Scheduler(model, ops, SchedulerTest::decode, new Scheduler.Limits(1, 40, 64))
                      .submit(request(c, SamplingParams.greedy(4), GenerationListener.NONE)));
      assertTrue(
          prompt.getMessage().contains("does not fit the context of 40"), prompt.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> new Scheduler.Limits(0, 4096, 64));
  }
}
