package dev.docproc.inference.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --dump}: per generated step the chosen token and the top-k raw logits, for checking the
 * engine against another implementation step by step.
 *
 * <pre>{"model": DIR, "prompt_ids": [...], "tokens": [...],
 *  "steps": [{"token": id, "top": [[id, logit], ...]}, ...]}</pre>
 */
final class Dump {
  private final int k;
  private final List<int[]> topIds = new ArrayList<>();
  private final List<float[]> topLogits = new ArrayList<>();
  private final List<Integer> tokens = new ArrayList<>();

  Dump(int k) {
    this.k = k;
  }

  void logits(float[] logits) {
    int n = Math.min(k, logits.length);
    int[] ids = new int[n];
    float[] vals = new float[n];
    java.util.Arrays.fill(vals, Float.NEGATIVE_INFINITY);
    for (int i = 0; i < logits.length; i++) {
      float v = logits[i];
      if (v <= vals[n - 1]) {
        continue;
      }
      int j = n - 1;
      while (j > 0 && vals[j - 1] < v) {
        vals[j] = vals[j - 1];
        ids[j] = ids[j - 1];
        j--;
      }
      vals[j] = v;
      ids[j] = i;
    }
    topIds.add(ids);
    topLogits.add(vals);
  }

  void token(int id) {
    tokens.add(id);
  }

  void write(Path file, int[] promptIds, String model) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode().put("model", model);
    ArrayNode prompt = root.putArray("prompt_ids");
    for (int id : promptIds) {
      prompt.add(id);
    }
    ArrayNode toks = root.putArray("tokens");
    tokens.forEach(toks::add);
    ArrayNode steps = root.putArray("steps");
    for (int s = 0; s < tokens.size(); s++) {
      ObjectNode step = steps.addObject().put("token", tokens.get(s));
      ArrayNode top = step.putArray("top");
      for (int i = 0; i < topIds.get(s).length; i++) {
        top.addArray().add(topIds.get(s)[i]).add(topLogits.get(s)[i]);
      }
    }
    json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
  }
}
