package dev.docproc.gpu.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.docproc.gpu.W4Layout;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The GPU check itself, run on the CPU: it must pass for correct kernels and catch broken ones. */
class KernelChecksTest {
  @Test
  void everyCasePassesWhenTheKernelsEqualTheReferences() {
    List<KernelChecks.Result> results =
        new KernelChecks(new ReferenceRunner(), System.nanoTime())
            .cases().stream().map(Supplier::get).collect(Collectors.toList());
    String table = GpuCheck.tableBody(results);
    assertTrue(results.stream().allMatch(KernelChecks.Result::passed), table);
    assertTrue(table.contains(results.size() + " passed, 0 failed"), table);
  }

  @Test
  void anUnwrittenElementFails() {
    KernelRunner oneNan =
        new ReferenceRunner() {
          @Override
          public float[] rmsNorm(float[] x, float[] w, int m, int h, float eps) {
            float[] y = super.rmsNorm(x, w, m, h, eps);
            y[y.length - 1] = Float.NaN; // as if the last element kept its poison
            return y;
          }
        };
    KernelChecks.Result r = new KernelChecks(oneNan, 1).rmsNorm(7, 2048);
    assertFalse(r.passed());
    assertEquals(1, r.nans());
  }

  @Test
  void aWrongLayoutFails() {
    KernelRunner transposedGroups =
        new ReferenceRunner() {
          @Override
          public float[] w4a16(float[] x, int m, W4Layout w, float[] bias) {
            short[] scales = w.scales().clone(); // swap the scales of the first two groups
            System.arraycopy(w.scales(), w.n(), scales, 0, w.n());
            System.arraycopy(w.scales(), 0, scales, w.n(), w.n());
            return super.w4a16(
                x, m, new W4Layout(w.n(), w.k(), w.groupSize(), w.qw(), scales, w.perm()), bias);
          }
        };
    KernelChecks.Result r =
        new KernelChecks(transposedGroups, 2).w4a16(3, 256, 1024, 128, false, false);
    assertFalse(r.passed(), r.toString());
    assertTrue(r.relError() > 0.1, r.toString());
  }

  @Test
  void aWrongSampleFails() {
    KernelRunner offByOne =
        new ReferenceRunner() {
          @Override
          public int[] sample(
              float[] x, int batch, int vocab, float t, int k, float p, long[] state) {
            int[] ids = super.sample(x, batch, vocab, t, k, p, state);
            ids[0] = (ids[0] + 1) % vocab;
            return ids;
          }
        };
    assertFalse(new KernelChecks(offByOne, 3).sample(0.7f, 50, 0.9f).passed());
  }
}
