package dev.docproc.inference.ejb;

import dev.docproc.gpu.CudaAvailability;
import dev.docproc.inference.engine.Engine;
import dev.docproc.inference.engine.compute.Backend;
import dev.docproc.inference.engine.compute.Taps;
import dev.docproc.inference.engine.generate.GenerationListener;
import dev.docproc.inference.engine.generate.Request;
import dev.docproc.inference.engine.generate.SamplingParams;
import dev.docproc.inference.engine.generate.Scheduler;
import dev.docproc.inference.engine.processor.Prompt;
import dev.docproc.inference.engine.processor.QwenVLProcessor;
import dev.docproc.inference.engine.text.ChatMessage;
import dev.docproc.inference.engine.vision.preprocess.ImageInput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The one engine of a process: processor (chat template, tokenizer, image preprocessing) and the
 * model on the backend {@link Engine} chose (a usable GPU, else the CPU; logged once), opened from
 * one model directory.
 */
final class LoadedEngine implements AutoCloseable {

  private final QwenVLProcessor processor;
  private final Engine engine;
  private final SamplingParams sampling;

  private LoadedEngine(QwenVLProcessor processor, Engine engine, InferenceSettings settings) {
    this.processor = processor;
    this.engine = engine;
    this.sampling = settings.sampling(engine.model().generationConfig());
  }

  static LoadedEngine open(Path dir, InferenceSettings settings) throws IOException {
    QwenVLProcessor processor = QwenVLProcessor.load(dir);
    try {
      Backend.Choice choice = Backend.choose(settings.compute(), CudaAvailability::probe);
      Engine engine = Engine.open(dir, choice, settings.engine(choice.kind()), Taps.OFF);
      return new LoadedEngine(processor, engine, settings);
    } catch (RuntimeException | Error e) {
      processor.close();
      throw e;
    }
  }

  /** The backend in words, e.g. "cpu (Vector API, 2 threads)". */
  String backend() {
    return engine.ops().name();
  }

  /** Why this backend runs the model, e.g. "no usable GPU: no NVIDIA driver on this machine …". */
  String backendReason() {
    return engine.backend().reason();
  }

  int maxBatch() {
    return engine.limits().maxBatch();
  }

  /** A scheduler over this engine, for the one thread that runs it. */
  Scheduler scheduler() {
    return engine.scheduler(ids -> processor.tokenizer().decode(ids, true));
  }

  /**
   * The request for a page question: the user turn is the page image, then the instruction (the
   * template adds the system turn); sampling as configured.
   */
  Request request(
      byte[] image, String prompt, GenerationListener listener, BooleanSupplier cancelled) {
    Prompt input =
        processor.prepare(
            List.of(ChatMessage.of("user", ChatMessage.image(), ChatMessage.text(prompt))),
            List.of(ImageInput.of(image)));
    return new Request(
        input.inputIds(), input.pixelValues(), input.grids(), sampling, listener, cancelled);
  }

  @Override
  public void close() {
    engine.close();
    processor.close();
  }
}
