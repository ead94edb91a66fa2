package dev.docproc.inference.ejb;

import dev.docproc.inference.engine.QwenVL;
import dev.docproc.inference.engine.compute.Ops;
import dev.docproc.inference.engine.compute.Taps;
import dev.docproc.inference.engine.compute.cpu.CpuOps;
import dev.docproc.inference.engine.generate.Generation;
import dev.docproc.inference.engine.generate.GenerationListener;
import dev.docproc.inference.engine.generate.Generator;
import dev.docproc.inference.engine.generate.SamplingParams;
import dev.docproc.inference.engine.processor.Prompt;
import dev.docproc.inference.engine.processor.QwenVLProcessor;
import dev.docproc.inference.engine.text.ChatMessage;
import dev.docproc.inference.engine.vision.preprocess.ImageInput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The one engine of a process: processor (chat template, tokenizer, image preprocessing), model on
 * its compute backend, and the generate loop, all opened from one model directory.
 */
final class LoadedEngine implements AutoCloseable {

  private final QwenVLProcessor processor;
  private final Ops ops;
  private final QwenVL model;
  private final Generator generator;
  private final SamplingParams sampling;

  private LoadedEngine(
      QwenVLProcessor processor, Ops ops, QwenVL model, InferenceSettings settings) {
    this.processor = processor;
    this.ops = ops;
    this.model = model;
    this.generator =
        new Generator(
            model, ops, ids -> processor.tokenizer().decode(ids, true), settings.maxContext());
    this.sampling = settings.sampling(model.generationConfig());
  }

  static LoadedEngine open(Path dir, InferenceSettings settings) throws IOException {
    QwenVLProcessor processor = QwenVLProcessor.load(dir);
    Ops ops = null;
    try {
      ops = CpuOps.create();
      return new LoadedEngine(processor, ops, QwenVL.load(dir, ops, Taps.OFF), settings);
    } catch (RuntimeException | Error e) {
      if (ops != null) {
        ops.close();
      }
      processor.close();
      throw e;
    }
  }

  String backend() {
    return ops.name();
  }

  /** The user turn: the page image, then the instruction; the template adds the system turn. */
  Generation answer(
      byte[] image, String prompt, GenerationListener listener, BooleanSupplier cancelled) {
    Prompt input =
        processor.prepare(
            List.of(ChatMessage.of("user", ChatMessage.image(), ChatMessage.text(prompt))),
            List.of(ImageInput.of(image)));
    return generator.generate(
        input.inputIds(), input.pixelValues(), input.grids(), sampling, listener, cancelled);
  }

  @Override
  public void close() {
    model.close();
    ops.close();
    processor.close();
  }
}
