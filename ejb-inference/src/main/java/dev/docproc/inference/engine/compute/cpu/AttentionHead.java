package dev.docproc.inference.engine.compute.cpu;

/**
 * The slice of work one attention task does: one head, queries [qRow0, qRow0 + nq) over keys
 * [kRow0, kRow0 + nk). With {@code causalBase} ≥ 0 query i sees only keys kRow0..kRow0 + causalBase
 * + i; with −1 all of them. The head's columns start at {@code qCol} in q and out (row stride
 * {@code qStride}) and at {@code kvCol} in k and v (row stride {@code kvStride}).
 */
record AttentionHead(
    int qRow0,
    int nq,
    int kRow0,
    int nk,
    int causalBase,
    int qCol,
    int kvCol,
    int qStride,
    int kvStride,
    int headDim,
    float scale) {

  /** Keys query i (0-based in the slice) may attend to. */
  int visible(int i) {
    return causalBase < 0 ? nk : Math.min(nk, causalBase + i + 1);
  }
}
