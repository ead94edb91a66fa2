package dev.docproc.inference.ejb;

import dev.docproc.inference.ejb.InferenceStatus.State;
import dev.docproc.inference.engine.generate.Generation;
import dev.docproc.inference.engine.generate.GenerationListener;
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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
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
 * reason. One worker answers the queued questions one after the other: the engine uses every core
 * (or the whole GPU) for one question. Plain Java: the EJB {@link Inference} runs it on the
 * container's managed executor, tests on their own.
 */
public final class InferenceService implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(InferenceService.class.getName());
  private static final Duration STOP_WAIT = Duration.ofSeconds(30);
  private static final long POLL_MILLIS = 200;

  private record Request(
      PageQuestion question, long acceptedNanos, CompletableFuture<PageAnswer> answer) {}

  private final InferenceSettings settings;
  private final HubSettings hub;
  private final Executor executor;
  private final BlockingQueue<Request> queue;
  private final InferenceMetrics metrics = new InferenceMetrics();
  private final CountDownLatch workerStopped = new CountDownLatch(1);
  private final AtomicReference<String> download = new AtomicReference<>();
  private volatile boolean closing;

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
    Request request = new Request(question, System.nanoTime(), new CompletableFuture<>());
    if (!queue.offer(request)) {
      metrics.rejectedQueueFull();
      return CompletableFuture.failedFuture(
          new InferenceQueueFullException(settings.queueCapacity()));
    }
    metrics.accepted();
    if (closing) {
      failQueued(); // close() may have emptied the queue just before this question went in
    }
    return request.answer();
  }

  public synchronized InferenceStatus status() {
    return new InferenceStatus(
        state,
        settings.model(),
        revision,
        engine == null ? null : engine.backend(),
        reason(),
        since,
        queue.size(),
        settings.queueCapacity(),
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
    failQueued();
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

  private void work() {
    synchronized (this) {
      if (closing) {
        return; // close() found no running worker and freed the model
      }
      workerRunning = true;
    }
    try {
      while (!closing) {
        Request request = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
        if (request != null) {
          run(request);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      workerStopped.countDown();
    }
  }

  private void run(Request request) {
    CompletableFuture<PageAnswer> answer = request.answer();
    if (answer.isDone()) {
      metrics.cancelled(); // cancelled while it waited
      return;
    }
    long started = System.nanoTime();
    long[] firstToken = {0};
    GenerationListener listener =
        new GenerationListener() {
          @Override
          public void onToken(int step, int token) {
            if (step == 0) {
              firstToken[0] = System.nanoTime();
            }
          }
        };
    try {
      PageQuestion q = request.question();
      Generation g =
          engine.answer(q.image(), q.prompt(), listener, () -> closing || answer.isCancelled());
      if (g.stopReason() == Generation.StopReason.CANCELLED) {
        metrics.cancelled();
        answer.completeExceptionally(new CancellationException("cancelled while answering"));
        return;
      }
      long accepted = request.acceptedNanos();
      metrics.answered(
          g.promptTokens(),
          g.tokens().length,
          started - accepted,
          firstToken[0] - accepted,
          g.decodeNanos());
      answer.complete(
          new PageAnswer(
              g.text(),
              q.prompt(),
              g.promptTokens(),
              g.tokens().length,
              g.stopReason().name(),
              millis(started - accepted),
              millis(firstToken[0] - accepted),
              millis(System.nanoTime() - accepted),
              g.decodeTokensPerSecond(),
              settings.model(),
              revision));
    } catch (InvalidImageException | IllegalArgumentException | ChatTemplateException e) {
      metrics.failed();
      answer.completeExceptionally(new UnanswerableQuestionException(e.getMessage(), e));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "The inference engine failed on a question", e);
      metrics.failed();
      answer.completeExceptionally(e);
    } catch (OutOfMemoryError e) {
      metrics.failed();
      answer.completeExceptionally(
          new IllegalStateException(
              "the engine ran out of memory answering this page ("
                  + e.getMessage()
                  + "); give the server more heap (-Xmx)",
              e));
    }
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
      case STOPPED -> "the application is stopping";
    };
  }

  private void become(State next, String why) {
    state = next;
    failure = why;
    since = Instant.now();
  }

  private void failQueued() {
    for (Request r; (r = queue.poll()) != null; ) {
      r.answer()
          .completeExceptionally(
              new InferenceUnavailableException(State.STOPPED, "the application is stopping"));
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
