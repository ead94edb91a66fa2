package dev.docproc.inference.engine.model;

/** Conversions between float32 and the 16-bit float formats stored in checkpoints. */
public final class Floats {
  private Floats() {}

  /** bfloat16 is the upper half of a float32: widening is a shift. */
  public static float bf16ToFloat(short bits) {
    return Float.intBitsToFloat(bits << 16);
  }

  /** Round to nearest even, as torch's {@code .to(torch.bfloat16)}; NaN stays a quiet NaN. */
  public static short floatToBf16(float f) {
    int x = Float.floatToRawIntBits(f);
    if ((x & 0x7fffffff) > 0x7f800000) {
      return (short) ((x >>> 16) | 0x40);
    }
    int roundingBias = 0x7fff + ((x >>> 16) & 1);
    return (short) ((x + roundingBias) >>> 16);
  }

  public static float f16ToFloat(short bits) {
    return Float.float16ToFloat(bits);
  }

  public static short floatToF16(float f) {
    return Float.floatToFloat16(f);
  }

  /** The float32 value nearest to {@code f} that a bfloat16 can hold. */
  public static float roundToBf16(float f) {
    return bf16ToFloat(floatToBf16(f));
  }
}
