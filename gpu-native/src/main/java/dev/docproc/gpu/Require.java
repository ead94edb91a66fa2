package dev.docproc.gpu;

/** Argument checks shared by the launchers; each message names the argument and the rule. */
final class Require {
  private Require() {}

  static void positive(int value, String name) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }

  static void multiple(int value, int of, String name) {
    if (value % of != 0) {
      throw new IllegalArgumentException(name + " must be a multiple of " + of + ", got " + value);
    }
  }

  /**
   * A row-major matrix view: rows × cols elements of elementBytes with row stride ld fits in buf,
   * and ld ≥ cols.
   */
  static void matrix(DeviceBuffer buf, int rows, int cols, int ld, int elementBytes, String name) {
    if (buf == null) {
      throw new IllegalArgumentException(name + " is required");
    }
    if (ld < cols) {
      throw new IllegalArgumentException(name + ": row stride " + ld + " < row length " + cols);
    }
    long need = ((long) (rows - 1) * ld + cols) * elementBytes;
    if (buf.bytes() < need) {
      throw new IllegalArgumentException(
          name
              + ": ["
              + rows
              + " × "
              + cols
              + ", ld "
              + ld
              + "] needs "
              + need
              + " bytes, buffer has "
              + buf.bytes());
    }
  }

  /** 16-byte vector access: the address and the row stride (in elements) must allow it. */
  static void vectorRows(DeviceBuffer buf, int ld, int elementBytes, String name) {
    if (!buf.isAligned(16)) {
      throw new IllegalArgumentException(name + " must start 16-byte aligned");
    }
    if ((long) ld * elementBytes % 16 != 0) {
      throw new IllegalArgumentException(
          name
              + ": row stride "
              + ld
              + " must be a multiple of "
              + 16 / elementBytes
              + " elements");
    }
  }

  static void aligned(DeviceBuffer buf, int alignment, String name) {
    if (!buf.isAligned(alignment)) {
      throw new IllegalArgumentException(name + " must start " + alignment + "-byte aligned");
    }
  }
}
