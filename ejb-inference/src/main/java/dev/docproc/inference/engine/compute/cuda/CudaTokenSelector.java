package dev.docproc.inference.engine.compute.cuda;

import dev.docproc.gpu.DeviceBuffer;
import dev.docproc.inference.engine.compute.Buf;
import dev.docproc.inference.engine.compute.Sampling;
import dev.docproc.inference.engine.compute.TokenSelector;
import java.util.Objects;

/**
 * Token choice on the GPU (gpu-native sampling.cu), so that a decode step copies one int per row
 * back instead of the logits: per row a seen-token mask (repetition penalty) and a random stream,
 * then fp32 logits with the penalty, then argmax or temperature/top-k/top-p sampling, then the
 * chosen ids marked seen. Rows with the same settings are done by one launch per kernel. Draws use
 * the kernel's splitmix64 stream: the same seed gives the same tokens on every GPU run, but not the
 * CPU backend's tokens.
 */
final class CudaTokenSelector implements TokenSelector {
  private final CudaOps ops;
  private final int rows;
  private final int vocab;
  private final DeviceBuffer seen; // uint8 [rows, vocab]
  private final DeviceBuffer rng; // uint64 [rows]
  private final DeviceBuffer logits; // fp32 [rows, vocab] after the penalty
  private final DeviceBuffer ids; // int32 [rows]
  private final Sampling[] settings; // [rows]
  private final DeviceBuffer[] blocks; // the pool's buffers behind the four above

  CudaTokenSelector(CudaOps ops, int rows, int vocab) {
    this.ops = ops;
    this.rows = rows;
    this.vocab = vocab;
    long[] bytes = {(long) rows * vocab, 8L * rows, 4L * rows * vocab, 4L * rows};
    this.blocks = new DeviceBuffer[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      blocks[i] = ops.pool().take(bytes[i]);
    }
    this.seen = blocks[0].view(0, bytes[0]);
    this.rng = blocks[1].view(0, bytes[1]);
    this.logits = blocks[2].view(0, bytes[2]);
    this.ids = blocks[3].view(0, bytes[3]);
    this.settings = new Sampling[rows];
  }

  @Override
  public void begin(int row, int[] seenIds, Sampling s) {
    checkRow(row);
    DeviceBuffer mask = seen.view((long) row * vocab, vocab);
    mask.fill8((byte) 0);
    if (seenIds.length > 0) {
      try (CudaInts prompt = (CudaInts) ops.allocInts(seenIds.length)) {
        ops.write(prompt, seenIds);
        ops.sampling.markSeen(mask, vocab, prompt.data, seenIds.length, 1, vocab);
      }
    }
    rng.view(8L * row, 8).upload(new long[] {s.seed()});
    settings[row] = s;
  }

  @Override
  public int[] select(Buf logitsBuf, int from, int n) {
    CudaBuf in = CudaOps.buf(logitsBuf);
    if (from < 0 || n < 1 || from + n > rows || n > in.rows || in.cols != vocab) {
      throw new IllegalArgumentException(
          "select rows ["
              + from
              + ", "
              + (from + n)
              + ") of "
              + rows
              + " from "
              + in.rows
              + " logits rows");
    }
    for (int i = 0; i < n; ) {
      Sampling s = settings[from + i];
      Objects.requireNonNull(s, "no sequence begun in row " + (from + i));
      int j = i + 1;
      while (j < n && sameChoice(s, settings[from + j])) {
        j++;
      }
      choose(in.rows(i, j - i), from + i, j - i, s);
      i = j;
    }
    DeviceBuffer chosen = ids.view(4L * from, 4L * n);
    ops.sampling.markSeen(
        seen.view((long) from * vocab, (long) n * vocab), vocab, chosen, 1, n, vocab);
    return chosen.downloadInts(n);
  }

  /** Rows [row, row + n) of the selector from the n logits rows of {@code in}. */
  private void choose(CudaBuf in, int row, int n, Sampling s) {
    DeviceBuffer f32 = logits.view(4L * row * vocab, 4L * n * vocab);
    DeviceBuffer mask = seen.view((long) row * vocab, (long) n * vocab);
    boolean penalty = s.repetitionPenalty() != 1f;
    ops.sampling.prepareLogits(
        in.data, in.ld, f32, vocab, penalty ? mask : null, vocab, s.repetitionPenalty(), n, vocab);
    DeviceBuffer out = ids.view(4L * row, 4L * n);
    if (s.greedy()) {
      ops.sampling.argmax(f32, vocab, n, vocab, out);
    } else {
      ops.sampling.sample(
          f32,
          vocab,
          n,
          vocab,
          s.temperature(),
          s.topK(),
          s.topP(),
          rng.view(8L * row, 8L * n),
          out);
    }
  }

  /** Whether two rows can share one launch: everything but the seed alike. */
  private static boolean sameChoice(Sampling a, Sampling b) {
    return b != null
        && a.greedy() == b.greedy()
        && a.temperature() == b.temperature()
        && a.topK() == b.topK()
        && a.topP() == b.topP()
        && a.repetitionPenalty() == b.repetitionPenalty();
  }

  @Override
  public void move(int from, int to) {
    checkRow(from);
    checkRow(to);
    seen.view((long) to * vocab, vocab).copyFrom(seen.view((long) from * vocab, vocab), vocab);
    rng.view(8L * to, 8).copyFrom(rng.view(8L * from, 8), 8);
    settings[to] = settings[from];
    settings[from] = null;
  }

  private void checkRow(int row) {
    if (row < 0 || row >= rows) {
      throw new IllegalArgumentException("row " + row + " of a selector for " + rows);
    }
  }

  @Override
  public void close() {
    for (DeviceBuffer b : blocks) {
      ops.pool().give(b);
    }
  }
}
