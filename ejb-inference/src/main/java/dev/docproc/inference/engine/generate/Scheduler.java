package dev.docproc.inference.engine.generate;

import dev.docproc.inference.engine.QwenVL;
import dev.docproc.inference.engine.compute.Buf;
import dev.docproc.inference.engine.compute.Ops;
import dev.docproc.inference.engine.compute.TokenSelector;
import dev.docproc.inference.engine.decoder.DecodeBatch;
import dev.docproc.inference.engine.decoder.Decoder;
import dev.docproc.inference.engine.decoder.KvCache;
import dev.docproc.inference.engine.decoder.KvPool;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Continuous batching (iteration-level scheduling, as Orca and vLLM do): a request joins the
 * running batch as soon as a row and KV blocks for it are free, and leaves it when it stops, so the
 * decode steps of up to {@code maxBatch} sequences share one pass over the weights. Each iteration
 * first admits waiting requests (vision tower, prefill, first token), then runs one decode step for
 * every running sequence. The same loop serves one request ({@link Generator}) or many, on any
 * backend.
 *
 * <p>{@link #submit} may be called from any thread; {@link #iterate} and {@link #runUntilIdle} run
 * the model and must be called from one thread at a time.
 */
public final class Scheduler implements AutoCloseable {

  /**
   * @param maxBatch sequences decoded together
   * @param maxContext positions one sequence may hold (prompt + new tokens)
   * @param kvTokens positions the KV pool holds over all sequences
   */
  public record Limits(int maxBatch, int maxContext, long kvTokens) {
    public Limits {
      if (maxBatch < 1 || maxContext < 2 || kvTokens < 1) {
        throw new IllegalArgumentException(
            "scheduler limits: batch "
                + maxBatch
                + " ≥ 1, context "
                + maxContext
                + " ≥ 2, KV tokens "
                + kvTokens
                + " ≥ 1");
      }
    }
  }

  private final QwenVL model;
  private final Ops ops;
  private final Generator.TextDecoder text;
  private final Limits limits;
  private final Decoder decoder;
  private final KvPool pool;
  private final DecodeBatch batch;
  private final TokenSelector selector;
  private final Queue<Waiting> waiting = new ConcurrentLinkedQueue<>();
  private final List<Sequence> running = new ArrayList<>(); // row b of the batch is running[b]

  private record Waiting(Request request, CompletableFuture<Generation> result, long since) {}

  public Scheduler(QwenVL model, Ops ops, Generator.TextDecoder text, Limits limits) {
    this.model = model;
    this.ops = ops;
    this.text = text;
    this.decoder = model.decoder();
    this.limits =
        new Limits(
            limits.maxBatch(),
            Math.min(limits.maxContext(), decoder.config().maxPositionEmbeddings()),
            limits.kvTokens());
    int vocab = decoder.config().vocabSize();
    this.pool = decoder.newPool(limits.kvTokens());
    try {
      this.batch = decoder.newBatch(pool, limits.maxBatch(), this.limits.maxContext());
      this.selector =
          ops.tokenSelector(limits.maxBatch(), vocab)
              .orElseGet(() -> new HostTokenSelector(ops, limits.maxBatch(), vocab));
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  public Limits limits() {
    return limits;
  }

  /**
   * Refuses a request the model cannot run here, naming the cause: a prompt that leaves no room for
   * a new token in {@code maxContext}, token ids outside the vocabulary, images not matching their
   * grids.
   */
  public static void validate(QwenVL model, int maxContext, Request r) {
    int[] prompt = r.prompt();
    if (prompt.length + 1 > maxContext) {
      throw new IllegalArgumentException(
          "prompt of "
              + prompt.length
              + " tokens does not fit the context of "
              + maxContext
              + " tokens");
    }
    int vocab = model.config().text().vocabSize();
    for (int id : prompt) {
      if (id < 0 || id >= vocab) {
        throw new IllegalArgumentException(
            "token id " + id + " outside the vocabulary of " + vocab);
      }
    }
    model.validateImages(r.pixels(), r.grids());
  }

  /** Queues a request (checked first: bad input throws here); the future completes when it ends. */
  public CompletableFuture<Generation> submit(Request r) {
    validate(model, limits.maxContext(), r);
    CompletableFuture<Generation> result = new CompletableFuture<>();
    waiting.add(new Waiting(r, result, System.nanoTime()));
    return result;
  }

  /** Iterates until nothing waits or runs. */
  public void runUntilIdle() {
    while (iterate()) {
      // each iteration admits what fits and decodes one token of every running sequence
    }
  }

  /** One iteration: admit, then one decode step. False when there was nothing to do. */
  public boolean iterate() {
    if (waiting.isEmpty() && running.isEmpty()) {
      return false;
    }
    admit();
    if (!running.isEmpty()) {
      decodeStep();
    }
    return true;
  }

  /** Starts waiting requests while the batch has rows and the pool has blocks for them. */
  private void admit() {
    while (running.size() < limits.maxBatch()) {
      Waiting w = waiting.peek();
      if (w == null) {
        return;
      }
      KvCache cache;
      try {
        cache = pool.allocate(w.request().capacity(limits.maxContext()));
      } catch (IllegalArgumentException e) { // longer than the whole pool: can never run
        waiting.remove();
        w.result().completeExceptionally(e);
        continue;
      }
      if (cache == null) {
        return; // blocks free up as running sequences end
      }
      waiting.remove();
      start(w, cache);
    }
  }

  /** Vision tower, prefill and first token of a new sequence; it joins the batch unless done. */
  private void start(Waiting w, KvCache cache) {
    Request r = w.request();
    Sequence s = new Sequence(r, cache, w.result(), w.since());
    try {
      Buf logits;
      try (Buf image = model.encodeImages(r.pixels(), r.grids())) {
        s.visionDone = System.nanoTime();
        logits = decoder.prefill(cache, r.prompt(), r.grids(), image, false);
      }
      try (logits) {
        int row = running.size();
        selector.begin(row, r.prompt(), r.params().sampling());
        int token = selector.select(logits, row, 1)[0];
        s.prefillDone = System.nanoTime();
        if (s.take(token, logits, 0)) {
          s.finish();
        } else {
          running.add(s);
        }
      }
    } catch (RuntimeException e) {
      s.fail(e);
    }
  }

  /** One new token for every running sequence; those that stop leave the batch. */
  private void decodeStep() {
    int n = running.size();
    KvCache[] caches = new KvCache[n];
    int[] tokens = new int[n];
    for (int b = 0; b < n; b++) {
      caches[b] = running.get(b).cache;
      tokens[b] = running.get(b).last();
    }
    boolean[] done = new boolean[n];
    try {
      Buf logits = decoder.step(batch, caches, tokens);
      int[] next = selector.select(logits, 0, n);
      for (int b = 0; b < n; b++) {
        Sequence s = running.get(b);
        try {
          done[b] = s.take(next[b], logits, b);
          if (done[b]) {
            s.finish();
          }
        } catch (RuntimeException e) { // this sequence's listener or text decoder failed
          s.fail(e);
          done[b] = true;
        }
      }
    } catch (RuntimeException e) { // the step itself failed: every running sequence with it
      for (Sequence s : running) {
        s.fail(e);
      }
      running.clear();
      return;
    }
    // compact: the last row moves into each hole, so rows stay [0, n)
    for (int b = n - 1; b >= 0; b--) {
      if (done[b]) {
        int last = running.size() - 1;
        if (b != last) {
          running.set(b, running.get(last));
          selector.move(last, b);
        }
        running.remove(last);
      }
    }
  }

  /** Fails what is still waiting or running, then frees the batch, the pool and the selector. */
  @Override
  public void close() {
    IllegalStateException closed = new IllegalStateException("the scheduler was closed");
    for (Waiting w; (w = waiting.poll()) != null; ) {
      w.result().completeExceptionally(closed);
    }
    for (Sequence s : running) {
      s.fail(closed);
    }
    running.clear();
    selector.close();
    batch.close();
    pool.close();
  }

  /** A running request: its cache, its tokens so far, what it has streamed, and its clock. */
  private final class Sequence {
    final Request r;
    final KvCache cache;
    final CompletableFuture<Generation> result;
    final long submitted;
    final long admitted = System.nanoTime();
    long visionDone;
    long prefillDone;
    final StopStrings stops;
    final int[] out;
    int count;
    String emitted = "";
    Generation.StopReason reason = Generation.StopReason.MAX_TOKENS;

    Sequence(Request r, KvCache cache, CompletableFuture<Generation> result, long submitted) {
      this.r = r;
      this.cache = cache;
      this.result = result;
      this.submitted = submitted;
      this.stops = new StopStrings(r.params().stopStrings());
      this.out = new int[r.params().maxTokens()];
    }

    int last() {
      return out[count - 1];
    }

    /** Handles the token chosen from row {@code row} of logits; true when the sequence stops. */
    boolean take(int token, Buf logits, int row) {
      if (r.cancelled().getAsBoolean()) {
        reason = Generation.StopReason.CANCELLED;
        return true;
      }
      GenerationListener listener = r.listener();
      if (listener.wantsLogits()) {
        listener.onLogits(count, ops.read(logits, row, 1));
      }
      out[count++] = token;
      listener.onToken(count - 1, token);
      if (contains(r.params().stopTokenIds(), token)) {
        reason = Generation.StopReason.STOP_TOKEN;
        return true;
      }
      String full = text.decode(Arrays.copyOf(out, count));
      int stopAt = stops.find(full);
      String safe = stopAt >= 0 ? full.substring(0, stopAt) : stops.safePrefix(full);
      if (safe.length() > emitted.length() && safe.startsWith(emitted)) {
        listener.onText(safe.substring(emitted.length()));
        emitted = safe;
      }
      if (stopAt >= 0) {
        reason = Generation.StopReason.STOP_STRING;
        return true;
      }
      if (count == r.params().maxTokens()) {
        return true;
      }
      if (cache.length() == cache.capacity()) {
        reason = Generation.StopReason.CONTEXT_FULL;
        return true;
      }
      return false;
    }

    /** The answer (the rest of its text streamed), the cache given back, the future completed. */
    void finish() {
      long end = System.nanoTime();
      cache.close();
      int[] tokens = Arrays.copyOf(out, count);
      int textTokens = reason == Generation.StopReason.STOP_TOKEN ? count - 1 : count;
      String answer = text.decode(Arrays.copyOf(out, textTokens));
      int stopAt = stops.find(answer);
      if (stopAt >= 0) {
        answer = answer.substring(0, stopAt);
      }
      try {
        if (answer.length() > emitted.length() && answer.startsWith(emitted)) {
          r.listener().onText(answer.substring(emitted.length()));
        }
        result.complete(
            new Generation(
                tokens,
                answer,
                reason,
                r.prompt().length,
                visionDone - admitted,
                prefillDone - visionDone,
                end - prefillDone,
                admitted - submitted));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    }

    void fail(RuntimeException e) {
      cache.close();
      result.completeExceptionally(e);
    }
  }

  private static boolean contains(int[] ids, int id) {
    for (int i : ids) {
      if (i == id) {
        return true;
      }
    }
    return false;
  }
}
