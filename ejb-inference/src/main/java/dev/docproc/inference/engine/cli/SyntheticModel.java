package dev.docproc.inference.engine.cli;

import dev.docproc.inference.engine.model.DType;
import dev.docproc.inference.engine.model.LittleEndian;
import dev.docproc.inference.engine.model.SafeTensorsWriter;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a Qwen2.5-VL W4A16 model directory with random weights but the exact tensor names, shapes
 * and dtypes of the published checkpoint (MODEL.md §2.3) — for benchmarks and memory tests where
 * the real weights cannot be fetched, and (with a small {@link Spec}) for tests.
 *
 * <p>{@code java -cp docproc-engine.jar dev.docproc.inference.engine.cli.SyntheticModel --out DIR
 * [--size full|tiny] [--seed N] [--nested-names] [--g-idx] [--group-size N] [--shards N]}
 */
public final class SyntheticModel {

  /**
   * The architecture to write. {@code nestedNames}: {@code model.language_model.*} / {@code
   * model.visual.*} (transformers ≥ 4.52) instead of {@code model.*} / {@code visual.*}.
   */
  public record Spec(
      int hidden,
      int layers,
      int heads,
      int kvHeads,
      int intermediate,
      int vocab,
      int[] mropeSection,
      int visionDepth,
      int visionHidden,
      int visionHeads,
      int visionIntermediate,
      int[] fullAttBlocks,
      int groupSize,
      boolean gIdx,
      boolean nestedNames,
      int shards,
      long seed) {

    /** Qwen2.5-VL-3B-Instruct (MODEL.md §1). */
    public static Spec full(long seed) {
      return new Spec(
          2048,
          36,
          16,
          2,
          11008,
          151936,
          new int[] {16, 24, 24},
          32,
          1280,
          16,
          3420,
          new int[] {7, 15, 23, 31},
          128,
          false,
          false,
          1,
          seed);
    }

    /** A few-megabyte model with the same structure, the Qwen vocabulary size and token ids. */
    public static Spec tiny(long seed) {
      return new Spec(
          64,
          2,
          4,
          2,
          128,
          151936,
          new int[] {2, 3, 3},
          3,
          32,
          2,
          48,
          new int[] {1},
          32,
          false,
          false,
          1,
          seed);
    }

    public Spec with(int groupSize, boolean gIdx, boolean nestedNames, int shards) {
      return new Spec(
          hidden,
          layers,
          heads,
          kvHeads,
          intermediate,
          vocab,
          mropeSection,
          visionDepth,
          visionHidden,
          visionHeads,
          visionIntermediate,
          fullAttBlocks,
          groupSize,
          gIdx,
          nestedNames,
          shards,
          seed);
    }

    int headDim() {
      return hidden / heads;
    }
  }

  public static void main(String[] args) throws IOException {
    Path out = null;
    String size = "full";
    long seed = 1;
    boolean nested = false;
    boolean gIdx = false;
    int groupSize = -1;
    int shards = 1;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--out" -> out = Path.of(args[++i]);
        case "--size" -> size = args[++i];
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--nested-names" -> nested = true;
        case "--g-idx" -> gIdx = true;
        case "--group-size" -> groupSize = Integer.parseInt(args[++i]);
        case "--shards" -> shards = Integer.parseInt(args[++i]);
        default -> {
          System.err.println("unknown argument " + args[i]);
          System.exit(2);
        }
      }
    }
    if (out == null) {
      System.err.println(
          "usage: SyntheticModel --out DIR [--size full|tiny] [--seed N] [--nested-names]"
              + " [--g-idx] [--group-size N] [--shards N]");
      System.exit(2);
    }
    Spec spec = size.equals("tiny") ? Spec.tiny(seed) : Spec.full(seed);
    spec = spec.with(groupSize > 0 ? groupSize : spec.groupSize(), gIdx, nested, shards);
    long t0 = System.nanoTime();
    write(spec, out);
    long bytes;
    try (var files = Files.list(out)) {
      bytes = files.mapToLong(p -> p.toFile().length()).sum();
    }
    System.out.printf(
        "wrote %s (%.2f GB) in %.1f s%n", out, bytes / 1e9, (System.nanoTime() - t0) / 1e9);
  }

  /** Writes the whole model directory. */
  public static void write(Spec s, Path dir) throws IOException {
    Files.createDirectories(dir);
    SyntheticFiles.writeJson(s, dir);
    Map<String, SafeTensorsWriter> shards = new LinkedHashMap<>();
    for (int i = 0; i < s.shards(); i++) {
      String name =
          s.shards() == 1
              ? "model.safetensors"
              : String.format("model-%05d-of-%05d.safetensors", i + 1, s.shards());
      shards.put(name, new SafeTensorsWriter());
    }
    Map<String, String> weightMap = new LinkedHashMap<>();
    var names = shards.keySet().toArray(new String[0]);
    Adder add =
        (name, dtype, shape, filler) -> {
          // the vision tower in the first shard, decoder layers spread over the rest
          String shard = names[shardOf(name, s)];
          String stored = storedName(name, s.nestedNames());
          shards.get(shard).add(stored, dtype, shape, filler);
          weightMap.put(stored, shard);
        };
    addVision(s, add);
    addDecoder(s, add);
    for (var e : shards.entrySet()) {
      e.getValue().write(dir.resolve(e.getKey()));
    }
    if (s.shards() > 1) {
      SyntheticFiles.writeIndex(dir, weightMap);
    }
  }

  private static int shardOf(String name, Spec s) {
    if (s.shards() == 1 || !name.startsWith("model.layers.")) {
      return 0;
    }
    int layer = Integer.parseInt(name.split("\\.")[2]);
    return 1 + layer * (s.shards() - 1) / s.layers();
  }

  private static String storedName(String canonical, boolean nested) {
    if (!nested) {
      return canonical;
    }
    if (canonical.startsWith("visual.")) {
      return "model." + canonical;
    }
    if (canonical.startsWith("model.")) {
      return "model.language_model." + canonical.substring("model.".length());
    }
    return canonical;
  }

  @FunctionalInterface
  private interface Adder {
    void add(String name, DType dtype, long[] shape, SafeTensorsWriter.Filler filler);
  }

  private static void addVision(Spec s, Adder add) {
    int d = s.visionHidden();
    int i = s.visionIntermediate();
    add.add(
        "visual.patch_embed.proj.weight",
        DType.BF16,
        new long[] {d, 3, 2, 14, 14},
        bf16(s, "patch", 1 / Math.sqrt(1176)));
    for (int b = 0; b < s.visionDepth(); b++) {
      String p = "visual.blocks." + b;
      add.add(p + ".norm1.weight", DType.BF16, new long[] {d}, bf16Around1(s, p + "n1"));
      add.add(p + ".norm2.weight", DType.BF16, new long[] {d}, bf16Around1(s, p + "n2"));
      denseLinear(s, add, p + ".attn.qkv", 3 * d, d, true);
      denseLinear(s, add, p + ".attn.proj", d, d, true);
      denseLinear(s, add, p + ".mlp.gate_proj", i, d, true);
      denseLinear(s, add, p + ".mlp.up_proj", i, d, true);
      denseLinear(s, add, p + ".mlp.down_proj", d, i, true);
    }
    add.add("visual.merger.ln_q.weight", DType.BF16, new long[] {d}, bf16Around1(s, "lnq"));
    denseLinear(s, add, "visual.merger.mlp.0", 4 * d, 4 * d, true);
    denseLinear(s, add, "visual.merger.mlp.2", s.hidden(), 4 * d, true);
  }

  private static void addDecoder(Spec s, Adder add) {
    int d = s.hidden();
    int kv = s.kvHeads() * s.headDim();
    add.add(
        "model.embed_tokens.weight", DType.BF16, new long[] {s.vocab(), d}, bf16(s, "embed", 0.05));
    for (int l = 0; l < s.layers(); l++) {
      String p = "model.layers." + l;
      add.add(p + ".input_layernorm.weight", DType.BF16, new long[] {d}, bf16Around1(s, p + "in"));
      add.add(
          p + ".post_attention_layernorm.weight",
          DType.BF16,
          new long[] {d},
          bf16Around1(s, p + "post"));
      int4Linear(s, add, p + ".self_attn.q_proj", d, d, true);
      int4Linear(s, add, p + ".self_attn.k_proj", kv, d, true);
      int4Linear(s, add, p + ".self_attn.v_proj", kv, d, true);
      int4Linear(s, add, p + ".self_attn.o_proj", d, d, false);
      int4Linear(s, add, p + ".mlp.gate_proj", s.intermediate(), d, false);
      int4Linear(s, add, p + ".mlp.up_proj", s.intermediate(), d, false);
      int4Linear(s, add, p + ".mlp.down_proj", d, s.intermediate(), false);
    }
    add.add("model.norm.weight", DType.BF16, new long[] {d}, bf16Around1(s, "norm"));
  }

  private static void denseLinear(Spec s, Adder add, String p, int out, int in, boolean bias) {
    add.add(p + ".weight", DType.BF16, new long[] {out, in}, bf16(s, p, 1 / Math.sqrt(in)));
    if (bias) {
      add.add(p + ".bias", DType.BF16, new long[] {out}, bf16(s, p + "b", 0.02));
    }
  }

  /** pack-quantized: I32 weight_packed, BF16 weight_scale, I64 weight_shape (+ I32 g_idx). */
  private static void int4Linear(Spec s, Adder add, String p, int out, int in, boolean bias) {
    int groups = (in + s.groupSize() - 1) / s.groupSize();
    add.add(
        p + ".weight_packed",
        DType.I32,
        new long[] {out, (in + 7) / 8},
        dst -> randomBytes(dst, rng(s, p)));
    // |q| ≤ 8, so scale ≈ 1/(4·√in) keeps rows of W near unit norm
    add.add(
        p + ".weight_scale",
        DType.BF16,
        new long[] {out, groups},
        bf16Positive(s, p + "s", 0.25 / Math.sqrt(in)));
    add.add(
        p + ".weight_shape",
        DType.I64,
        new long[] {2},
        dst -> {
          dst.set(LittleEndian.LONG, 0, out);
          dst.set(LittleEndian.LONG, 8, in);
        });
    if (s.gIdx()) {
      add.add(
          p + ".weight_g_idx",
          DType.I32,
          new long[] {in},
          dst -> {
            int[] g = new int[in];
            for (int c = 0; c < in; c++) {
              g[c] = c / s.groupSize();
            }
            SplittableRandom r = rng(s, p + "g");
            for (int c = in - 1; c > 0; c--) {
              int j = r.nextInt(c + 1);
              int t = g[c];
              g[c] = g[j];
              g[j] = t;
            }
            for (int c = 0; c < in; c++) {
              dst.set(LittleEndian.INT, 4L * c, g[c]);
            }
          });
    }
    if (bias) {
      add.add(p + ".bias", DType.BF16, new long[] {out}, bf16(s, p + "b", 0.02));
    }
  }

  private static SplittableRandom rng(Spec s, String name) {
    return new SplittableRandom(s.seed() * 0x9E3779B97F4A7C15L ^ name.hashCode());
  }

  private static void randomBytes(MemorySegment dst, SplittableRandom r) {
    long n = dst.byteSize();
    long i = 0;
    for (; i + 8 <= n; i += 8) {
      dst.set(LittleEndian.LONG, i, r.nextLong());
    }
    for (; i < n; i++) {
      dst.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt());
    }
  }

  /**
   * bf16 values of random sign with magnitude in [scale/8, 2·scale): built from random bits
   * directly (4 values per random long) so gigabytes fill in seconds.
   */
  private static SafeTensorsWriter.Filler bf16(Spec s, String name, double scale) {
    return dst -> fillBf16(dst, rng(s, name), scale, true);
  }

  private static SafeTensorsWriter.Filler bf16Positive(Spec s, String name, double scale) {
    return dst -> fillBf16(dst, rng(s, name), scale, false);
  }

  private static SafeTensorsWriter.Filler bf16Around1(Spec s, String name) {
    return dst -> fillBf16(dst, rng(s, name), 0.75, false);
  }

  private static void fillBf16(MemorySegment dst, SplittableRandom r, double scale, boolean sign) {
    int top = Math.getExponent(scale) + 127; // biased exponent of scale's binade
    long n = dst.byteSize() / 2;
    long bits = 0;
    for (long i = 0; i < n; i++) {
      if ((i & 3) == 0) {
        bits = r.nextLong();
      }
      int b = (int) (bits >>> (16 * (i & 3))) & 0xffff;
      int exponent = top - (b >>> 13 & 3); // one of 4 binades below 2^(top-126)
      int mantissa = b & 0x7f;
      int signBit = sign ? (b >>> 15) << 15 : 0;
      dst.set(LittleEndian.SHORT, 2 * i, (short) (signBit | exponent << 7 | mantissa));
    }
  }
}
