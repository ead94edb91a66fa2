package dev.docproc.inference.engine.generate;

import dev.docproc.inference.engine.compute.Buf;
import dev.docproc.inference.engine.compute.Ops;
import dev.docproc.inference.engine.compute.Sampling;
import dev.docproc.inference.engine.compute.TokenSelector;

/** Token choice on the host: each logits row read back and given to its row's {@link Sampler}. */
final class HostTokenSelector implements TokenSelector {
  private final Ops ops;
  private final int vocab;
  private final Sampler[] samplers; // [rows]

  HostTokenSelector(Ops ops, int rows, int vocab) {
    this.ops = ops;
    this.vocab = vocab;
    this.samplers = new Sampler[rows];
  }

  @Override
  public void begin(int row, int[] seen, Sampling s) {
    samplers[row] = new Sampler(s, vocab, seen);
  }

  @Override
  public int[] select(Buf logits, int from, int rows) {
    int[] ids = new int[rows];
    for (int i = 0; i < rows; i++) {
      ids[i] = samplers[from + i].next(ops.read(logits, i, 1));
    }
    return ids;
  }

  @Override
  public void move(int from, int to) {
    samplers[to] = samplers[from];
    samplers[from] = null;
  }

  @Override
  public void close() {}
}
