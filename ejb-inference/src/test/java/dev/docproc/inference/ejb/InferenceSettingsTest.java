package dev.docproc.inference.ejb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.docproc.inference.engine.compute.Backend;
import org.junit.jupiter.api.Test;

/** The engine's settings as the inference bean opens it: batch per backend, and bad values. */
class InferenceSettingsTest {

  private static InferenceSettings settings(String compute, Integer maxBatch) {
    return new InferenceSettings("/models/m", "Describe.", 64, 2048, 4, compute, maxBatch);
  }

  @Test
  void withoutAMaxBatchTheCpuAnswersOneQuestionAtATimeAndAGpuSixteen() {
    InferenceSettings unset = settings("auto", null);

    assertEquals(1, unset.engine(Backend.Kind.CPU).maxBatch());
    assertEquals(16, unset.engine(Backend.Kind.CUDA).maxBatch());
    assertEquals(2048, unset.engine(Backend.Kind.CUDA).maxContext());
    assertEquals(0.9, unset.engine(Backend.Kind.CUDA).gpuMemoryUtilization());
  }

  @Test
  void aConfiguredMaxBatchHoldsOnEveryBackend() {
    InferenceSettings four = settings("cpu", 4);

    assertEquals(4, four.engine(Backend.Kind.CPU).maxBatch());
    assertEquals(4, four.engine(Backend.Kind.CUDA).maxBatch());
    assertEquals("cpu", four.engine(Backend.Kind.CPU).compute());
  }

  @Test
  void badValuesAreRefusedWithTheKey() {
    assertEquals(
        "docproc.compute must be auto, cpu or cuda, got 'gpu'",
        assertThrows(IllegalArgumentException.class, () -> settings("gpu", null)).getMessage());
    assertEquals(
        "docproc.inference.max-batch must be >= 1",
        assertThrows(IllegalArgumentException.class, () -> settings("auto", 0)).getMessage());
  }
}
