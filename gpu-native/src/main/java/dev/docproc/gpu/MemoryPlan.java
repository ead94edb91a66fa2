package dev.docproc.gpu;

import java.util.ArrayList;
import java.util.List;

/**
 * Device memory sized up front, before anything is allocated: weights, fixed workspaces, and as
 * many KV-cache blocks as the rest allows (vLLM's gpu_memory_utilization idea). When even the
 * minimum KV cache does not fit, {@link Builder#plan} fails with the numbers a user needs to act.
 *
 * @param kvBlocks KV blocks to allocate (each holds blockSize tokens of every layer's K and V)
 * @param kvBlockBytes bytes of one block across all layers
 */
public record MemoryPlan(
    List<Item> weights,
    List<Item> workspaces,
    long weightBytes,
    long workspaceBytes,
    int blockSize,
    long kvBlockBytes,
    int kvBlocks,
    long budgetBytes) {

  /** One named allocation. */
  public record Item(String name, long bytes) {}

  public long kvBytes() {
    return kvBlockBytes * kvBlocks;
  }

  /** Tokens the KV cache holds, over all sequences. */
  public long kvTokens() {
    return (long) kvBlocks * blockSize;
  }

  public long totalBytes() {
    return weightBytes + workspaceBytes + kvBytes();
  }

  /** A short human-readable summary (one line). */
  public String describe() {
    return String.format(
        "weights %s + workspaces %s + KV cache %s (%d blocks × %d tokens) = %s of %s budget",
        gib(weightBytes),
        gib(workspaceBytes),
        gib(kvBytes()),
        kvBlocks,
        blockSize,
        gib(totalBytes()),
        gib(budgetBytes));
  }

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder {
    private final List<Item> weights = new ArrayList<>();
    private final List<Item> workspaces = new ArrayList<>();
    private int layers;
    private int kvHeads;
    private int headDim;
    private int blockSize;
    private int elementBytes;
    private long minKvTokens;
    private double utilization = 0.90;
    private long reserveBytes = 512L << 20;

    public Builder weight(String name, long bytes) {
      weights.add(new Item(name, requireNonNegative(bytes, name)));
      return this;
    }

    public Builder workspace(String name, long bytes) {
      workspaces.add(new Item(name, requireNonNegative(bytes, name)));
      return this;
    }

    /** K and V of every layer: [blocks][blockSize][kvHeads][headDim] of elementBytes each. */
    public Builder kvCache(int layers, int kvHeads, int headDim, int blockSize, int elementBytes) {
      this.layers = layers;
      this.kvHeads = kvHeads;
      this.headDim = headDim;
      this.blockSize = blockSize;
      this.elementBytes = elementBytes;
      return this;
    }

    /** The KV cache must hold at least this many tokens (e.g. one full-length request). */
    public Builder minKvTokens(long tokens) {
      this.minKvTokens = tokens;
      return this;
    }

    /** Fraction of the device's free memory this process may use (default 0.90). */
    public Builder utilization(double fraction) {
      if (!(fraction > 0 && fraction <= 1)) {
        throw new IllegalArgumentException("utilization must be in (0, 1], got " + fraction);
      }
      this.utilization = fraction;
      return this;
    }

    /** Bytes kept back for the CUDA context, module, graphs and fragmentation (default 512 MiB). */
    public Builder reserve(long bytes) {
      this.reserveBytes = requireNonNegative(bytes, "reserve");
      return this;
    }

    /**
     * @param freeBytes free device memory (cuMemGetInfo)
     * @param device name used in the error message
     * @throws InsufficientDeviceMemoryException when weights, workspaces and the minimum KV cache
     *     do not fit
     */
    public MemoryPlan plan(long freeBytes, String device) {
      if (blockSize <= 0 || layers <= 0 || kvHeads <= 0 || headDim <= 0 || elementBytes <= 0) {
        throw new IllegalStateException("kvCache(...) must be set before plan()");
      }
      long weightBytes = sum(weights);
      long workspaceBytes = sum(workspaces);
      long blockBytes = 2L * layers * blockSize * kvHeads * headDim * elementBytes;
      long budget = (long) (freeBytes * utilization) - reserveBytes;
      long minBlocks = (minKvTokens + blockSize - 1) / blockSize;
      long blocks = Math.max(0, (budget - weightBytes - workspaceBytes) / blockBytes);
      if (blocks < Math.max(1, minBlocks)) {
        long need = weightBytes + workspaceBytes + Math.max(1, minBlocks) * blockBytes;
        throw new InsufficientDeviceMemoryException(
            String.format(
                "the model does not fit on %s: it needs %s (weights %s, workspaces %s, KV cache for"
                    + " %d tokens %s) but the budget is %s (%s free × utilization %.2f − reserve %s)",
                device,
                gib(need),
                gib(weightBytes),
                gib(workspaceBytes),
                minKvTokens,
                gib(Math.max(1, minBlocks) * blockBytes),
                gib(Math.max(0, budget)),
                gib(freeBytes),
                utilization,
                gib(reserveBytes)));
      }
      return new MemoryPlan(
          List.copyOf(weights),
          List.copyOf(workspaces),
          weightBytes,
          workspaceBytes,
          blockSize,
          blockBytes,
          (int) Math.min(Integer.MAX_VALUE, blocks),
          budget);
    }

    private static long sum(List<Item> items) {
      return items.stream().mapToLong(Item::bytes).sum();
    }

    private static long requireNonNegative(long bytes, String name) {
      if (bytes < 0) {
        throw new IllegalArgumentException(name + ": negative size " + bytes);
      }
      return bytes;
    }
  }

  /** The planned model does not fit the device. */
  public static final class InsufficientDeviceMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InsufficientDeviceMemoryException(String message) {
      super(message);
    }
  }

  static String gib(long bytes) {
    return String.format("%.2f GiB", bytes / (double) (1L << 30));
  }
}
