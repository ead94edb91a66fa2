package dev.docproc.inference.engine.compute;

/**
 * A step that queues the same ops on the same buffers each time it runs (a decode step of a fixed
 * batch size), so that a device backend can capture it once and replay it with one launch (a CUDA
 * graph). What changes between runs must be written into buffers before {@link #run}; the step
 * itself must not allocate, write or read host data. Close it before the buffers it uses.
 */
public interface RecordedStep extends AutoCloseable {
  void run();

  @Override
  void close();
}
