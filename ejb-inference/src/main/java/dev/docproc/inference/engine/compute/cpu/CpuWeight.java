package dev.docproc.inference.engine.compute.cpu;

import dev.docproc.inference.engine.compute.Weight;
import dev.docproc.inference.engine.model.DType;
import dev.docproc.inference.engine.model.PackedInt4;
import dev.docproc.inference.engine.model.Tensor;
import java.lang.foreign.MemorySegment;

/** CPU weights read in place from the memory-mapped checkpoint. */
sealed interface CpuWeight extends Weight {

  /**
   * bf16, fp16 or fp32 values [rows, cols] in {@code data}; {@code values} is a float32 heap copy
   * kept only for vectors (norm weights, biases), which every op reads whole.
   */
  record Dense(MemorySegment data, DType dtype, int rows, int cols, float[] values)
      implements CpuWeight {
    static Dense of(Tensor t) {
      t.expectDtype(DType.BF16, DType.F16, DType.F32);
      int rows = t.rank() == 1 ? 1 : t.rows();
      int cols = t.rank() == 1 ? Math.toIntExact(t.numel()) : t.cols();
      return new Dense(t.data(), t.dtype(), rows, cols, rows == 1 ? t.toFloatArray() : null);
    }

    @Override
    public Format format() {
      return Format.DENSE;
    }
  }

  /**
   * Packed int4 with scales; {@code fastPath} when groups are contiguous and whole multiples of the
   * SIMD block, else every column looks its group up.
   */
  record Int4(PackedInt4 w) implements CpuWeight {
    @Override
    public Format format() {
      return Format.W4A16;
    }

    @Override
    public int rows() {
      return w.rows();
    }

    @Override
    public int cols() {
      return w.cols();
    }
  }
}
