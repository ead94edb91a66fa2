package dev.docproc.inference.engine.compute.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp for float vectors from plain arithmetic. The Vector API's own {@code EXP} is a native (SVML)
 * routine once compiled and {@link Math#exp} per lane before, so results would change with the
 * JIT's progress; this one rounds the same way in every mode.
 */
final class SimdMath {
  private static final VectorSpecies<Float> F = SimdLinear.F;
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);
  private static final float LOG2E = 1.44269504088896341f;
  private static final float LN2_HI = 0.693359375f; // ln 2 split so n·LN2_HI is exact
  private static final float LN2_LO = -2.12194440e-4f;
  private static final float ROUNDER = 12582912f;

  private SimdMath() {}

  /**
   * e^x, relative error below 2e-7 for x in [−87, 88] (Cody–Waite reduction x = n·ln2 + r, |r| ≤
   * ln2/2, then the degree-6 Taylor polynomial of e^r, scaled by 2^n through the exponent bits);
   * below −87 gives 0.
   */
  static FloatVector exp(FloatVector x) {
    FloatVector xc = x.max(-87f).min(88f);
    // round to nearest: adding 1.5·2^23 pushes the fraction bits out, subtracting restores n
    FloatVector n = xc.mul(LOG2E).add(ROUNDER).sub(ROUNDER);
    FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), xc);
    r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
    FloatVector p = FloatVector.broadcast(F, 1f / 720);
    p = p.fma(r, FloatVector.broadcast(F, 1f / 120));
    p = p.fma(r, FloatVector.broadcast(F, 1f / 24));
    p = p.fma(r, FloatVector.broadcast(F, 1f / 6));
    p = p.fma(r, FloatVector.broadcast(F, 0.5f));
    p = p.fma(r, FloatVector.broadcast(F, 1f));
    p = p.fma(r, FloatVector.broadcast(F, 1f));
    IntVector bits =
        ((IntVector) n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
    FloatVector result = p.mul(bits.reinterpretAsFloats());
    return result.blend(0f, x.compare(VectorOperators.LT, -87f));
  }
}
