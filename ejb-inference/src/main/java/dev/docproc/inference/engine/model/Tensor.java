package dev.docproc.inference.engine.model;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * A named tensor whose bytes live in {@code data} (usually a slice of a memory-mapped safetensors
 * file), row-major, little-endian.
 */
public record Tensor(String name, DType dtype, long[] shape, MemorySegment data) {

  public long numel() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  public int rank() {
    return shape.length;
  }

  /** Size of the first dimension; for a matrix [out, in] the number of rows. */
  public int rows() {
    return Math.toIntExact(shape[0]);
  }

  /** Product of all dimensions but the first: the row length of the tensor viewed as a matrix. */
  public int cols() {
    return Math.toIntExact(numel() / shape[0]);
  }

  /** Rows [start, start + count) of the tensor viewed as a matrix, sharing the bytes. */
  public Tensor sliceRows(int start, int count) {
    if (start < 0 || count < 0 || start + count > rows()) {
      throw new IllegalArgumentException(
          name + ": rows [" + start + ", " + (start + count) + ") outside " + rows());
    }
    long rowBytes = (long) cols() * dtype.bytes;
    long[] s = shape.clone();
    s[0] = count;
    return new Tensor(name, dtype, s, data.asSlice(start * rowBytes, count * rowBytes));
  }

  /** Element {@code i} (flat, row-major) widened to float; works for every numeric dtype. */
  public float getFloat(long i) {
    long off = i * dtype.bytes;
    return switch (dtype) {
      case F32 -> data.get(LittleEndian.FLOAT, off);
      case BF16 -> Floats.bf16ToFloat(data.get(LittleEndian.SHORT, off));
      case F16 -> Floats.f16ToFloat(data.get(LittleEndian.SHORT, off));
      case F64 -> (float) data.get(LittleEndian.DOUBLE, off);
      case I64 -> data.get(LittleEndian.LONG, off);
      case I32 -> data.get(LittleEndian.INT, off);
      case I16 -> data.get(LittleEndian.SHORT, off);
      case I8 -> data.get(ValueLayout.JAVA_BYTE, off);
      case U8, BOOL -> data.get(ValueLayout.JAVA_BYTE, off) & 0xff;
    };
  }

  /** Element {@code i} of an integer tensor, exactly. */
  public long getLong(long i) {
    long off = i * dtype.bytes;
    return switch (dtype) {
      case I64 -> data.get(LittleEndian.LONG, off);
      case I32 -> data.get(LittleEndian.INT, off);
      case I16 -> data.get(LittleEndian.SHORT, off);
      case I8 -> data.get(ValueLayout.JAVA_BYTE, off);
      case U8, BOOL -> data.get(ValueLayout.JAVA_BYTE, off) & 0xff;
      default ->
          throw new ModelFormatException(name + ": expected an integer tensor, got " + dtype);
    };
  }

  /** A heap copy as float32, for small tensors (norm weights, biases, scales, fixtures). */
  public float[] toFloatArray() {
    float[] out = new float[Math.toIntExact(numel())];
    for (int i = 0; i < out.length; i++) {
      out[i] = getFloat(i);
    }
    return out;
  }

  public String shapeString() {
    return Arrays.toString(shape);
  }

  /** Fails with a message naming the tensor unless its shape is exactly {@code expected}. */
  public Tensor expectShape(long... expected) {
    if (!Arrays.equals(shape, expected)) {
      throw new ModelFormatException(
          "tensor '"
              + name
              + "' has shape "
              + shapeString()
              + " but the config implies "
              + Arrays.toString(expected));
    }
    return this;
  }

  /** Fails with a message naming the tensor unless its dtype is one of {@code allowed}. */
  public Tensor expectDtype(DType... allowed) {
    for (DType t : allowed) {
      if (t == dtype) {
        return this;
      }
    }
    throw new ModelFormatException(
        "tensor '"
            + name
            + "' has dtype "
            + dtype
            + ", expected "
            + (allowed.length == 1 ? allowed[0] : Arrays.toString(allowed)));
  }
}
