package dev.docproc.gpu;

import jcuda.driver.CUresult;

/** A CUDA driver call failed; the message names the call and the driver's error. */
public final class CudaException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int result;

  public CudaException(String message) {
    this(message, -1);
  }

  private CudaException(String message, int result) {
    super(message);
    this.result = result;
  }

  /** Whether the driver ran out of device memory (the caller may free cached memory and retry). */
  public boolean outOfMemory() {
    return result == CUresult.CUDA_ERROR_OUT_OF_MEMORY;
  }

  /** Throws unless {@code result} is CUDA_SUCCESS. */
  static void check(int result, String call) {
    if (result != CUresult.CUDA_SUCCESS) {
      throw new CudaException(call + " failed: " + CUresult.stringFor(result), result);
    }
  }
}
