package dev.docproc.gpu.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.docproc.gpu.Bf16;
import org.junit.jupiter.api.Test;

class ActivationRefTest {
  @Test
  void erfMatchesTabulatedValues() {
    assertEquals(0.0, ActivationRef.erf(0), 0);
    assertEquals(0.5204998778130465, ActivationRef.erf(0.5), 1e-15);
    assertEquals(0.8427007929497149, ActivationRef.erf(1), 1e-15);
    assertEquals(-0.9953222650189527, ActivationRef.erf(-2), 1e-15);
    assertEquals(0.9999779095030014, ActivationRef.erf(3), 1e-15);
  }

  @Test
  void geluAndSiluMul() {
    float[] g = ActivationRef.gelu(new float[] {1f, -1f, 0f});
    assertEquals(Bf16.round(0.8413447460685429f), g[0]);
    assertEquals(Bf16.round(-0.15865525393145707f), g[1]);
    assertEquals(0f, g[2]);
    // silu(2) = 2 / (1 + e^-2) = 1.7615941 → bf16 1.7578125; × 3 = 5.2734375 → bf16 5.28125
    assertEquals(5.28125f, ActivationRef.siluMul(new float[] {2f}, new float[] {3f})[0]);
  }
}
