package dev.docproc.inference.ejb;

import dev.docproc.inference.ejb.InferenceStatus.State;
import dev.docproc.inference.engine.generate.Generation;
import dev.docproc.inference.engine.generate.GenerationListener;
import dev.docproc.inference.engine.generate.Scheduler;
import dev.docproc.inference.engine.model.DownloadProgress;
import dev.docproc.inference.engine.model.HubSettings;
import dev.docproc.inference.engine.model.ModelFormatException;
import dev.docproc.inference.engine.model.ModelRepository;
import dev.docproc.inference.engine.text.ChatTemplateException;
import dev.docproc.inference.engine.vision.preprocess.InvalidImageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The inference engine of this process behind a bounded queue. {@link #start()} loads the model in
 * the background; until it is loaded, or if it cannot be, questions are refused at once with the
 * reason. One worker thread runs the engine: it feeds the queued questions to the engine's
 * continuous-batching {@link Scheduler}, up to {@code max-batch} at a time (one on the CPU, whose
 * one question already uses every core), and no caller's thread ever waits on the engine. Plain
 * Java: the EJB {@link Inference} runs it on the container's managed executor, tests on their own.
 */
public final class InferenceService implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(InferenceService.class.getName());
  private static final Duration STOP_WAIT = Duration.ofSeconds(30);
  private static final long POLL_MILLIS = 200;
  private static final String STOPPING = "the application is stopping";

  /** A question taken in, and the answer its caller holds. */
  private record Question(
      PageQuestion question, long acceptedNanos, CompletableFuture<PageAnswer> answer) {}

  /** A question handed to the scheduler: its generation, and when its first token came. */
  private static final class Answering implements GenerationListener {
    final Question question;
    final long handedOver;
    CompletableFuture<Generation> generation;
    long firstToken;

    Answering(Question question, long handedOver) {
      this.question = question;
      this.handedOver = handedOver;
    }

    Question question() {
      return question;
    }

    @Override
    public void onToken(int step, int token) {
      if (step == 0) {
        firstToken = System.nanoTime();
      }
    }
  }

  private final InferenceSettings settings;
  private final HubSettings hub;
  private final Executor executor;
  private final BlockingQueue<Question> queue;
  private final InferenceMetrics metrics = new InferenceMetrics();
  private final CountDownLatch workerStopped = new CountDownLatch(1);
  private final AtomicReference<String> download = new AtomicReference<>();
  private volatile boolean closing;
  private volatile int answering; // questions in the running batch

  // guarded by this
  private State state = State.LOADING;
  private String failure;
  private Instant since = Instant.now();
  private LoadedEngine engine;
  private String revision;
  private boolean workerRunning;

  /**
   * @param hub where a hub id is looked up and downloaded from ({@link
   *     HubSettings#fromEnvironment})
   * @param executor runs the loading and the worker, each a long-running task
   */
  public InferenceService(InferenceSettings settings, HubSettings hub, Executor executor) {
    this.settings = settings;
    this.hub = hub;
    this.executor = executor;
    this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
  }

  /** Starts loading the model; returns at once. */
  public void start() {
    executor.execute(this::load);
  }

  /**
   * Queues a question. The answer completes on the worker; it fails with {@link
   * InferenceUnavailableException} at once unless the engine is READY, with {@link
   * InferenceQueueFullException} at once if the queue is full, with {@link
   * UnanswerableQuestionException} if the question cannot be answered as asked. Cancelling the
   * returned stage's future drops a waiting question and stops a running generation.
   */
  public CompletionStage<PageAnswer> answer(PageQuestion question) {
    State current;
    String reason;
    synchronized (this) {
      current = state;
      reason = reason();
    }
    if (current != State.READY) {
      metrics.rejectedUnavailable();
      return CompletableFuture.failedFuture(new InferenceUnavailableException(current, reason));
    }
    Question request = new Question(question, System.nanoTime(), new CompletableFuture<>());
    if (!queue.offer(request)) {
      metrics.rejectedQueueFull();
      return CompletableFuture.failedFuture(
          new InferenceQueueFullException(settings.queueCapacity()));
    }
    metrics.accepted();
    if (closing) {
      failQueued(
          State.STOPPED,
          STOPPING); // close() may have emptied the queue just before this question went in
    }
    return request.answer();
  }

  public synchronized InferenceStatus status() {
    return new InferenceStatus(
        state,
        settings.model(),
        revision,
        engine == null ? null : engine.backend(),
        engine == null ? null : engine.backendReason(),
        engine == null ? null : engine.maxBatch(),
        reason(),
        since,
        queue.size(),
        settings.queueCapacity(),
        answering,
        metrics.snapshot());
  }

  /** Refuses new questions, fails the waiting ones, lets a running one stop, frees the model. */
  @Override
  public void close() {
    boolean waitForWorker;
    synchronized (this) {
      if (closing) {
        return;
      }
      closing = true;
      become(State.STOPPED, null);
      waitForWorker = workerRunning;
    }
    failQueued(State.STOPPED, STOPPING);
    try {
      if (waitForWorker && !workerStopped.await(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warning("The inference worker did not stop within " + STOP_WAIT + "; model left open");
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    LoadedEngine open;
    synchronized (this) {
      open = engine;
      engine = null;
    }
    if (open != null) {
      open.close();
    }
  }

  private void load() {
    LoadedEngine loaded;
    String loadedRevision;
    try {
      Path dir = new ModelRepository(hub, downloadProgress()).resolve(settings.model());
      loadedRevision = isDirectory(settings.model()) ? null : dir.getFileName().toString();
      loaded = LoadedEngine.open(dir, settings);
    } catch (IOException | RuntimeException | LinkageError | OutOfMemoryError e) {
      // LinkageError: a native library (tokenizer) that cannot be loaded in this process
      String reason = "the model '" + settings.model() + "' could not be loaded: " + messageOf(e);
      boolean expected = e instanceof IOException || e instanceof ModelFormatException;
      LOG.log(Level.WARNING, "Inference engine unavailable: " + reason, expected ? null : e);
      synchronized (this) {
        if (!closing) {
          become(State.UNAVAILABLE, reason);
        }
      }
      return;
    }
    synchronized (this) {
      if (closing) {
        loaded.close();
        return;
      }
      engine = loaded;
      revision = loadedRevision;
      become(State.READY, null);
    }
    LOG.info(
        () ->
            "Inference engine ready: "
                + settings.model()
                + (loadedRevision == null ? "" : " @" + loadedRevision)
                + " on "
                + loaded.backend());
    try {
      executor.execute(this::work);
    } catch (RejectedExecutionException e) {
      synchronized (this) {
        become(State.UNAVAILABLE, "no thread for the inference worker: " + e.getMessage());
      }
    }
  }

  /**
   * The worker: the one thread that runs the engine. It hands queued questions to the scheduler
   * while the batch has a free row and iterates the scheduler (admit, one decode step for every
   * running question) while any question is in it, so questions join and leave a running batch.
   */
  private void work() {
    LoadedEngine loaded;
    synchronized (this) {
      if (closing) {
        return; // close() found no running worker and freed the model
      }
      workerRunning = true;
      loaded = engine;
    }
    List<Answering> batch = new ArrayList<>();
    Scheduler scheduler = null;
    RuntimeException end = new InferenceUnavailableException(State.STOPPED, STOPPING);
    try {
      scheduler = loaded.scheduler();
      while (!closing) {
        handOver(loaded, scheduler, batch);
        if (!batch.isEmpty()) {
          metrics.answering(batch.size());
          try {
            scheduler.iterate();
          } catch (RuntimeException | OutOfMemoryError e) {
            failBatch(batch, e); // a step that failed leaves the batch in an unknown state
            scheduler.close();
            scheduler = null; // closed once, also when no new one can be made
            scheduler = loaded.scheduler();
          }
          finishDone(batch);
        }
        answering = batch.size();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) { // no scheduler to be had: useless until a restart
      String reason = "the inference worker stopped: " + messageOf(e);
      LOG.log(Level.SEVERE, "Inference engine unavailable: " + reason, e);
      synchronized (this) {
        if (!closing) {
          become(State.UNAVAILABLE, reason);
        }
      }
      end = new InferenceUnavailableException(State.UNAVAILABLE, reason);
      failQueued(State.UNAVAILABLE, reason);
    } finally {
      for (Answering a : batch) {
        a.question().answer().completeExceptionally(end);
      }
      answering = 0;
      if (scheduler != null) {
        scheduler.close();
      }
      workerStopped.countDown();
    }
  }

  private void failBatch(List<Answering> batch, Throwable e) {
    LOG.log(Level.WARNING, "The inference engine failed on " + batch.size() + " question(s)", e);
    RuntimeException failure = engineFailure(e);
    for (Answering a : batch) {
      metrics.failed();
      a.question().answer().completeExceptionally(failure);
    }
    batch.clear();
  }

  /**
   * Moves queued questions into the scheduler while the batch has a free row; waits a little for
   * one when nothing is being answered.
   */
  private void handOver(LoadedEngine loaded, Scheduler scheduler, List<Answering> batch)
      throws InterruptedException {
    while (batch.size() < loaded.maxBatch() && !closing) {
      Question q = batch.isEmpty() ? queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS) : queue.poll();
      if (q == null) {
        return;
      }
      if (q.answer().isDone()) {
        if (q.answer().isCancelled()) {
          metrics.cancelled(); // cancelled while it waited
        }
        continue;
      }
      Answering a = new Answering(q, System.nanoTime());
      try {
        PageQuestion pq = q.question();
        a.generation =
            scheduler.submit(
                loaded.request(
                    pq.image(), pq.prompt(), a, () -> closing || q.answer().isCancelled()));
        batch.add(a);
      } catch (InvalidImageException | IllegalArgumentException | ChatTemplateException e) {
        metrics.failed();
        q.answer().completeExceptionally(new UnanswerableQuestionException(e.getMessage(), e));
      } catch (OutOfMemoryError e) {
        metrics.failed();
        q.answer().completeExceptionally(engineFailure(e));
      }
    }
  }

  /** Completes the answers of the questions the scheduler is done with; they leave the batch. */
  private void finishDone(List<Answering> batch) {
    for (Iterator<Answering> it = batch.iterator(); it.hasNext(); ) {
      Answering a = it.next();
      if (a.generation.isDone()) {
        it.remove();
        finish(a);
      }
    }
  }

  private void finish(Answering a) {
    CompletableFuture<PageAnswer> answer = a.question().answer();
    Generation g;
    try {
      g = a.generation.join();
    } catch (CompletionException e) {
      metrics.failed();
      if (e.getCause() instanceof IllegalArgumentException cause) { // e.g. longer than the KV pool
        answer.completeExceptionally(new UnanswerableQuestionException(cause.getMessage(), cause));
      } else {
        LOG.log(Level.WARNING, "The inference engine failed on a question", e.getCause());
        answer.completeExceptionally(e.getCause());
      }
      return;
    }
    if (g.stopReason() == Generation.StopReason.CANCELLED) {
      metrics.cancelled();
      answer.completeExceptionally(new CancellationException("cancelled while answering"));
      return;
    }
    long accepted = a.question().acceptedNanos();
    // waiting: in the queue, then for a place in the running batch
    long queued = a.handedOver - accepted + g.waitNanos();
    long firstToken = a.firstToken - accepted;
    metrics.answered(g.promptTokens(), g.tokens().length, queued, firstToken, g.decodeNanos());
    PageQuestion q = a.question().question();
    answer.complete(
        new PageAnswer(
            g.text(),
            q.prompt(),
            g.promptTokens(),
            g.tokens().length,
            g.stopReason().name(),
            millis(queued),
            millis(firstToken),
            millis(System.nanoTime() - accepted),
            g.decodeTokensPerSecond(),
            settings.model(),
            revision));
  }

  /** What the questions the engine failed on learn: what went wrong, and for memory what to do. */
  private static RuntimeException engineFailure(Throwable e) {
    if (e instanceof OutOfMemoryError) {
      return new IllegalStateException(
          "the engine ran out of memory answering this page ("
              + e.getMessage()
              + "); give the server more heap (-Xmx) or lower docproc.inference.max-batch",
          e);
    }
    return e instanceof RuntimeException r ? r : new IllegalStateException(e);
  }

  /** Why the engine is not READY, in words; null when it is. Holds this. */
  private String reason() {
    return switch (state) {
      case READY -> null;
      case LOADING -> {
        String progress = download.get();
        yield "loading the model '"
            + settings.model()
            + "'"
            + (progress == null ? "" : " (" + progress + ")");
      }
      case UNAVAILABLE -> failure;
      case STOPPED -> STOPPING;
    };
  }

  private void become(State next, String why) {
    state = next;
    failure = why;
    since = Instant.now();
  }

  private void failQueued(State why, String reason) {
    for (Question q; (q = queue.poll()) != null; ) {
      q.answer().completeExceptionally(new InferenceUnavailableException(why, reason));
    }
  }

  private DownloadProgress downloadProgress() {
    return new DownloadProgress() {
      @Override
      public void update(String file, long done, long total) {
        download.set(
            String.format("downloading %s: %.0f of %.0f MB", file, done / 1e6, total / 1e6));
      }

      @Override
      public void finished(String file, long total) {
        download.set("downloaded " + file);
      }
    };
  }

  /** Whether the model setting names a directory, as ModelRepository decides. */
  private static boolean isDirectory(String model) {
    try {
      return Files.isDirectory(Path.of(model));
    } catch (InvalidPathException e) {
      return false;
    }
  }

  private static String messageOf(Throwable e) {
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
