package dev.docproc.gpu.check;

import dev.docproc.gpu.Bf16;
import dev.docproc.gpu.CudaAvailability;
import dev.docproc.gpu.CudaContext;
import dev.docproc.gpu.CudaGraph;
import dev.docproc.gpu.DeviceBuffer;
import dev.docproc.gpu.GemmKernels;
import dev.docproc.gpu.NormKernels;
import dev.docproc.gpu.W4Layout;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * The kernel part of the GPU check: every kernel against its CPU reference, plus a captured CUDA
 * graph against the same launches run directly. Full log to OUT_DIR/gpu-check.log, the table to
 * OUT_DIR/gpu-check-table.txt and, last, to stdout. Exit status 0 only when every case passed.
 *
 * <p>Usage: {@code java --enable-native-access=ALL-UNNAMED -cp 'lib/*'
 * dev.docproc.gpu.check.GpuCheck OUT_DIR [--seed N]}; {@code GpuCheck --probe} only says whether a
 * usable GPU is there (exit status 0) or why not (exit status 3).
 */
public final class GpuCheck {
  private GpuCheck() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: GpuCheck OUT_DIR [--seed N] | GpuCheck --probe");
      System.exit(2);
    }
    if (args[0].equals("--probe")) {
      CudaAvailability.Status status = CudaAvailability.probe();
      System.out.println((status.usable() ? "GPU: " : "no usable GPU: ") + status.description());
      System.exit(status.usable() ? 0 : 3);
    }
    Path out = Files.createDirectories(Path.of(args[0]));
    long seed =
        args.length >= 3 && args[1].equals("--seed") ? Long.parseLong(args[2]) : System.nanoTime();
    CudaAvailability.Status status = CudaAvailability.probe();
    if (!status.usable()) {
      System.err.println("GPU check cannot run: " + status.description());
      System.exit(1);
    }
    try (PrintWriter log = new PrintWriter(Files.newBufferedWriter(out.resolve("gpu-check.log")));
        CudaContext cuda = CudaContext.open(0);
        CudaRunner runner = new CudaRunner(cuda)) {
      log.printf(
          "gpu-check %s%ndevice %s (sm_%d, %d SMs), driver CUDA %s, java %s%nseed %d%n%n",
          Instant.now(),
          cuda.deviceName(),
          cuda.computeCapability(),
          cuda.multiprocessors(),
          cuda.driverVersion(),
          Runtime.version(),
          seed);
      List<Supplier<KernelChecks.Result>> cases =
          new ArrayList<>(new KernelChecks(runner, seed).cases());
      cases.add(() -> graphReplay(runner, new Random(seed)));
      List<KernelChecks.Result> results = new ArrayList<>();
      for (Supplier<KernelChecks.Result> c : cases) {
        long start = System.nanoTime();
        KernelChecks.Result r = run(c);
        results.add(r);
        log.printf(
            "%-5s %-24s %-52s rel %.3e (limit %.0e) nan %d  %.0f ms  %s%n",
            r.passed() ? "PASS" : "FAIL",
            r.kernel(),
            r.shape(),
            r.relError(),
            r.threshold(),
            r.nans(),
            (System.nanoTime() - start) / 1e6,
            r.detail());
        log.flush();
      }
      String table = table(results, cuda, seed);
      log.println();
      log.print(table);
      Files.writeString(out.resolve("gpu-check-table.txt"), table);
      System.out.print(table);
      System.exit(results.stream().allMatch(KernelChecks.Result::passed) ? 0 : 1);
    }
  }

  private static KernelChecks.Result run(Supplier<KernelChecks.Result> c) {
    try {
      return c.get();
    } catch (
        RuntimeException e) { // a failed launch or a CUDA fault: report it as this case's result
      StackTraceElement where =
          Arrays.stream(e.getStackTrace())
              .filter(s -> s.getClassName().startsWith("dev.docproc.gpu.check.KernelChecks"))
              .findFirst()
              .orElse(e.getStackTrace().length > 0 ? e.getStackTrace()[0] : null);
      return new KernelChecks.Result(
          "(exception)",
          String.valueOf(where),
          Double.POSITIVE_INFINITY,
          0,
          0,
          e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /**
   * rmsnorm → W4A16 GEMV captured once, replayed on a new input: must equal the same two launches
   * run directly on that input, bit for bit (and differ from the first input's result).
   */
  static KernelChecks.Result graphReplay(CudaRunner runner, Random random) {
    CudaContext cuda = runner.context();
    int h = 2048;
    int n = 2048;
    int[] packed = random.ints(n * h / 8).toArray();
    short[] scales = new short[n * (h / 128)];
    Arrays.fill(scales, Bf16.fromFloat(0.01f));
    GemmKernels gemm = new GemmKernels(cuda);
    NormKernels norm = new NormKernels(cuda);
    try (GemmKernels.W4Weights w =
        GemmKernels.W4Weights.upload(cuda, W4Layout.repack(n, h, packed, scales, null, 128))) {
      DeviceBuffer x = runner.bf16(randn(random, h));
      DeviceBuffer gamma = runner.bf16(randn(random, h));
      DeviceBuffer xn = runner.output16(h);
      DeviceBuffer y = runner.output16(n);
      Runnable step =
          () -> {
            norm.rmsNorm(x, h, gamma, xn, h, 1, h, 1e-6f);
            gemm.w4a16(xn, h, w, null, y, n, 1, null);
          };
      try (CudaGraph graph = CudaGraph.capture(cuda, step)) {
        graph.launch();
        cuda.synchronize();
        short[] first = y.downloadShorts(n);
        x.upload(Bf16.fromFloats(randn(random, h)));
        y.fill16(Bf16.NAN);
        graph.launch();
        cuda.synchronize();
        short[] replayed = y.downloadShorts(n);
        y.fill16(Bf16.NAN);
        step.run();
        cuda.synchronize();
        short[] direct = y.downloadShorts(n);
        int differ = 0;
        for (int i = 0; i < n; i++) {
          differ += replayed[i] != direct[i] ? 1 : 0;
        }
        boolean changed = !Arrays.equals(first, replayed);
        KernelChecks.Result r =
            KernelChecks.compare(
                "cuda_graph",
                "rmsnorm+w4a16_gemv replay",
                Bf16.toFloats(direct),
                Bf16.toFloats(replayed),
                0);
        return new KernelChecks.Result(
            r.kernel(),
            r.shape(),
            differ + (changed ? 0 : 1),
            0,
            r.nans(),
            differ
                + " elements differ from direct launches; new input "
                + (changed ? "used" : "IGNORED"));
      }
    } finally {
      runner.release();
    }
  }

  private static float[] randn(Random random, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = Bf16.round((float) random.nextGaussian());
    }
    return a;
  }

  static String table(List<KernelChecks.Result> results, CudaContext cuda, long seed) {
    StringBuilder t = new StringBuilder();
    t.append(
        String.format(
            "GPU kernel check on %s (sm_%d), seed %d%n",
            cuda.deviceName(), cuda.computeCapability(), seed));
    t.append(tableBody(results));
    return t.toString();
  }

  static String tableBody(List<KernelChecks.Result> results) {
    StringBuilder t = new StringBuilder();
    t.append(
        String.format(
            "%-24s %-44s %10s %7s %4s  %s%n",
            "kernel", "case", "rel.err", "limit", "NaN", "result"));
    int passed = 0;
    for (KernelChecks.Result r : results) {
      String shape = r.shape().length() > 44 ? r.shape().substring(0, 41) + "..." : r.shape();
      t.append(
          String.format(
              "%-24s %-44s %10.2e %7.0e %4d  %s%n",
              r.kernel(),
              shape,
              r.relError(),
              r.threshold(),
              r.nans(),
              r.passed() ? "PASS" : "FAIL"));
      passed += r.passed() ? 1 : 0;
    }
    t.append(String.format("kernels: %d passed, %d failed%n", passed, results.size() - passed));
    return t.toString();
  }
}
