package dev.docproc.inference.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.docproc.gpu.CopyBandwidth;
import dev.docproc.gpu.CudaAvailability;
import dev.docproc.gpu.CudaContext;
import dev.docproc.inference.engine.Engine;
import dev.docproc.inference.engine.compute.Backend;
import dev.docproc.inference.engine.compute.Taps;
import dev.docproc.inference.engine.generate.Generation;
import dev.docproc.inference.engine.generate.GenerationListener;
import dev.docproc.inference.engine.generate.Request;
import dev.docproc.inference.engine.generate.SamplingParams;
import dev.docproc.inference.engine.generate.Scheduler;
import dev.docproc.inference.engine.vision.Grid;
import dev.docproc.inference.engine.vision.preprocess.ImagePreprocessor;
import dev.docproc.inference.engine.vision.preprocess.PreprocessorConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * The model card's three workloads (benchmark, not test) on a model directory — normally the
 * synthetic full-size one — on the backend chosen as everywhere: single-stream latency (time to
 * first token, decode time per token, total) and throughput with 8, 16 and 32 requests in flight
 * (closed loop: each finished request is replaced until twice that many have run), beside the model
 * card's vLLM numbers, with the decode floor (weight bytes read per token ÷ measured copy
 * bandwidth) and an optional peer command whose JSON (tools/reference/bench_torch.py --profiles)
 * joins the table: in the peer command, {@code {profiles}} becomes the profiles in the peer's
 * notation ({@link Profile#key}) and {@code {concurrency}} the concurrency list. Every request
 * generates exactly its token count (no stop token), as vLLM's benchmarks do with ignore_eos.
 *
 * <pre>
 * java -Xmx24g --add-modules jdk.incubator.vector -cp docproc-engine.jar \
 *   dev.docproc.inference.engine.cli.ProfileBench --model DIR [--compute auto|cpu|cuda]
 *   [--repeat 3] [--concurrency 8,16,32] [--budget-seconds 240] [--json FILE]
 *   [--profiles WIDTHxHEIGHT:PROMPT:NEW,...  (default: the card's three)] [--peer-seconds 200]
 *   [--peer "python3 tools/reference/bench_torch.py --model DIR --threads 16 --device cuda
 *            --dtype float16 --profiles {profiles} --concurrency {concurrency}"]
 * </pre>
 */
public final class ProfileBench {

  /** A model card workload and what vLLM 0.7.2 (W4A16, one H100) reached on it. */
  record Profile(
      String name,
      int width,
      int height,
      int promptTokens,
      int newTokens,
      double vllmSeconds,
      double vllmQps) {
    /** How the peer names it: "WIDTHxHEIGHT:PROMPT:NEW" (bench_torch.py --profiles). */
    String key() {
      return width + "x" + height + ":" + promptTokens + ":" + newTokens;
    }
  }

  /**
   * Profiles from "WIDTHxHEIGHT:PROMPT:NEW" keys; the card's names and vLLM numbers where known.
   */
  static List<Profile> parse(String keys) {
    List<Profile> out = new ArrayList<>();
    for (String key : keys.split(",")) {
      Profile card = CARD.stream().filter(p -> p.key().equals(key)).findFirst().orElse(null);
      if (card != null) {
        out.add(card);
        continue;
      }
      String[] f = key.split("[x:]");
      if (f.length != 4) {
        throw new IllegalArgumentException("profile '" + key + "' is not WIDTHxHEIGHT:PROMPT:NEW");
      }
      out.add(
          new Profile(
              key,
              Integer.parseInt(f[0]),
              Integer.parseInt(f[1]),
              Integer.parseInt(f[2]),
              Integer.parseInt(f[3]),
              Double.NaN,
              Double.NaN));
    }
    return out;
  }

  static String keys(List<Profile> profiles) {
    return String.join(",", profiles.stream().map(Profile::key).toList());
  }

  static final List<Profile> CARD =
      List.of(
          new Profile("document 1680x2240, 64/128", 1680, 2240, 64, 128, 0.9, 4.2),
          new Profile("visual reasoning 640x480, 128/128", 640, 480, 128, 128, 0.9, 4.1),
          new Profile("captioning 480x360, 0/128", 480, 360, 0, 128, 0.8, 4.4));

  /** The chat template around one image and the question (MODEL.md §6). */
  private static final int[] BEFORE_IMAGE = {
    151644, 8948, 198, 2610, 525, 264, 10950, 17847, 13, 151645, 198, 151644, 872, 198, 151652
  };

  private static final int[] AFTER_QUESTION = {151645, 198, 151644, 77091, 198};
  private static final int IMAGE_PAD = 151655;
  private static final int VISION_END = 151653;

  private ProfileBench() {}

  public static void main(String[] args) throws Exception {
    Path dir = null;
    String compute = Backend.setting();
    int repeat = 3;
    int[] concurrency = {8, 16, 32};
    double budget = 240;
    Path json = null;
    String peer = null;
    double peerSeconds = 200;
    List<Profile> profiles = CARD;
    for (int i = 0; i + 1 < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--model" -> dir = Path.of(v);
        case "--compute" -> compute = v;
        case "--repeat" -> repeat = Integer.parseInt(v);
        case "--concurrency" ->
            concurrency = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
        case "--budget-seconds" -> budget = Double.parseDouble(v);
        case "--json" -> json = Path.of(v);
        case "--peer" -> peer = v;
        case "--peer-seconds" -> peerSeconds = Double.parseDouble(v);
        case "--profiles" -> profiles = parse(v);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (dir == null) {
      throw new IllegalArgumentException("--model DIR is required");
    }
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode report = mapper.createObjectNode();
    report.put("date", java.time.ZonedDateTime.now().toString()).put("model", dir.toString());

    Backend.Choice choice = Backend.choose(compute, CudaAvailability::probe);
    double bandwidth = copyBandwidth(choice);
    long bytesPerToken = Bench.decodeBytesPerToken(dir);
    double floorMs = bytesPerToken / (bandwidth * 1e9) * 1e3;
    report.put("backend_choice", choice.describe());
    report.put("copy_bandwidth_GBps", bandwidth);
    report.put("weight_bytes_per_token", bytesPerToken);
    report.put("decode_floor_ms", floorMs);

    int maxBatch = Arrays.stream(concurrency).max().orElse(1);
    Engine.Settings settings = Engine.Settings.fromSystemProperties().with(compute, 8192, maxBatch);
    long t0 = System.nanoTime();
    try (Engine engine = Engine.open(dir, settings, Taps.OFF);
        Scheduler scheduler = engine.scheduler(ids -> "")) {
      report.put("backend", engine.ops().name());
      report.put("load_s", (System.nanoTime() - t0) / 1e9);
      engine.plan().ifPresent(p -> report.put("memory_plan", p.describe()));
      ImagePreprocessor pre =
          new ImagePreprocessor(PreprocessorConfig.load(dir.resolve("preprocessor_config.json")));
      SplittableRandom random = new SplittableRandom(1);
      int vocab = engine.model().config().text().vocabSize();
      long deadline = System.nanoTime() + (long) (budget * 1e9);

      List<Workload> workloads = new ArrayList<>();
      for (Profile p : profiles) {
        workloads.add(new Workload(p, pre, random, vocab));
      }
      for (Workload w : workloads) { // warm-up: every profile once, untimed
        run(scheduler, List.of(w.next()));
      }
      ArrayNode single = report.putArray("single_stream");
      for (Workload w : workloads) {
        Profile p = w.profile;
        double[] ttft = new double[repeat];
        double[] perToken = new double[repeat];
        double[] total = new double[repeat];
        for (int r = 0; r < repeat; r++) {
          Generation g = run(scheduler, List.of(w.next())).get(0);
          ttft[r] = g.firstTokenNanos() / 1e9;
          perToken[r] = g.decodeNanos() / 1e6 / (g.tokens().length - 1);
          total[r] = g.totalNanos() / 1e9;
        }
        single
            .addObject()
            .put("profile", p.name())
            .put("key", p.key())
            .put("ttft_s", median(ttft))
            .put("decode_ms_per_token", median(perToken))
            .put("total_s", median(total))
            .put("vllm_total_s", p.vllmSeconds());
      }
      ArrayNode throughput = report.putArray("throughput");
      for (int c : concurrency) {
        for (Workload w : workloads) {
          Profile p = w.profile;
          ObjectNode row =
              throughput
                  .addObject()
                  .put("profile", p.name())
                  .put("key", p.key())
                  .put("concurrency", c);
          if (System.nanoTime() > deadline) {
            row.put("skipped", "time budget of " + budget + " s spent");
            continue;
          }
          int n = 2 * c;
          long start = System.nanoTime();
          List<Generation> done = closedLoop(scheduler, w, c, n);
          double seconds = (System.nanoTime() - start) / 1e9;
          row.put("requests", n)
              .put("seconds", seconds)
              .put("qps", n / seconds)
              .put(
                  "mean_latency_s",
                  done.stream().mapToLong(Generation::totalNanos).average().orElse(0) / 1e9)
              .put("vllm_max_qps", p.vllmQps());
        }
      }
    }
    if (json != null) { // ours, before the peer: a peer that runs out of time loses only its part
      Files.writeString(json, mapper.writerWithDefaultPrettyPrinter().writeValueAsString(report));
    }
    if (peer != null) {
      String list = String.join(",", Arrays.stream(concurrency).mapToObj(String::valueOf).toList());
      String command = peer.replace("{profiles}", keys(profiles)).replace("{concurrency}", list);
      report.set("peer", runPeer(command, peerSeconds, mapper));
      if (json != null) {
        Files.writeString(json, mapper.writerWithDefaultPrettyPrinter().writeValueAsString(report));
      }
    }
    System.out.print(table(report));
  }

  /** Copy bandwidth of the device that will run the model, GB/s (read + write). */
  private static double copyBandwidth(Backend.Choice choice) {
    if (choice.kind() == Backend.Kind.CUDA) {
      try (CudaContext cuda = CudaContext.open(0)) {
        return CopyBandwidth.measure(cuda, 2L << 30, 10);
      }
    }
    return Bandwidth.copyGBps(Runtime.getRuntime().availableProcessors());
  }

  /**
   * Requests of one profile: the chat template around one random image (the same pixels for every
   * request: 90 MB for the document page, and the GPU computes as long on any values), random
   * question tokens per request.
   */
  static final class Workload {
    final Profile profile;
    private final Grid grid;
    private final float[] pixels;
    private final SplittableRandom random;
    private final int vocab;

    Workload(Profile profile, ImagePreprocessor pre, SplittableRandom random, int vocab) {
      this.profile = profile;
      this.grid = Bench.grid(pre, profile.width() + "x" + profile.height());
      this.pixels = new float[grid.patches() * 1176];
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (float) (random.nextDouble() * 4 - 2);
      }
      this.random = random;
      this.vocab = vocab;
    }

    Request next() {
      int image = grid.tokens();
      int[] ids =
          new int[BEFORE_IMAGE.length + image + 1 + profile.promptTokens() + AFTER_QUESTION.length];
      int at = 0;
      for (int id : BEFORE_IMAGE) {
        ids[at++] = id;
      }
      for (int i = 0; i < image; i++) {
        ids[at++] = IMAGE_PAD;
      }
      ids[at++] = VISION_END;
      for (int i = 0; i < profile.promptTokens(); i++) {
        ids[at++] = random.nextInt(Math.min(151643, vocab));
      }
      for (int id : AFTER_QUESTION) {
        ids[at++] = id;
      }
      return new Request(
          ids,
          pixels,
          List.of(grid),
          SamplingParams.greedy(profile.newTokens()),
          GenerationListener.NONE,
          () -> false);
    }
  }

  private static List<Generation> run(Scheduler s, List<Request> requests) {
    List<CompletableFuture<Generation>> futures = new ArrayList<>();
    for (Request r : requests) {
      futures.add(s.submit(r));
    }
    s.runUntilIdle();
    return futures.stream().map(CompletableFuture::join).toList();
  }

  /** n requests of the profile with at most c in flight; their generations in finishing order. */
  private static List<Generation> closedLoop(Scheduler s, Workload w, int c, int n) {
    List<Request> requests = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      requests.add(w.next()); // made before the clock starts
    }
    List<CompletableFuture<Generation>> inFlight = new ArrayList<>();
    List<Generation> done = new ArrayList<>();
    int submitted = 0;
    while (done.size() < n) {
      while (inFlight.size() < c && submitted < n) {
        inFlight.add(s.submit(requests.get(submitted++)));
      }
      s.iterate();
      for (var it = inFlight.iterator(); it.hasNext(); ) {
        CompletableFuture<Generation> f = it.next();
        if (f.isDone()) {
          done.add(f.join());
          it.remove();
        }
      }
    }
    return done;
  }

  /** Runs the peer command for at most {@code seconds}; its JSON, or why there is none. */
  private static JsonNode runPeer(String command, double seconds, ObjectMapper mapper)
      throws IOException {
    System.gc();
    Path stdout = Files.createTempFile("peer", ".json");
    try {
      Process p =
          new ProcessBuilder("bash", "-c", command)
              .redirectOutput(stdout.toFile())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      if (!p.waitFor((long) (seconds * 1000), java.util.concurrent.TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        return mapper.createObjectNode().put("failed", "timed out after " + seconds + " s");
      }
      String out = Files.readString(stdout, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        return mapper
            .createObjectNode()
            .put("failed", "exit code " + p.exitValue())
            .put("stdout", out);
      }
      try {
        return mapper.readTree(out);
      } catch (IOException e) {
        return mapper
            .createObjectNode()
            .put("failed", "no JSON: " + e.getMessage())
            .put("stdout", out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return mapper.createObjectNode().put("failed", "interrupted");
    } finally {
      Files.deleteIfExists(stdout);
    }
  }

  /** The report as markdown tables: latency, throughput, then the floor and the setup. */
  static String table(JsonNode r) {
    StringBuilder t = new StringBuilder();
    JsonNode peer = r.path("peer");
    t.append(
        String.format(
            "%n| single stream | time to first token | decode per token | total | PyTorch peer total"
                + " | vLLM 0.7.2 (card) total |%n|---|---|---|---|---|---|%n"));
    for (JsonNode s : r.path("single_stream")) {
      JsonNode ps = find(peer.path("single_stream"), s.path("key").asText(), -1);
      t.append(
          String.format(
              "| %s | %.3f s | %.2f ms | %.3f s | %s | %s |%n",
              s.path("profile").asText(),
              s.path("ttft_s").asDouble(),
              s.path("decode_ms_per_token").asDouble(),
              s.path("total_s").asDouble(),
              ps == null ? "—" : String.format("%.3f s", ps.path("total_s").asDouble()),
              card(s.path("vllm_total_s").asDouble(), "%.1f s")));
    }
    t.append(
        String.format(
            "%n| throughput | in flight | requests/s | mean latency | PyTorch peer requests/s"
                + " | vLLM 0.7.2 (card) max |%n|---|---|---|---|---|---|%n"));
    for (JsonNode s : r.path("throughput")) {
      String name = s.path("profile").asText();
      int c = s.path("concurrency").asInt();
      JsonNode ps = find(peer.path("throughput"), s.path("key").asText(), c);
      String peerQps =
          ps == null
              ? "—"
              : ps.has("qps")
                  ? String.format("%.2f", ps.path("qps").asDouble())
                  : ps.path("skipped").asText("—");
      if (s.has("skipped")) {
        t.append(
            String.format(
                "| %s | %d | %s | | %s | |%n", name, c, s.path("skipped").asText(), peerQps));
        continue;
      }
      t.append(
          String.format(
              "| %s | %d | %.2f | %.2f s | %s | %s |%n",
              name,
              c,
              s.path("qps").asDouble(),
              s.path("mean_latency_s").asDouble(),
              peerQps,
              card(s.path("vllm_max_qps").asDouble(), "%.1f")));
    }
    double floor = r.path("decode_floor_ms").asDouble();
    t.append(
        String.format(
            "%n%s; %s%ncopy bandwidth %.0f GB/s, weights read per token %.2f GB: decode floor %.3f ms;"
                + " best single-stream decode %.3f ms = %.2f× the floor%nload %.1f s%s%n",
            r.path("backend_choice").asText(),
            r.path("backend").asText(),
            r.path("copy_bandwidth_GBps").asDouble(),
            r.path("weight_bytes_per_token").asDouble() / 1e9,
            floor,
            bestDecode(r),
            bestDecode(r) / floor,
            r.path("load_s").asDouble(),
            peer.isMissingNode() ? "" : peerLine(peer)));
    return t.toString();
  }

  /** A vLLM number of the card, or — for a profile the card does not have. */
  private static String card(double v, String format) {
    return Double.isNaN(v) ? "—" : String.format(format, v);
  }

  private static double bestDecode(JsonNode r) {
    double best = Double.MAX_VALUE;
    for (JsonNode s : r.path("single_stream")) {
      best = Math.min(best, s.path("decode_ms_per_token").asDouble());
    }
    return best;
  }

  private static String peerLine(JsonNode peer) {
    if (peer.has("failed")) {
      return "; PyTorch peer FAILED: " + peer.path("failed").asText();
    }
    return String.format(
        "; PyTorch peer: %s, torch %s, transformers %s, %s, load %.1f s",
        peer.path("device").asText(),
        peer.path("versions").path("torch").asText(),
        peer.path("versions").path("transformers").asText(),
        peer.path("dtype").asText(),
        peer.path("load_s").asDouble());
  }

  private static JsonNode find(JsonNode rows, String key, int concurrency) {
    for (JsonNode n : rows) {
      if (n.path("profile").asText().equals(key)
          && (concurrency < 0 || n.path("concurrency").asInt() == concurrency)) {
        return n;
      }
    }
    return null;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
