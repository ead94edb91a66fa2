package dev.docproc.inference.engine.compute;

/**
 * Next-token choice for the rows of a decode batch, where the logits are (a device backend keeps
 * them there and copies back one id per row). Row r of the selector belongs to one sequence from
 * {@link #begin} until another sequence begins in it or {@link #move} replaces it.
 */
public interface TokenSelector extends AutoCloseable {
  /**
   * Row {@code row} starts a sequence that has seen {@code seen} (its prompt) and picks by {@code
   * s}.
   */
  void begin(int row, int[] seen, Sampling s);

  /**
   * Chooses the next token of selector rows [from, from + rows) from logits rows [0, rows) and
   * marks each as seen by its row.
   */
  int[] select(Buf logits, int from, int rows);

  /** Row {@code to} continues the sequence of row {@code from} (compacting a batch). */
  void move(int from, int to);

  @Override
  void close();
}
