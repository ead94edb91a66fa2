package dev.docproc.inference.engine.compute;

/**
 * A vector of int32 owned by a backend: token ids, KV-cache slots, sequence lengths, block tables.
 * Written from the host with {@link Ops#write(IntBuf, int[])} before the ops that read it, so that
 * a recorded step ({@link Ops#record}) reads new values on every replay.
 */
public interface IntBuf extends AutoCloseable {
  int length();

  @Override
  void close();
}
