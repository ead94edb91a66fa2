package dev.docproc.inference.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.docproc.inference.engine.cli.ReferenceCase;
import dev.docproc.inference.engine.compute.Backend;
import dev.docproc.inference.engine.compute.Taps;
import dev.docproc.inference.engine.generate.GenerationListener;
import dev.docproc.inference.engine.generate.SamplingParams;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EngineTest {
  private static final Path CASE =
      Path.of("src/test/resources/reference/models/tiny-w4a16-g128-weight/cases/rgb-png.json");

  @Test
  void theCpuBackendRunsTheModelWithTheSettingsLimits() throws IOException {
    ReferenceCase c = ReferenceCase.load(CASE);
    Engine.Settings s = Engine.Settings.fromSystemProperties().with("cpu", 100_000, 3);
    try (Engine e = Engine.open(c.modelDir(), s, Taps.OFF)) {
      assertEquals(Backend.Kind.CPU, e.backend().kind());
      assertTrue(e.plan().isEmpty(), "no device memory to plan on the CPU");
      // the context is bounded by the model's max_position_embeddings (4096 for the tiny model)
      assertEquals(4096, e.limits().maxContext());
      assertEquals(3, e.limits().maxBatch());
      assertEquals(3L * 4096, e.limits().kvTokens());
      var g =
          e.generator(ids -> "")
              .generate(
                  c.ids(),
                  c.pixels(),
                  c.grids(),
                  SamplingParams.greedy(32),
                  GenerationListener.NONE,
                  () -> false);
      assertArrayEquals(c.greedy(), g.tokens());
    }
  }

  @Test
  void settingsOutOfRangeAreRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Engine.Settings("auto", 1, 1, 0.9));
    assertTrue(e.getMessage().contains("max context 1 ≥ 2"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Engine.Settings("auto", 4096, 0, 0.9));
    assertThrows(IllegalArgumentException.class, () -> new Engine.Settings("auto", 4096, 1, 0));
  }
}
