package dev.docproc.gpu;

import jcuda.driver.CUresult;

/** A CUDA driver call failed; the message names the call and the driver's error. */
public final class CudaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CudaException(String message) {
    super(message);
  }

  /** Throws unless {@code result} is CUDA_SUCCESS. */
  static void check(int result, String call) {
    if (result != CUresult.CUDA_SUCCESS) {
      throw new CudaException(call + " failed: " + CUresult.stringFor(result));
    }
  }
}
