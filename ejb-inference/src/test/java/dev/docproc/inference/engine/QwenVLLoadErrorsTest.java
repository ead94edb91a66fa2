package dev.docproc.inference.engine;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.docproc.inference.engine.cli.SyntheticModel;
import dev.docproc.inference.engine.compute.Taps;
import dev.docproc.inference.engine.compute.cpu.CpuOps;
import dev.docproc.inference.engine.model.ModelFormatException;
import dev.docproc.inference.engine.vision.Grid;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint that does not fit its config, or images the engine will not run. */
class QwenVLLoadErrorsTest {
  @TempDir Path tmp;

  private String loadError(Path dir) {
    try (CpuOps ops = CpuOps.create()) {
      return assertThrows(ModelFormatException.class, () -> QwenVL.load(dir, ops, Taps.OFF).close())
          .getMessage();
    }
  }

  @Test
  void shapeNotMatchingTheConfigNamesTheTensor() throws IOException {
    SyntheticModel.write(SyntheticModel.Spec.tiny(1), tmp);
    Path config = tmp.resolve("config.json");
    Files.writeString(
        config,
        Files.readString(config)
            .replace("\"intermediate_size\" : 128", "\"intermediate_size\" : 96"));
    String m = loadError(tmp);
    assertTrue(
        m.contains("model.layers.0.mlp.gate_proj.weight_packed") && m.contains("[96, 8]"), m);
  }

  @Test
  void dtypeNotMatchingNamesTheTensor() throws IOException {
    SyntheticModel.write(SyntheticModel.Spec.tiny(1), tmp);
    // rewrite one dtype in the header in place: "BF16" → "I16 " keeps the header length
    Path f = tmp.resolve("model.safetensors");
    byte[] head = new byte[64 * 1024];
    try (var ch = Files.newByteChannel(f, StandardOpenOption.READ)) {
      ch.read(java.nio.ByteBuffer.wrap(head));
    }
    String h = new String(head, StandardCharsets.ISO_8859_1);
    int at = h.indexOf("\"model.norm.weight\"");
    int dtype = h.indexOf("\"BF16\"", at);
    try (var ch = Files.newByteChannel(f, StandardOpenOption.WRITE)) {
      ch.position(dtype);
      ch.write(java.nio.ByteBuffer.wrap("\"I16\" ".getBytes(StandardCharsets.US_ASCII)));
    }
    String m = loadError(tmp);
    assertTrue(m.contains("model.norm.weight") && m.contains("I16"), m);
  }

  @Test
  void missingTensorIsNamed() throws IOException {
    SyntheticModel.write(SyntheticModel.Spec.tiny(1), tmp);
    Path config = tmp.resolve("config.json");
    Files.writeString(
        config,
        Files.readString(config).replace("\"num_hidden_layers\" : 2", "\"num_hidden_layers\" : 3"));
    String m = loadError(tmp);
    assertTrue(m.contains("model.layers.2.input_layernorm.weight") && m.contains("missing"), m);
  }

  @Test
  void imagesTooLargeOrNotMatchingThePixelsAreRefused() throws IOException {
    SyntheticModel.write(SyntheticModel.Spec.tiny(1), tmp);
    try (CpuOps ops = CpuOps.create();
        QwenVL m = QwenVL.load(tmp, ops, Taps.OFF)) {
      // 20000×20000 pixels would be a 1428×1428 grid: over max_pixels
      String big =
          assertThrows(
                  IllegalArgumentException.class,
                  () -> m.validateImages(new float[0], List.of(new Grid(1, 1428, 1428))))
              .getMessage();
      assertTrue(big.contains("exceeds max_pixels"), big);
      String count =
          assertThrows(
                  IllegalArgumentException.class,
                  () -> m.validateImages(new float[1176 * 3], List.of(new Grid(1, 2, 2))))
              .getMessage();
      assertTrue(count.contains("pixel_values hold 3528 values"), count);
      assertThrows(IllegalArgumentException.class, () -> new Grid(1, 1, 1));
    }
  }
}
