package dev.docproc.inference.engine.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.docproc.inference.engine.model.Checkpoint;
import dev.docproc.inference.engine.model.DType;
import dev.docproc.inference.engine.model.NameMap;
import dev.docproc.inference.engine.text.QwenTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The synthetic model's files: the published tensor layout and a tokenizer with Qwen's ids. */
class SyntheticModelTest {
  @TempDir Path tmp;

  @Test
  void writesThePublishedTensorLayout() throws IOException {
    SyntheticModel.Spec spec = SyntheticModel.Spec.tiny(2);
    SyntheticModel.write(spec, tmp);
    try (Checkpoint c = Checkpoint.open(tmp, NameMap.QWEN2_5_VL)) {
      // 7 quantized linears × 3 tensors + 3 biases + 2 norms per layer; vision blocks 2 norms +
      // 5 linears with biases; patch embed, merger 1 norm + 2 linears; embedding and final norm
      int expected = spec.layers() * (21 + 3 + 2) + spec.visionDepth() * 12 + 1 + 5 + 2;
      assertEquals(expected, c.names().size());
      var q = c.get("model.layers.0.mlp.down_proj.weight_packed");
      assertEquals(DType.I32, q.dtype());
      assertArrayEquals(new long[] {64, 128 / 8}, q.shape());
      assertArrayEquals(
          new long[] {64, 128 / 32}, c.get("model.layers.0.mlp.down_proj.weight_scale").shape());
      assertEquals(DType.I64, c.get("model.layers.0.mlp.down_proj.weight_shape").dtype());
      assertArrayEquals(
          new long[] {32, 3, 2, 14, 14}, c.get("visual.patch_embed.proj.weight").shape());
      assertEquals(DType.BF16, c.get("visual.merger.mlp.0.weight").dtype());
    }
  }

  @Test
  void tokenizerKeepsQwenSpecialTokenIds() throws IOException {
    SyntheticModel.write(SyntheticModel.Spec.tiny(2), tmp);
    try (QwenTokenizer t = QwenTokenizer.load(tmp.resolve("tokenizer.json"))) {
      assertEquals(151655, t.tokenId("<|image_pad|>"));
      int[] ids = t.encode("<|im_start|>user\nhi<|im_end|>");
      assertArrayEquals(new int[] {151644, 'u', 's', 'e', 'r', '\n', 'h', 'i', 151645}, ids);
      assertEquals("user\nhi", t.decode(ids, true));
    }
  }
}
