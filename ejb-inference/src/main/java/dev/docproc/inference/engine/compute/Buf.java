package dev.docproc.inference.engine.compute;

/**
 * An activation buffer owned by a backend: {@code rows × cols} values, row-major, contiguous, so
 * [rows, cols] and [rows/4, 4·cols] are the same buffer. Opaque to model code (host arrays on the
 * CPU, device memory on a GPU); data crosses only through {@link Ops#write} and {@link Ops#read}.
 */
public interface Buf extends AutoCloseable {
  int rows();

  int cols();

  @Override
  void close();
}
