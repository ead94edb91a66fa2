package dev.docproc.inference.ejb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.docproc.inference.ejb.InferenceStatus.State;
import dev.docproc.inference.engine.model.HubSettings;
import dev.docproc.inference.engine.text.QwenTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inference service on the tiny reference model (tools/reference): the answer to a page image
 * equals what transformers generated; a model that cannot be had is reported with the engine's
 * reason and questions fail at once; the queue is bounded; waiting questions can be cancelled.
 */
class InferenceServiceTest {

  private static final Path REFERENCE = Path.of("src/test/resources/reference");
  private static final Path MODEL = REFERENCE.resolve("models/tiny-w4a16-g128-weight");
  private static final Path CASE = MODEL.resolve("cases/rgb-png.json");
  private static final Duration WAIT = Duration.ofSeconds(60);

  /** No network and an empty cache: a hub id can only be found in the cache. */
  @TempDir Path hubCache;

  private final ExecutorService threads = Executors.newCachedThreadPool();
  private InferenceService service;

  @AfterEach
  void close() {
    if (service != null) {
      service.close();
    }
    threads.shutdownNow();
  }

  private InferenceService start(
      String model, int maxTokens, int queueCapacity, Executor executor) {
    return start(
        model,
        maxTokens,
        queueCapacity,
        executor,
        new HubSettings(hubCache, "https://huggingface.co", null, true));
  }

  private InferenceService start(
      String model, int maxTokens, int queueCapacity, Executor executor, HubSettings hub) {
    service =
        new InferenceService(
            new InferenceSettings(model, casePrompt(), maxTokens, 4096, queueCapacity),
            hub,
            executor);
    service.start();
    return service;
  }

  private InferenceStatus awaitSettled() throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (service.status().state() == State.LOADING && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    return service.status();
  }

  @Test
  void thePageImageIsAnsweredAsTransformersAnsweredIt() throws Exception {
    JsonNode c = json(CASE);
    start(MODEL.toString(), 32, 4, threads);
    assertEquals(State.READY, awaitSettled().state(), () -> service.status().reason());

    PageAnswer answer = get(service.answer(new PageQuestion(caseImage(c), casePrompt())));

    // generation_config.json samples with top_k 1 after a repetition penalty of 1.05: the
    // reference's penalized greedy tokens; none is an end token, so all 32 are generated
    int[] expected = ints(c.get("penalized_greedy").get("tokens"));
    try (QwenTokenizer tokenizer = QwenTokenizer.load(MODEL.resolve("tokenizer.json"))) {
      assertEquals(tokenizer.decode(expected, true), answer.text());
    }
    assertEquals(expected.length, answer.answerTokens());
    assertEquals("MAX_TOKENS", answer.stopReason());
    assertEquals(c.get("input_ids").size(), answer.promptTokens());
    assertEquals(casePrompt(), answer.prompt());
    assertEquals(MODEL.toString(), answer.model());
    assertNull(answer.modelRevision(), "a directory has no hub revision");
    assertTrue(0 <= answer.queueMillis(), answer.toString());
    assertTrue(answer.queueMillis() <= answer.firstTokenMillis(), answer.toString());
    assertTrue(answer.firstTokenMillis() <= answer.totalMillis(), answer.toString());
    assertTrue(answer.tokensPerSecond() > 0, answer.toString());

    InferenceStatus status = service.status();
    assertEquals(1, status.metrics().accepted());
    assertEquals(1, status.metrics().answered());
    assertEquals(expected.length, status.metrics().answerTokens());
    assertEquals(answer.promptTokens(), status.metrics().promptTokens());
    assertTrue(status.metrics().tokensPerSecond() > 0);
    assertTrue(status.backend().startsWith("cpu"), status.backend());
  }

  @Test
  void aDirectoryThatIsNoModelIsUnavailableWithTheEnginesReason(@TempDir Path empty)
      throws Exception {
    start(empty.toString(), 8, 4, threads);

    InferenceStatus status = awaitSettled();

    assertEquals(State.UNAVAILABLE, status.state());
    assertTrue(
        status.reason().contains("a directory without config.json is not a model"),
        status.reason());
    assertUnavailable(State.UNAVAILABLE, status.reason());
  }

  @Test
  void aTruncatedCheckpointNamesTheFile(@TempDir Path copy) throws Exception {
    try (var files = Files.list(MODEL)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, copy.resolve(f.getFileName()));
      }
    }
    Path weights = copy.resolve("model.safetensors");
    byte[] bytes = Files.readAllBytes(weights);
    Files.write(weights, Arrays.copyOf(bytes, bytes.length / 2));
    start(copy.toString(), 8, 4, threads);

    InferenceStatus status = awaitSettled();

    assertEquals(State.UNAVAILABLE, status.state());
    assertTrue(status.reason().contains("model.safetensors"), status.reason());
  }

  @Test
  void theHubModelOfflineAndNotCachedSaysWhatIsMissingAndWhatToDo() throws Exception {
    start(InferenceSettings.DEFAULT_MODEL, 8, 4, threads);

    InferenceStatus status = awaitSettled();

    assertEquals(State.UNAVAILABLE, status.state());
    assertTrue(
        status
            .reason()
            .startsWith(
                "the model '" + InferenceSettings.DEFAULT_MODEL + "' could not be loaded: "),
        status.reason());
    assertTrue(status.reason().contains("HF_HUB_OFFLINE is set"), status.reason());
    assertTrue(status.reason().contains("missing config.json"), status.reason());
    assertTrue(status.reason().contains("HF_HOME"), status.reason());
    assertUnavailable(State.UNAVAILABLE, status.reason());
    assertEquals(1, service.status().metrics().rejectedUnavailable());
  }

  @Test
  void anUnreachableHubWithoutTheModelCachedSaysSo() throws Exception {
    HubSettings online = new HubSettings(hubCache, "http://127.0.0.1:1", null, false);
    start(InferenceSettings.DEFAULT_MODEL, 8, 4, threads, online);

    InferenceStatus status = awaitSettled();

    assertEquals(State.UNAVAILABLE, status.state());
    assertTrue(status.reason().contains("(hub unreachable: java.net."), status.reason());
    assertTrue(status.reason().contains("missing config.json"), status.reason());
  }

  @Test
  void whileTheModelLoadsQuestionsAreRefusedAtOnce() throws Exception {
    Tasks tasks = new Tasks();
    start(MODEL.toString(), 8, 4, tasks);

    InferenceStatus status = service.status();

    assertEquals(State.LOADING, status.state());
    assertEquals("loading the model '" + MODEL + "'", status.reason());
    assertUnavailable(State.LOADING, status.reason());
  }

  @Test
  void aFullQueueRefusesAtOnceAndClosingFailsTheWaitingQuestions() throws Exception {
    Tasks tasks = new Tasks();
    start(MODEL.toString(), 8, 1, tasks);
    tasks.runNext(); // loads; the worker is queued in tasks but does not run
    assertEquals(State.READY, service.status().state());
    byte[] image = caseImage(json(CASE));

    CompletionStage<PageAnswer> waiting = service.answer(new PageQuestion(image, "first"));
    CompletionStage<PageAnswer> refused = service.answer(new PageQuestion(image, "second"));

    assertInstanceOf(InferenceQueueFullException.class, failure(refused));
    assertEquals(1, service.status().queued());
    assertEquals(1, service.status().metrics().rejectedQueueFull());
    service.close();
    InferenceUnavailableException stopped =
        assertInstanceOf(InferenceUnavailableException.class, failure(waiting));
    assertEquals(State.STOPPED, stopped.state());
  }

  @Test
  void aCancelledQuestionIsSkippedAndTheNextOneAnswered() throws Exception {
    Tasks tasks = new Tasks();
    start(MODEL.toString(), 4, 4, tasks);
    tasks.runNext();
    byte[] image = caseImage(json(CASE));
    CompletionStage<PageAnswer> dropped = service.answer(new PageQuestion(image, "first"));
    CompletionStage<PageAnswer> kept = service.answer(new PageQuestion(image, "second"));

    dropped.toCompletableFuture().cancel(true);
    threads.execute(tasks::runNext); // the worker

    assertEquals("second", get(kept).prompt());
    assertEquals(1, service.status().metrics().cancelled());
    assertEquals(1, service.status().metrics().answered());
  }

  @Test
  void anUndecodableImageIsUnanswerableAndTheEngineGoesOn() throws Exception {
    start(MODEL.toString(), 4, 4, threads);
    assertEquals(State.READY, awaitSettled().state());

    Throwable bad =
        failure(service.answer(new PageQuestion("not an image".getBytes(), casePrompt())));

    assertInstanceOf(UnanswerableQuestionException.class, bad);
    assertTrue(bad.getMessage().startsWith("unrecognised image data"), bad.getMessage());
    assertEquals(
        4,
        get(service.answer(new PageQuestion(caseImage(json(CASE)), casePrompt()))).answerTokens());
    assertEquals(1, service.status().metrics().failed());
  }

  private void assertUnavailable(State state, String reason) throws InterruptedException {
    Throwable refused = failure(service.answer(new PageQuestion(new byte[] {1}, "any")));
    InferenceUnavailableException e =
        assertInstanceOf(InferenceUnavailableException.class, refused);
    assertEquals(state, e.state());
    assertEquals("The inference engine is not ready: " + reason, e.getMessage());
  }

  /** Tasks handed to the executor, run when the test says. */
  private static final class Tasks implements Executor {
    private final Deque<Runnable> queued = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable task) {
      queued.add(task);
    }

    void runNext() {
      Runnable next;
      synchronized (this) {
        next = queued.poll();
      }
      next.run();
    }
  }

  private static PageAnswer get(CompletionStage<PageAnswer> answer) throws Exception {
    return answer.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private static Throwable failure(CompletionStage<PageAnswer> answer) throws InterruptedException {
    CompletableFuture<PageAnswer> future = answer.toCompletableFuture();
    ExecutionException e =
        assertThrows(
            ExecutionException.class, () -> future.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    return e.getCause();
  }

  private static String casePrompt() {
    return json(CASE).get("messages").get(0).get("content").get(1).get("text").asText();
  }

  private static byte[] caseImage(JsonNode c) throws IOException {
    return Files.readAllBytes(REFERENCE.resolve(c.get("image").asText()));
  }

  private static JsonNode json(Path file) {
    try {
      return new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }
}
