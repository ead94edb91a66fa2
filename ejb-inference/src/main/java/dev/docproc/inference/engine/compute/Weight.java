package dev.docproc.inference.engine.compute;

/**
 * A weight prepared by a backend from checkpoint bytes ({@link Ops#dense} or {@link Ops#w4a16}): a
 * matrix [rows, cols] for matmuls and embeddings, or a vector [1, cols] for norms and biases.
 */
public interface Weight {
  enum Format {
    /** bf16, fp16 or fp32 values. */
    DENSE,
    /** int4 symmetric groups with per-group scales (compressed-tensors pack-quantized). */
    W4A16
  }

  Format format();

  int rows();

  int cols();
}
