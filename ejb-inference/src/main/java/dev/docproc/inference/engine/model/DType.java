package dev.docproc.inference.engine.model;

/** Element types of safetensors files, by the names the format's header uses. */
public enum DType {
  F64(8),
  F32(4),
  F16(2),
  BF16(2),
  I64(8),
  I32(4),
  I16(2),
  I8(1),
  U8(1),
  BOOL(1);

  public final int bytes;

  DType(int bytes) {
    this.bytes = bytes;
  }

  /** The type named {@code header} in a safetensors header, or an error naming the tensor. */
  static DType parse(String header, String tensor) {
    for (DType t : values()) {
      if (t.name().equals(header)) {
        return t;
      }
    }
    throw new ModelFormatException(
        "tensor '" + tensor + "' has dtype " + header + ", which this engine does not read");
  }
}
