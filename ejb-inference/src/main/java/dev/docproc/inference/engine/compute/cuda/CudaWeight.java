package dev.docproc.inference.engine.compute.cuda;

import dev.docproc.gpu.CudaContext;
import dev.docproc.gpu.DeviceBuffer;
import dev.docproc.gpu.GemmKernels;
import dev.docproc.gpu.W4Layout;
import dev.docproc.inference.engine.compute.Weight;
import dev.docproc.inference.engine.model.DType;
import dev.docproc.inference.engine.model.Floats;
import dev.docproc.inference.engine.model.LittleEndian;
import dev.docproc.inference.engine.model.PackedInt4;
import dev.docproc.inference.engine.model.Tensor;
import java.lang.foreign.MemorySegment;

/** Weights on the device, uploaded once at load. */
sealed interface CudaWeight extends Weight, AutoCloseable {

  @Override
  void close();

  /**
   * bf16 values [rows, cols] with row stride ld = cols rounded up to 8 (padding zero), converted
   * from the checkpoint's bf16 (as is), fp16 or fp32 (rounded to nearest even).
   */
  record Dense(DeviceBuffer data, int rows, int cols, int ld) implements CudaWeight {
    /** Rows converted per upload (bounds the host copy to 32 MiB). */
    private static final int CHUNK_VALUES = 16 << 20;

    static Dense upload(CudaContext cuda, Tensor t) {
      t.expectDtype(DType.BF16, DType.F16, DType.F32);
      int rows = t.rank() == 1 ? 1 : t.rows();
      int cols = t.rank() == 1 ? Math.toIntExact(t.numel()) : t.cols();
      int ld = (cols + 7) / 8 * 8;
      DeviceBuffer data = cuda.allocate(2L * rows * ld);
      try {
        int chunkRows = Math.max(1, CHUNK_VALUES / ld);
        for (int r0 = 0; r0 < rows; r0 += chunkRows) {
          int n = Math.min(chunkRows, rows - r0);
          short[] host = new short[n * ld];
          for (int r = 0; r < n; r++) {
            long at = (long) (r0 + r) * cols;
            if (t.dtype() == DType.BF16) {
              MemorySegment.copy(t.data(), LittleEndian.SHORT, at * 2, host, r * ld, cols);
            } else {
              for (int c = 0; c < cols; c++) {
                host[r * ld + c] = Floats.floatToBf16(t.getFloat(at + c));
              }
            }
          }
          data.view(2L * r0 * ld, 2L * n * ld).upload(host);
        }
      } catch (RuntimeException e) {
        data.close();
        throw e;
      }
      return new Dense(data, rows, cols, ld);
    }

    @Override
    public Format format() {
      return Format.DENSE;
    }

    @Override
    public void close() {
      data.close();
    }
  }

  /** int4 in the W4A16 kernels' layout, repacked from the checkpoint (gpu-native W4Layout). */
  record Int4(GemmKernels.W4Weights w, int rows, int cols) implements CudaWeight {
    static Int4 upload(CudaContext cuda, PackedInt4 p) {
      int n = p.rows();
      int k = p.cols();
      try {
        W4Layout.requireSupported(n, k, p.groupSize());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(p.name() + ": " + e.getMessage(), e);
      }
      int words = k / 8;
      int[] packed = new int[n * words];
      for (int r = 0; r < n; r++) {
        MemorySegment.copy(
            p.packed(), LittleEndian.INT, r * p.rowBytes(), packed, r * words, words);
      }
      int groups = p.groups();
      short[] scales = new short[n * groups];
      Tensor s = p.scales();
      for (int i = 0; i < scales.length; i++) {
        scales[i] =
            s.dtype() == DType.BF16
                ? s.data().get(LittleEndian.SHORT, 2L * i)
                : Floats.floatToBf16(s.getFloat(i));
      }
      W4Layout layout = W4Layout.repack(n, k, packed, scales, p.gIdx(), p.groupSize());
      return new Int4(GemmKernels.W4Weights.upload(cuda, layout), n, k);
    }

    @Override
    public Format format() {
      return Format.W4A16;
    }

    @Override
    public void close() {
      w.close();
    }
  }
}
