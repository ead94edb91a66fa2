package dev.docproc.inference.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line on the tiny reference model: answers, JSON, dump, and refusals. */
class MainTest {
  private static final Path REFERENCE = Path.of("src/test/resources/reference");
  private static final Path MODEL = REFERENCE.resolve("models/tiny-w4a16-g128-weight");
  private static final Path IMAGE = REFERENCE.resolve("images/rgb_140x140.png");

  @TempDir Path tmp;

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.execute(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void answersAndDumpsGreedyStepsEqualToTheReference() throws IOException {
    Path dump = tmp.resolve("dump.json");
    Run r =
        run(
            "--model",
            MODEL.toString(),
            "--image",
            IMAGE.toString(),
            "--prompt",
            "Describe the image.",
            "--max-tokens",
            "32",
            "--dump",
            dump.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(!r.out().isBlank());
    JsonNode d = new ObjectMapper().readTree(dump.toFile());
    JsonNode ref = new ObjectMapper().readTree(MODEL.resolve("cases/rgb-png.json").toFile());
    assertEquals(ref.get("input_ids"), d.get("prompt_ids"));
    // the dump is greedy: its tokens are the reference's until the first EOS stops it
    JsonNode greedy = ref.get("greedy_tokens");
    for (int i = 0; i < d.get("tokens").size(); i++) {
      assertEquals(greedy.get(i).asInt(), d.get("tokens").get(i).asInt(), "token " + i);
      JsonNode top = d.get("steps").get(i).get("top");
      assertEquals(10, top.size());
      assertEquals(greedy.get(i).asInt(), top.get(0).get(0).asInt());
    }
  }

  @Test
  void jsonOutputCarriesTheAnswerAndTimings() throws IOException {
    Run r =
        run(
            "--model",
            MODEL.toString(),
            "--image",
            IMAGE.toString(),
            "--prompt",
            "What is it?",
            "--max-tokens",
            "5",
            "--json",
            "--greedy");
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertEquals(5, j.get("tokens").size());
    assertTrue(j.get("prefill_seconds").asDouble() > 0);
    assertTrue(j.has("answer"));
    assertTrue(j.get("backend").asText().startsWith("cpu"), j.get("backend").asText());
  }

  @Test
  void cudaAskedForWithoutAUsableGpuIsAClearError() {
    org.junit.jupiter.api.Assumptions.assumeFalse(
        Files.exists(Path.of("/dev/nvidiactl")), "this machine has an NVIDIA GPU");
    Run r =
        run(
            "--model",
            MODEL.toString(),
            "--prompt",
            "hi",
            "--max-tokens",
            "2",
            "--compute",
            "cuda");
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("error: docproc.compute=cuda but no usable GPU: "), r.err());
    Run bad = run("--model", MODEL.toString(), "--prompt", "hi", "--compute", "tpu");
    assertEquals(1, bad.code());
    assertTrue(
        bad.err().contains("docproc.compute must be auto, cpu or cuda, got 'tpu'"), bad.err());
  }

  @Test
  void badInputGivesAClearErrorAndExitCode() throws IOException {
    Path tiny = tmp.resolve("one-pixel.png");
    java.awt.image.BufferedImage img =
        new java.awt.image.BufferedImage(1, 1, java.awt.image.BufferedImage.TYPE_INT_RGB);
    javax.imageio.ImageIO.write(img, "png", tiny.toFile());
    Run r = run("--model", MODEL.toString(), "--image", tiny.toString(), "--prompt", "hi");
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("error: ") && r.err().contains("1x1"), r.err());

    Run ctx =
        run(
            "--model",
            MODEL.toString(),
            "--image",
            IMAGE.toString(),
            "--prompt",
            "hi",
            "--max-context",
            "20");
    assertEquals(1, ctx.code());
    assertTrue(ctx.err().contains("does not fit the context of 20 tokens"), ctx.err());

    Run missing = run("--model", tmp.resolve("nothing").toString(), "--prompt", "hi");
    assertEquals(1, missing.code());
    assertTrue(missing.err().contains("neither a model directory nor a hub id"), missing.err());

    Run usage = run("--prompt", "hi");
    assertEquals(2, usage.code());
    assertTrue(usage.err().contains("--model and --prompt are required"), usage.err());

    Path truncated = Files.createDirectories(tmp.resolve("truncated"));
    for (Path f : Files.list(MODEL).filter(Files::isRegularFile).toList()) {
      Files.copy(f, truncated.resolve(f.getFileName()));
    }
    Path weights = truncated.resolve("model.safetensors");
    byte[] all = Files.readAllBytes(weights);
    Files.write(weights, java.util.Arrays.copyOf(all, all.length - 1000));
    Run cut = run("--model", truncated.toString(), "--prompt", "hi");
    assertEquals(1, cut.code());
    assertTrue(cut.err().contains("truncated"), cut.err());
  }
}
