package dev.docproc.inference.engine.vision;

import dev.docproc.inference.engine.compute.Ops;
import dev.docproc.inference.engine.compute.Weight;
import dev.docproc.inference.engine.model.Checkpoint;
import dev.docproc.inference.engine.model.Linears;
import dev.docproc.inference.engine.model.Linears.Linear;
import dev.docproc.inference.engine.model.ModelConfig.VisionConfig;
import java.util.ArrayList;
import java.util.List;

/** The vision tower's weights (MODEL.md §2.3, names under {@code visual.}), checked on load. */
public record VisionWeights(Linear patchEmbed, List<Block> blocks, Merger merger) {

  /** One ViT block: norms [hidden]; q, k, v cut from the fused qkv; SwiGLU MLP with biases. */
  public record Block(
      Weight norm1,
      Linear q,
      Linear k,
      Linear v,
      Linear proj,
      Weight norm2,
      Linear gate,
      Linear up,
      Linear down) {}

  /** 2×2 patch merger: norm [hidden], mlp.0 [4·hidden, 4·hidden], mlp.2 [out, 4·hidden]. */
  public record Merger(Weight norm, Linear fc1, Linear fc2) {}

  public static VisionWeights load(Checkpoint ckpt, Ops ops, VisionConfig c) {
    int d = c.hiddenSize();
    ckpt.get("visual.patch_embed.proj.weight")
        .expectShape(d, c.inChannels(), c.temporalPatchSize(), c.patchSize(), c.patchSize());
    Linear patch = Linears.load(ckpt, ops, "visual.patch_embed.proj", d, c.patchDim(), false);
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < c.depth(); i++) {
      String p = "visual.blocks." + i;
      Linear[] qkv = Linears.split(ckpt, ops, p + ".attn.qkv", d, true, d, d, d);
      blocks.add(
          new Block(
              Linears.vector(ckpt, ops, p + ".norm1.weight", d),
              qkv[0],
              qkv[1],
              qkv[2],
              Linears.load(ckpt, ops, p + ".attn.proj", d, d, true),
              Linears.vector(ckpt, ops, p + ".norm2.weight", d),
              Linears.load(ckpt, ops, p + ".mlp.gate_proj", c.intermediateSize(), d, true),
              Linears.load(ckpt, ops, p + ".mlp.up_proj", c.intermediateSize(), d, true),
              Linears.load(ckpt, ops, p + ".mlp.down_proj", d, c.intermediateSize(), true)));
    }
    int merged = d * c.spatialMergeSize() * c.spatialMergeSize();
    Merger merger =
        new Merger(
            Linears.vector(ckpt, ops, "visual.merger.ln_q.weight", d),
            Linears.load(ckpt, ops, "visual.merger.mlp.0", merged, merged, true),
            Linears.load(ckpt, ops, "visual.merger.mlp.2", c.outHiddenSize(), merged, true));
    return new VisionWeights(patch, List.copyOf(blocks), merger);
  }
}
