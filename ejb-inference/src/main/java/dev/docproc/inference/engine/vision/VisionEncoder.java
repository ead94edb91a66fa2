package dev.docproc.inference.engine.vision;

import dev.docproc.inference.engine.compute.Buf;
import dev.docproc.inference.engine.compute.Ops;
import dev.docproc.inference.engine.compute.Taps;
import dev.docproc.inference.engine.model.Linears.Linear;
import dev.docproc.inference.engine.model.ModelConfig.VisionConfig;
import java.util.List;

/**
 * The Qwen2.5-VL vision tower (MODEL.md §4): patch embedding, 2-D rotary, window reordering, ViT
 * blocks with window or full attention, 2×2 merger, un-reordering. The whole forward pass is {@link
 * #encode}.
 */
public final class VisionEncoder {
  private static final float EPS = 1e-6f; // hard-coded in Qwen2RMSNorm for the vision tower

  private final Ops ops;
  private final VisionConfig c;
  private final VisionWeights w;
  private final Taps taps;

  public VisionEncoder(Ops ops, VisionConfig config, VisionWeights weights, Taps taps) {
    this.ops = ops;
    this.c = config;
    this.w = weights;
    this.taps = taps;
  }

  /** Refuses inputs that do not fit the grids, naming what is wrong. */
  public void validate(float[] pixels, List<Grid> grids) {
    long patches = 0;
    for (Grid g : grids) {
      patches += g.patches();
    }
    if (patches == 0) {
      throw new IllegalArgumentException("no image grids given");
    }
    if ((long) pixels.length != patches * c.patchDim()) {
      throw new IllegalArgumentException(
          "pixel_values hold "
              + pixels.length
              + " values but the grids need "
              + patches
              + " × "
              + c.patchDim());
    }
  }

  /**
   * pixels [patches, 1176] in pixel_values order for all images → merged tokens [patches/4,
   * out_hidden] in raster order, image after image.
   */
  public Buf encode(float[] pixels, List<Grid> grids) {
    validate(pixels, grids);
    int n = pixels.length / c.patchDim(); // patches
    int d = c.hiddenSize();
    int unit = c.spatialMergeSize() * c.spatialMergeSize();
    int heads = c.heads();
    int hd = c.headDim();
    VisionGeometry.Windows windows =
        VisionGeometry.windows(grids, c.windowSize(), c.spatialMergeSize(), c.patchSize());
    int[] windowRows = VisionGeometry.expand(windows.index(), unit); // patch rows in window order
    int[] rasterRows = VisionGeometry.inverse(windowRows); // where each pixel_values row went
    int[] frames = VisionGeometry.frames(grids);
    float[][] rot = VisionGeometry.rotary(grids, hd);

    try (Buf px = ops.alloc(n, c.patchDim()); // [n, 1176]
        Buf x0 = ops.alloc(n, d); // [n, hidden] raster order
        Buf x = ops.alloc(n, d); // [n, hidden] residual stream, window order
        Buf xb = ops.alloc(n, d); // [n, hidden] normed input of a sub-block
        Buf q = ops.alloc(n, d); // [n, heads·hd]
        Buf k = ops.alloc(n, d);
        Buf v = ops.alloc(n, d);
        Buf att = ops.alloc(n, d); // [n, heads·hd] attention output
        Buf gate = ops.alloc(n, c.intermediateSize()); // [n, intermediate]
        Buf up = ops.alloc(n, c.intermediateSize());
        Buf cos = ops.allocF32(n, hd / 2); // [n, hd/2] window order
        Buf sin = ops.allocF32(n, hd / 2)) {
      ops.write(px, 0, pixels);
      ops.write(cos, 0, VisionGeometry.permuteRows(rot[0], hd / 2, windowRows));
      ops.write(sin, 0, VisionGeometry.permuteRows(rot[1], hd / 2, windowRows));

      // patch embedding: Conv3d with stride = kernel is a matmul over flattened patches
      linear(x0, px, n, w.patchEmbed());
      ops.gatherRows(x, x0, windowRows);
      taps.tap(ops, "vision.patch_embed", x, n, rasterRows);

      for (int l = 0; l < w.blocks().size(); l++) {
        VisionWeights.Block b = w.blocks().get(l);
        int[] segments = c.isFullAttention(l) ? frames : windows.segments();

        // attention
        ops.rmsNorm(xb, x, n, b.norm1(), EPS);
        linear(q, xb, n, b.q());
        linear(k, xb, n, b.k());
        linear(v, xb, n, b.v());
        ops.rope(q, n, heads, hd, cos, sin);
        ops.rope(k, n, heads, hd, cos, sin);
        ops.attention(att, q, k, v, segments, heads, heads, hd, false);
        linear(xb, att, n, b.proj());
        ops.add(x, xb, n);

        // SwiGLU MLP
        ops.rmsNorm(xb, x, n, b.norm2(), EPS);
        linear(gate, xb, n, b.gate());
        linear(up, xb, n, b.up());
        ops.siluMul(gate, up, n);
        linear(xb, gate, n, b.down());
        ops.add(x, xb, n);
        taps.tap(ops, "vision.blocks." + l, x, n, rasterRows);
      }

      // merger: norm, 2×2 neighbours side by side [n/4, 4·hidden], MLP with GELU
      int m = n / unit;
      ops.rmsNorm(xb, x, n, w.merger().norm(), EPS);
      Buf merged = ops.view(xb, m, unit * d); // [n/4, 4·hidden]
      try (Buf hidden = ops.alloc(m, unit * d); // [n/4, 4·hidden]
          Buf out = ops.alloc(m, c.outHiddenSize())) { // [n/4, out_hidden] window order
        linear(hidden, merged, m, w.merger().fc1());
        ops.gelu(hidden, m);
        linear(out, hidden, m, w.merger().fc2());

        // back to raster order
        Buf result = ops.alloc(m, c.outHiddenSize());
        ops.gatherRows(result, out, VisionGeometry.inverse(windows.index()));
        taps.tap(ops, "vision.merger", result, m);
        return result;
      }
    }
  }

  private void linear(Buf out, Buf in, int n, Linear l) {
    ops.linear(out, in, n, l.weight(), l.bias());
  }
}
