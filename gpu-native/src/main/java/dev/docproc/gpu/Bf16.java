package dev.docproc.gpu;

/** bfloat16 as raw 16-bit patterns in {@code short}: conversions with round-to-nearest-even. */
public final class Bf16 {
  /** The canonical quiet NaN, used to poison outputs before a kernel runs. */
  public static final short NAN = (short) 0x7fc0;

  private Bf16() {}

  /** Rounds to the nearest bf16 (ties to even), as torch's {@code .to(bfloat16)} does. */
  public static short fromFloat(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) {
      return NAN;
    }
    int rounded = bits + 0x7fff + ((bits >>> 16) & 1);
    return (short) (rounded >>> 16);
  }

  public static float toFloat(short b) {
    return Float.intBitsToFloat((b & 0xffff) << 16);
  }

  /** The float a bf16 tensor op would have produced: {@code toFloat(fromFloat(f))}. */
  public static float round(float f) {
    return toFloat(fromFloat(f));
  }

  public static short[] fromFloats(float[] values) {
    short[] out = new short[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = fromFloat(values[i]);
    }
    return out;
  }

  public static float[] toFloats(short[] values) {
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = toFloat(values[i]);
    }
    return out;
  }
}
