package dev.docproc.inference.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The compressed-tensors {@code quantization_config} this engine runs (MODEL.md §2.2): format
 * {@code pack-quantized}, integer weights of 4 bits, symmetric, group or channel strategy, static,
 * activations unquantized (W4A16). Anything else is refused here, by name.
 *
 * @param groupSize columns per scale; 0 for the channel strategy (one scale per row)
 */
public record QuantizationConfig(int bits, int groupSize, String actorder, List<String> ignore) {

  static QuantizationConfig parse(JsonNode q, String source) {
    String where = source + " quantization_config";
    String method = q.path("quant_method").asText("");
    if (!method.equals("compressed-tensors")) {
      throw new ModelFormatException(
          where + ": quant_method '" + method + "' is not supported (only compressed-tensors)");
    }
    JsonNode groups = q.path("config_groups");
    if (!groups.isObject() || groups.isEmpty()) {
      throw new ModelFormatException(where + ": config_groups is missing");
    }
    QuantizationConfig result = null;
    for (var it = groups.fields(); it.hasNext(); ) {
      var group = it.next();
      String gw = where + ".config_groups." + group.getKey();
      JsonNode g = group.getValue();
      String format = g.path("format").asText(q.path("format").asText(""));
      if (!format.equals("pack-quantized")) {
        throw new ModelFormatException(
            gw + ": format '" + format + "' is not supported (only pack-quantized)");
      }
      JsonNode input = g.get("input_activations");
      if (input != null && !input.isNull()) {
        throw new ModelFormatException(
            gw + ": quantized input activations are not supported (only W4A16)");
      }
      JsonNode w = g.path("weights");
      int bits = w.path("num_bits").asInt(-1);
      String type = w.path("type").asText("int");
      String strategy = w.path("strategy").asText("");
      if (bits != 4 || !type.equals("int")) {
        throw new ModelFormatException(
            gw + ": weights of " + bits + "-bit " + type + " are not supported (only 4-bit int)");
      }
      if (!w.path("symmetric").asBoolean(false)) {
        throw new ModelFormatException(gw + ": asymmetric weights are not supported");
      }
      if (w.path("dynamic").asBoolean(false)) {
        throw new ModelFormatException(gw + ": dynamic weight quantization is not supported");
      }
      int groupSize =
          switch (strategy) {
            case "group" -> w.path("group_size").asInt(-1);
            case "channel" -> 0;
            default ->
                throw new ModelFormatException(
                    gw + ": strategy '" + strategy + "' is not supported (group or channel)");
          };
      if (groupSize < 0) {
        throw new ModelFormatException(gw + ": group strategy without a group_size");
      }
      String actorder = w.path("actorder").isNull() ? null : w.path("actorder").asText(null);
      List<String> ignore = new ArrayList<>();
      q.path("ignore").elements().forEachRemaining(n -> ignore.add(n.asText()));
      result = new QuantizationConfig(bits, groupSize, actorder, List.copyOf(ignore));
    }
    return result;
  }
}
