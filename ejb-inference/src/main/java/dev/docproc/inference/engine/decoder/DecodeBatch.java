package dev.docproc.inference.engine.decoder;

import dev.docproc.inference.engine.compute.Buf;
import dev.docproc.inference.engine.compute.IntBuf;
import dev.docproc.inference.engine.compute.Ops;
import dev.docproc.inference.engine.compute.RecordedStep;
import dev.docproc.inference.engine.model.ModelConfig.TextConfig;

/**
 * What decode steps of up to {@code maxRows} sequences of one {@link KvPool} reuse from step to
 * step: the workspace, the attention inputs (lengths, block table), the logits, and the step
 * recorded once per batch size (a CUDA graph on a GPU). Made by {@link Decoder#newBatch}.
 */
public final class DecodeBatch implements AutoCloseable {
  final KvPool pool;
  final int maxRows;
  final int maxBlocks; // block-table entries per sequence
  final Workspace ws;
  final IntBuf lengths; // [maxRows] positions each sequence attends to, the new one included
  final IntBuf blockTable; // [maxRows, maxBlocks]
  final Buf logits; // [maxRows, vocab]
  final RecordedStep[] steps; // [maxRows + 1]: the step of each batch size, recorded on first use
  final KvCache[] tabled; // the caches whose blocks blockTable holds, by row
  int tabledRows;

  DecodeBatch(Ops ops, TextConfig c, KvPool pool, int maxRows, int maxContext) {
    if (maxRows < 1) {
      throw new IllegalArgumentException("a decode batch needs at least one row, got " + maxRows);
    }
    this.pool = pool;
    this.maxRows = maxRows;
    this.maxBlocks = KvPool.blocksFor(maxContext);
    this.ws = new Workspace(ops, c, maxRows);
    this.lengths = ops.allocInts(maxRows);
    this.blockTable = ops.allocInts(maxRows * maxBlocks);
    this.logits = ops.alloc(maxRows, c.vocabSize());
    this.steps = new RecordedStep[maxRows + 1];
    this.tabled = new KvCache[maxRows];
  }

  public int maxRows() {
    return maxRows;
  }

  /**
   * The block table for these caches, row by row (entries past a sequence's blocks stay 0; the
   * attention never reads past a sequence's length). Null when it is already current.
   */
  int[] blockTableFor(KvCache[] caches, int rows) {
    boolean same = rows == tabledRows;
    for (int b = 0; same && b < rows; b++) {
      same = tabled[b] == caches[b];
    }
    if (same) {
      return null;
    }
    int[] table = new int[rows * maxBlocks];
    for (int b = 0; b < rows; b++) {
      KvCache c = caches[b];
      if (c.pool != pool) {
        throw new IllegalArgumentException("sequence " + b + " holds blocks of another KV pool");
      }
      if (c.blocks > maxBlocks) {
        throw new IllegalArgumentException(
            "sequence "
                + b
                + " has "
                + c.blocks
                + " KV blocks; the batch was made for "
                + maxBlocks);
      }
      for (int j = 0; j < c.blocks; j++) {
        table[b * maxBlocks + j] = c.firstBlock + j;
      }
      tabled[b] = c;
    }
    tabledRows = rows;
    return table;
  }

  @Override
  public void close() {
    for (RecordedStep s : steps) {
      if (s != null) {
        s.close();
      }
    }
    ws.close();
    lengths.close();
    blockTable.close();
    logits.close();
  }
}
