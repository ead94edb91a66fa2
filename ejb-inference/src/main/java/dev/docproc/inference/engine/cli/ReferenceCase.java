package dev.docproc.inference.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.docproc.inference.engine.model.SafeTensorsFile;
import dev.docproc.inference.engine.model.Tensor;
import dev.docproc.inference.engine.vision.Grid;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One prompt case of the reference fixtures (tools/reference, ejb-inference/src/test/resources/
 * reference): its inputs and what transformers computed in float32.
 *
 * @param pixels pixel_values [patches, 1176] (empty without images)
 * @param visionFeatures [image tokens, hidden] (empty without images)
 * @param logits [prompt length, vocab]: every prompt position
 * @param generatedLogits [steps, vocab]: the greedy steps
 * @param greedy the greedy tokens; {@code greedyMargins} the top-2 margin of each step's logits
 * @param penalized the greedy tokens with {@code penalty} as repetition penalty, and their margins
 */
public record ReferenceCase(
    String name,
    Path modelDir,
    int[] ids,
    List<Grid> grids,
    float[] pixels,
    float[] visionFeatures,
    float[] logits,
    float[] generatedLogits,
    int[] greedy,
    double[] greedyMargins,
    float penalty,
    int[] penalized,
    double[] penalizedMargins) {

  /** Every case of every model under {@code fixtures/models}, sorted by model and case. */
  public static List<ReferenceCase> all(Path fixtures) {
    List<ReferenceCase> cases = new ArrayList<>();
    try (Stream<Path> models = Files.list(fixtures.resolve("models"))) {
      for (Path model : models.sorted().toList()) {
        try (Stream<Path> files = Files.list(model.resolve("cases"))) {
          for (Path json : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
            cases.add(load(json));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading reference fixtures at " + fixtures, e);
    }
    if (cases.isEmpty()) {
      throw new IllegalArgumentException("no reference cases under " + fixtures);
    }
    return cases;
  }

  public static ReferenceCase load(Path caseJson) throws IOException {
    JsonNode c = new ObjectMapper().readTree(caseJson.toFile());
    List<Grid> grids = new ArrayList<>();
    for (JsonNode g : c.get("image_grid_thw")) {
      grids.add(new Grid(g.get(0).asInt(), g.get(1).asInt(), g.get(2).asInt()));
    }
    Path tensors =
        caseJson.resolveSibling(caseJson.getFileName().toString().replace(".json", ".safetensors"));
    JsonNode p = c.get("penalized_greedy");
    try (SafeTensorsFile ref = SafeTensorsFile.open(tensors)) {
      var t = ref.tensors();
      return new ReferenceCase(
          caseJson.getParent().getParent().getFileName() + "/" + c.get("case").asText(),
          caseJson.getParent().getParent(),
          ints(c.get("input_ids")),
          List.copyOf(grids),
          grids.isEmpty() ? new float[0] : t.get("pixel_values").toFloatArray(),
          grids.isEmpty() ? new float[0] : t.get("vision_features").toFloatArray(),
          floats(t.get("logits")),
          floats(t.get("generated_logits")),
          ints(c.get("greedy_tokens")),
          doubles(c.get("greedy_top2_margins")),
          (float) p.get("repetition_penalty").asDouble(),
          ints(p.get("tokens")),
          doubles(p.get("top2_margins")));
    }
  }

  public int vocab() {
    return logits.length / ids.length;
  }

  private static float[] floats(Tensor t) {
    return t.toFloatArray();
  }

  private static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }

  private static double[] doubles(JsonNode array) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asDouble();
    }
    return out;
  }
}
