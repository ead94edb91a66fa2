package dev.docproc.inference.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.docproc.gpu.CudaException;
import dev.docproc.gpu.MemoryPlan;
import dev.docproc.inference.engine.Engine;
import dev.docproc.inference.engine.QwenVL;
import dev.docproc.inference.engine.compute.Backend;
import dev.docproc.inference.engine.compute.Ops;
import dev.docproc.inference.engine.compute.Taps;
import dev.docproc.inference.engine.generate.Generation;
import dev.docproc.inference.engine.generate.GenerationListener;
import dev.docproc.inference.engine.generate.Generator;
import dev.docproc.inference.engine.generate.SamplingParams;
import dev.docproc.inference.engine.model.DownloadProgress;
import dev.docproc.inference.engine.model.HubSettings;
import dev.docproc.inference.engine.model.ModelFormatException;
import dev.docproc.inference.engine.model.ModelRepository;
import dev.docproc.inference.engine.processor.Prompt;
import dev.docproc.inference.engine.processor.QwenVLProcessor;
import dev.docproc.inference.engine.text.ChatMessage;
import dev.docproc.inference.engine.vision.preprocess.ImageInput;
import dev.docproc.inference.engine.vision.preprocess.InvalidImageException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine on the command line: one question about one image, the answer streamed to stdout.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -jar ejb-inference/target/docproc-engine.jar \
 *   --model DIR|HUB_ID --image FILE --prompt TEXT [--max-tokens N] [--json] [--dump FILE]
 * </pre>
 */
public final class Main {
  private static final String USAGE =
      """
      usage: docproc-engine --model DIR|HUB_ID [--image FILE] --prompt TEXT [options]
        --max-tokens N          new tokens at most (default 256)
        --json                  print one JSON object (answer, tokens, timings) instead of text
        --dump FILE             write greedy token ids and the top-k logits of every step as JSON
                                (implies --greedy)
        --dump-top-k K          logits kept per step in the dump (default 10)
        --greedy                argmax decoding (default: the model's generation_config.json)
        --temperature T --top-k K --top-p P --seed S --repetition-penalty R
                                sampling settings (override generation_config.json)
        --stop TEXT             stop string (repeatable)
        --max-context N         KV cache limit in tokens (default 32768)
        --threads N             CPU threads (default: all)
        --compute auto|cpu|cuda backend (default: docproc.compute, else auto: CUDA when a usable
                                GPU is there)
        --taps REGEX --taps-out DIR
                                write intermediates whose tap names match (e.g. 'decoder\\.0\\..*')
      environment: HF_HOME, HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE as for Hugging Face tools
      """;

  private Main() {}

  public static void main(String[] args) {
    System.exit(
        execute(
            args,
            new PrintStream(System.out, true, StandardCharsets.UTF_8),
            new PrintStream(System.err, true, StandardCharsets.UTF_8)));
  }

  /** Runs the command line; returns the exit code (0 answered, 1 failed, 2 bad usage). */
  static int execute(String[] args, PrintStream out, PrintStream err) {
    try {
      return run(Options.parse(args), out, err);
    } catch (UsageException e) {
      err.println("error: " + e.getMessage());
      err.print(USAGE);
      return 2;
    } catch (ModelFormatException
        | InvalidImageException
        | IllegalArgumentException
        | IllegalStateException
        | MemoryPlan.InsufficientDeviceMemoryException
        | CudaException
        | IOException e) {
      err.println("error: " + e.getMessage());
      return 1;
    } catch (OutOfMemoryError e) {
      err.println(
          "error: out of memory ("
              + e.getMessage()
              + "); give the JVM more with -Xmx or use a smaller image / --max-context");
      return 1;
    }
  }

  static int run(Options o, PrintStream out, PrintStream err) throws IOException {
    if (o.threads > 0) {
      System.setProperty("docproc.cpu.threads", Integer.toString(o.threads));
    }
    Path dir =
        new ModelRepository(HubSettings.fromEnvironment(), DownloadProgress.bar(err))
            .resolve(o.model);
    Taps taps = o.tapsRegex == null ? Taps.OFF : Taps.matching(o.tapsRegex);
    Engine.Settings settings =
        Engine.Settings.fromSystemProperties()
            .with(o.compute != null ? o.compute : Backend.setting(), o.maxContext, 1);
    try (QwenVLProcessor processor = QwenVLProcessor.load(dir);
        Engine engine = Engine.open(dir, settings, taps)) {
      QwenVL model = engine.model();
      Ops ops = engine.ops();
      List<ChatMessage.Part> parts = new ArrayList<>();
      List<ImageInput> images = new ArrayList<>();
      if (o.image != null) {
        parts.add(ChatMessage.image());
        images.add(ImageInput.of(Files.readAllBytes(o.image)));
      }
      parts.add(ChatMessage.text(o.prompt));
      Prompt prompt =
          processor.prepare(
              List.of(ChatMessage.of("user", parts.toArray(ChatMessage.Part[]::new))), images);
      SamplingParams params = o.sampling(model);
      Dump dump = o.dumpFile == null ? null : new Dump(o.dumpTopK);
      GenerationListener listener =
          new GenerationListener() {
            @Override
            public boolean wantsLogits() {
              return dump != null;
            }

            @Override
            public void onLogits(int step, float[] logits) {
              if (dump != null) {
                dump.logits(logits);
              }
            }

            @Override
            public void onToken(int step, int token) {
              if (dump != null) {
                dump.token(token);
              }
            }

            @Override
            public void onText(String delta) {
              if (!o.json) {
                out.print(delta);
                out.flush();
              }
            }
          };
      Generator generator = engine.generator(ids -> processor.tokenizer().decode(ids, true));
      Generation g =
          generator.generate(
              prompt.inputIds(),
              prompt.pixelValues(),
              prompt.grids(),
              params,
              listener,
              () -> false);
      if (o.json) {
        out.println(result(g, model, ops));
      } else {
        out.println();
      }
      if (dump != null) {
        dump.write(o.dumpFile, prompt.inputIds(), model.dir().toString());
      }
      if (o.tapsOut != null) {
        writeTaps(taps, o.tapsOut);
      }
      return 0;
    }
  }

  private static String result(Generation g, QwenVL model, Ops ops) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode r = json.createObjectNode();
    r.put("model", model.dir().toString()).put("backend", ops.name());
    r.put("answer", g.text()).put("stop_reason", g.stopReason().name().toLowerCase());
    ArrayNode tokens = r.putArray("tokens");
    for (int t : g.tokens()) {
      tokens.add(t);
    }
    r.put("prompt_tokens", g.promptTokens());
    r.put("vision_seconds", g.visionNanos() / 1e9).put("prefill_seconds", g.prefillNanos() / 1e9);
    r.put("decode_seconds", g.decodeNanos() / 1e9);
    r.put("decode_tokens_per_second", g.decodeTokensPerSecond());
    return json.writeValueAsString(r);
  }

  private static void writeTaps(Taps taps, Path dir) throws IOException {
    Files.createDirectories(dir);
    for (var e : taps.recorded().entrySet()) {
      java.nio.ByteBuffer b =
          java.nio.ByteBuffer.allocate(e.getValue().length * 4)
              .order(java.nio.ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().put(e.getValue());
      Files.write(dir.resolve(e.getKey() + ".f32"), b.array());
    }
  }
}
