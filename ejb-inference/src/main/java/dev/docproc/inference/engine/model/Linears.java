package dev.docproc.inference.engine.model;

import dev.docproc.inference.engine.compute.Ops;
import dev.docproc.inference.engine.compute.Weight;

/**
 * Loads linear layers and norm vectors from a checkpoint into a backend, checking every shape
 * against the config. A linear is int4 iff {@code <prefix>.weight_packed} exists (MODEL.md §2.2),
 * else a dense {@code <prefix>.weight}.
 */
public final class Linears {
  private Linears() {}

  /** A linear layer y = x·Wᵀ + b; {@code bias} is null when the layer has none. */
  public record Linear(Weight weight, Weight bias) {}

  public static Linear load(
      Checkpoint ckpt, Ops ops, String prefix, int out, int in, boolean bias) {
    return split(ckpt, ops, prefix, in, bias, out)[0];
  }

  /**
   * A fused projection [Σ outs, in] (e.g. the vision qkv) cut by rows into one linear per part; the
   * parts share the checkpoint's bytes.
   */
  public static Linear[] split(
      Checkpoint ckpt, Ops ops, String prefix, int in, boolean bias, int... outs) {
    int total = 0;
    for (int o : outs) {
      total += o;
    }
    Linear[] parts = new Linear[outs.length];
    Tensor b = bias ? ckpt.get(prefix + ".bias").expectShape(total) : null;
    if (ckpt.has(prefix + ".weight_packed")) {
      PackedInt4 w = PackedInt4.load(ckpt, prefix, total, in);
      for (int i = 0, r = 0; i < outs.length; r += outs[i++]) {
        parts[i] = new Linear(ops.w4a16(w.sliceRows(r, outs[i])), slice(ops, b, r, outs[i]));
      }
    } else {
      Tensor w = ckpt.get(prefix + ".weight").expectDtype(DType.BF16, DType.F16, DType.F32);
      if (w.rank() == 2) {
        w.expectShape(total, in);
      } else if (w.rows() != total || w.cols() != in) {
        throw new ModelFormatException(
            "tensor '"
                + w.name()
                + "' has shape "
                + w.shapeString()
                + " but the config implies ["
                + total
                + ", "
                + in
                + "]");
      }
      for (int i = 0, r = 0; i < outs.length; r += outs[i++]) {
        parts[i] = new Linear(ops.dense(w.sliceRows(r, outs[i])), slice(ops, b, r, outs[i]));
      }
    }
    return parts;
  }

  private static Weight slice(Ops ops, Tensor bias, int start, int count) {
    if (bias == null) {
      return null;
    }
    return ops.dense(bias.expectDtype(DType.BF16, DType.F16, DType.F32).sliceRows(start, count));
  }

  /** A norm weight (or any vector) of exactly {@code dim} values. */
  public static Weight vector(Checkpoint ckpt, Ops ops, String name, int dim) {
    return ops.dense(ckpt.get(name).expectShape(dim).expectDtype(DType.BF16, DType.F16, DType.F32));
  }
}
