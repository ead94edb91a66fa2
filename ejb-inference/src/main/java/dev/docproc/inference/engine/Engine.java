package dev.docproc.inference.engine;

import dev.docproc.gpu.CudaAvailability;
import dev.docproc.gpu.CudaContext;
import dev.docproc.gpu.MemoryPlan;
import dev.docproc.inference.engine.compute.Backend;
import dev.docproc.inference.engine.compute.Ops;
import dev.docproc.inference.engine.compute.Taps;
import dev.docproc.inference.engine.compute.cpu.CpuOps;
import dev.docproc.inference.engine.compute.cuda.CudaMemory;
import dev.docproc.inference.engine.compute.cuda.CudaOps;
import dev.docproc.inference.engine.generate.Generator;
import dev.docproc.inference.engine.generate.Scheduler;
import dev.docproc.inference.engine.model.ModelConfig;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A model opened on the backend chosen at startup ({@link Backend}), with the limits its scheduler
 * runs under: what the command line, the benchmarks and the inference bean start from. On CUDA the
 * device memory is planned (weights, workspaces, KV blocks) before any weight is uploaded.
 */
public final class Engine implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Engine.class.getName());

  /**
   * @param compute auto, cpu or cuda ({@link Backend#SETTING})
   * @param maxContext positions one sequence may hold
   * @param maxBatch sequences decoded together
   * @param gpuMemoryUtilization fraction of the GPU's free memory to plan with
   */
  public record Settings(
      String compute, int maxContext, int maxBatch, double gpuMemoryUtilization) {
    public Settings {
      if (maxContext < 2 || maxBatch < 1 || !(gpuMemoryUtilization > 0)) {
        throw new IllegalArgumentException(
            "engine settings: max context "
                + maxContext
                + " ≥ 2, max batch "
                + maxBatch
                + " ≥ 1, GPU memory utilization "
                + gpuMemoryUtilization
                + " > 0");
      }
    }

    /**
     * {@code docproc.compute} (auto), {@code docproc.max-context} (32768), {@code
     * docproc.max-batch} (1), {@code docproc.gpu.memory-utilization} (0.9).
     */
    public static Settings fromSystemProperties() {
      return new Settings(
          Backend.setting(),
          Integer.getInteger("docproc.max-context", 32768),
          Integer.getInteger("docproc.max-batch", 1),
          Double.parseDouble(System.getProperty("docproc.gpu.memory-utilization", "0.9")));
    }

    public Settings with(String compute, int maxContext, int maxBatch) {
      return new Settings(compute, maxContext, maxBatch, gpuMemoryUtilization);
    }
  }

  private final Backend.Choice backend;
  private final Ops ops;
  private final QwenVL model;
  private final Scheduler.Limits limits;
  private final MemoryPlan plan;

  private Engine(
      Backend.Choice backend, Ops ops, QwenVL model, Scheduler.Limits limits, MemoryPlan plan) {
    this.backend = backend;
    this.ops = ops;
    this.model = model;
    this.limits = limits;
    this.plan = plan;
  }

  /** Chooses the backend (logged once), plans device memory on CUDA, loads the model. */
  public static Engine open(Path dir, Settings s, Taps taps) {
    Backend.Choice choice = Backend.choose(s.compute(), CudaAvailability::probe);
    LOG.log(Level.INFO, choice.describe());
    ModelConfig config = ModelConfig.load(dir);
    int maxContext = Math.min(s.maxContext(), config.text().maxPositionEmbeddings());
    Ops ops;
    MemoryPlan plan = null;
    long kvTokens = (long) s.maxBatch() * maxContext;
    if (choice.kind() == Backend.Kind.CUDA) {
      CudaContext cuda = CudaContext.open(0);
      try {
        plan =
            CudaMemory.plan(
                config,
                ModelConfig.maxPixels(dir),
                s.maxBatch(),
                maxContext,
                s.gpuMemoryUtilization(),
                cuda.memoryInfo()[0],
                cuda.deviceName());
      } catch (RuntimeException e) {
        cuda.close();
        throw e;
      }
      LOG.log(Level.INFO, "device memory: " + plan.describe());
      kvTokens = Math.min(kvTokens, plan.kvTokens());
      ops = new CudaOps(cuda);
    } else {
      ops = CpuOps.create();
    }
    try {
      QwenVL model = QwenVL.load(dir, ops, taps);
      return new Engine(
          choice, ops, model, new Scheduler.Limits(s.maxBatch(), maxContext, kvTokens), plan);
    } catch (RuntimeException e) {
      ops.close();
      throw e;
    }
  }

  public Backend.Choice backend() {
    return backend;
  }

  public Ops ops() {
    return ops;
  }

  public QwenVL model() {
    return model;
  }

  public Scheduler.Limits limits() {
    return limits;
  }

  /** The device memory plan (CUDA only). */
  public Optional<MemoryPlan> plan() {
    return Optional.ofNullable(plan);
  }

  /** A scheduler for up to {@code limits().maxBatch()} concurrent requests. */
  public Scheduler scheduler(Generator.TextDecoder text) {
    return new Scheduler(model, ops, text, limits);
  }

  /** One request at a time, each with a KV cache of its own size. */
  public Generator generator(Generator.TextDecoder text) {
    return new Generator(model, ops, text, limits.maxContext());
  }

  @Override
  public void close() {
    model.close();
    ops.close();
  }
}
