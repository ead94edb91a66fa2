package dev.docproc.gpu;

import static dev.docproc.gpu.CudaException.check;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

/**
 * One GPU: its primary context, the kernels module loaded from the fatbin resource, and one stream
 * on which every launcher queues its work (so a decode step can be captured as a graph). Only the
 * CUDA driver API is used (libcuda.so.1 is the one CUDA library a GPU host is sure to have).
 */
public final class CudaContext implements AutoCloseable {
  /** Classpath resource (next to this class) holding all kernels; absent in builds without nvcc. */
  public static final String KERNELS_RESOURCE = "kernels.fatbin";

  private final CUdevice device;
  private final CUcontext context;
  private final CUmodule module;
  private final CUstream stream;
  private final Map<String, CUfunction> functions = new HashMap<>();
  private final String name;
  private final int computeCapability;
  private final int multiprocessors;
  private boolean closed;

  private CudaContext(int ordinal) {
    check(JCudaDriver.cuInit(0), "cuInit");
    int[] count = new int[1];
    check(JCudaDriver.cuDeviceGetCount(count), "cuDeviceGetCount");
    if (ordinal < 0 || ordinal >= count[0]) {
      throw new CudaException("no CUDA device " + ordinal + " (found " + count[0] + ")");
    }
    device = new CUdevice();
    check(JCudaDriver.cuDeviceGet(device, ordinal), "cuDeviceGet");
    byte[] nameBytes = new byte[256];
    check(JCudaDriver.cuDeviceGetName(nameBytes, nameBytes.length, device), "cuDeviceGetName");
    name = cString(nameBytes);
    computeCapability =
        10 * attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)
            + attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
    multiprocessors = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
    if (computeCapability < 80) {
      throw new CudaException(
          name
              + " has compute capability "
              + computeCapability / 10
              + "."
              + computeCapability % 10
              + "; the kernels need 8.0 or newer (bf16 tensor cores)");
    }
    context = new CUcontext();
    check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
    bind();
    module = new CUmodule();
    check(
        JCudaDriver.cuModuleLoadData(module, kernelsFatbin()), "cuModuleLoadData(kernels.fatbin)");
    stream = new CUstream();
    check(
        JCudaDriver.cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING),
        "cuStreamCreate");
  }

  /** Opens GPU {@code ordinal} (0 = first). Throws {@link CudaException} with the cause. */
  public static CudaContext open(int ordinal) {
    JCudaDriver.setExceptionsEnabled(false);
    return new CudaContext(ordinal);
  }

  /** The fatbin bytes, or an error explaining that this build has no kernels. */
  static byte[] kernelsFatbin() {
    try (InputStream in = CudaContext.class.getResourceAsStream(KERNELS_RESOURCE)) {
      if (in == null) {
        throw new CudaException(
            "this build has no CUDA kernels (gpu-native was built without nvcc;"
                + " run gpu-native/install-nvcc.sh and rebuild)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String deviceName() {
    return name;
  }

  /** 10 · major + minor, e.g. 90 for an H100. */
  public int computeCapability() {
    return computeCapability;
  }

  public int multiprocessors() {
    return multiprocessors;
  }

  /** The driver's CUDA version, e.g. "13.0". */
  public String driverVersion() {
    int[] v = new int[1];
    check(JCudaDriver.cuDriverGetVersion(v), "cuDriverGetVersion");
    return v[0] / 1000 + "." + v[0] % 1000 / 10;
  }

  /** {free, total} device memory in bytes. */
  public long[] memoryInfo() {
    bind();
    long[] free = new long[1];
    long[] total = new long[1];
    check(JCudaDriver.cuMemGetInfo(free, total), "cuMemGetInfo");
    return new long[] {free[0], total[0]};
  }

  public DeviceBuffer allocate(long bytes) {
    if (bytes <= 0) {
      throw new IllegalArgumentException("allocation of " + bytes + " bytes");
    }
    bind();
    CUdeviceptr ptr = new CUdeviceptr();
    check(JCudaDriver.cuMemAlloc(ptr, bytes), "cuMemAlloc(" + bytes + " bytes)");
    return new DeviceBuffer(this, ptr, bytes, 0, true);
  }

  /** Queues kernel {@code name} on the stream; args are DeviceBuffer, Integer, Float or Long. */
  public void launch(String kernel, int[] grid, int block, int sharedBytes, Object... args) {
    bind();
    Pointer[] params = new Pointer[args.length];
    for (int i = 0; i < args.length; i++) {
      params[i] =
          switch (args[i]) {
            case null -> Pointer.to(new CUdeviceptr());
            case DeviceBuffer b -> Pointer.to(b.pointer());
            case Integer v -> Pointer.to(new int[] {v});
            case Float v -> Pointer.to(new float[] {v});
            case Long v -> Pointer.to(new long[] {v});
            default -> throw new IllegalArgumentException("kernel argument " + args[i]);
          };
    }
    check(
        JCudaDriver.cuLaunchKernel(
            function(kernel),
            grid[0],
            grid.length > 1 ? grid[1] : 1,
            grid.length > 2 ? grid[2] : 1,
            block,
            1,
            1,
            sharedBytes,
            stream,
            Pointer.to(params),
            null),
        "cuLaunchKernel(" + kernel + ")");
  }

  /** Waits for all queued work; surfaces asynchronous kernel faults. */
  public void synchronize() {
    bind();
    check(JCudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize");
  }

  CUstream stream() {
    return stream;
  }

  /** Makes this context current on the calling thread (driver contexts are per thread). */
  void bind() {
    if (closed) {
      throw new IllegalStateException("CUDA context already closed");
    }
    CUcontext current = new CUcontext();
    check(JCudaDriver.cuCtxGetCurrent(current), "cuCtxGetCurrent");
    if (!current.equals(context)) {
      check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
    }
  }

  private CUfunction function(String kernel) {
    return functions.computeIfAbsent(
        kernel,
        k -> {
          CUfunction f = new CUfunction();
          check(JCudaDriver.cuModuleGetFunction(f, module, k), "cuModuleGetFunction(" + k + ")");
          return f;
        });
  }

  private int attribute(int attribute) {
    int[] value = new int[1];
    check(JCudaDriver.cuDeviceGetAttribute(value, attribute, device), "cuDeviceGetAttribute");
    return value[0];
  }

  private static String cString(byte[] bytes) {
    int n = 0;
    while (n < bytes.length && bytes[n] != 0) {
      n++;
    }
    return new String(bytes, 0, n, java.nio.charset.StandardCharsets.US_ASCII);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    bind();
    JCudaDriver.cuStreamSynchronize(stream);
    JCudaDriver.cuStreamDestroy(stream);
    JCudaDriver.cuModuleUnload(module);
    JCudaDriver.cuDevicePrimaryCtxRelease(device);
    closed = true;
  }
}
