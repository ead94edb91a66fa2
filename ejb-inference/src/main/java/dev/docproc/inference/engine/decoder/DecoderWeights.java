package dev.docproc.inference.engine.decoder;

import dev.docproc.inference.engine.compute.Ops;
import dev.docproc.inference.engine.compute.Weight;
import dev.docproc.inference.engine.model.Checkpoint;
import dev.docproc.inference.engine.model.DType;
import dev.docproc.inference.engine.model.Linears;
import dev.docproc.inference.engine.model.Linears.Linear;
import dev.docproc.inference.engine.model.ModelConfig.TextConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The text decoder's weights (MODEL.md §2.3, names under {@code model.}); the lm_head is the
 * embedding table when the checkpoint has no {@code lm_head.weight} (tied).
 */
public record DecoderWeights(Weight embed, List<Layer> layers, Weight norm, Linear lmHead) {

  /** One decoder layer: q/k/v with bias, o without; SwiGLU MLP without biases. */
  public record Layer(
      Weight inputNorm,
      Linear q,
      Linear k,
      Linear v,
      Linear o,
      Weight postNorm,
      Linear gate,
      Linear up,
      Linear down) {}

  public static DecoderWeights load(Checkpoint ckpt, Ops ops, TextConfig c) {
    int d = c.hiddenSize();
    int qDim = c.heads() * c.headDim();
    int kvDim = c.kvHeads() * c.headDim();
    var embedTensor =
        ckpt.get("model.embed_tokens.weight")
            .expectDtype(DType.BF16, DType.F16, DType.F32)
            .expectShape(c.vocabSize(), d);
    Weight embed = ops.dense(embedTensor);
    List<Layer> layers = new ArrayList<>();
    for (int i = 0; i < c.layers(); i++) {
      String p = "model.layers." + i;
      layers.add(
          new Layer(
              Linears.vector(ckpt, ops, p + ".input_layernorm.weight", d),
              Linears.load(ckpt, ops, p + ".self_attn.q_proj", qDim, d, true),
              Linears.load(ckpt, ops, p + ".self_attn.k_proj", kvDim, d, true),
              Linears.load(ckpt, ops, p + ".self_attn.v_proj", kvDim, d, true),
              Linears.load(ckpt, ops, p + ".self_attn.o_proj", d, qDim, false),
              Linears.vector(ckpt, ops, p + ".post_attention_layernorm.weight", d),
              Linears.load(ckpt, ops, p + ".mlp.gate_proj", c.intermediateSize(), d, false),
              Linears.load(ckpt, ops, p + ".mlp.up_proj", c.intermediateSize(), d, false),
              Linears.load(ckpt, ops, p + ".mlp.down_proj", d, c.intermediateSize(), false)));
    }
    boolean hasHead = ckpt.has("lm_head.weight") || ckpt.has("lm_head.weight_packed");
    Linear lmHead =
        hasHead
            ? Linears.load(ckpt, ops, "lm_head", c.vocabSize(), d, false)
            : new Linear(embed, null);
    return new DecoderWeights(
        embed, List.copyOf(layers), Linears.vector(ckpt, ops, "model.norm.weight", d), lmHead);
  }
}
