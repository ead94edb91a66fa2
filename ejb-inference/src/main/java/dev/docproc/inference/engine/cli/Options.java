package dev.docproc.inference.engine.cli;

import dev.docproc.inference.engine.QwenVL;
import dev.docproc.inference.engine.generate.SamplingParams;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line of {@link Main}, parsed and checked. */
final class Options {
  String model;
  Path image;
  String prompt;
  int maxTokens = 256;
  boolean json;
  Path dumpFile;
  int dumpTopK = 10;
  boolean greedy;
  Float temperature;
  Integer topK;
  Float topP;
  Long seed;
  Float repetitionPenalty;
  final List<String> stops = new ArrayList<>();
  int maxContext = 32768;
  int threads;
  String compute;
  String tapsRegex;
  Path tapsOut;

  static Options parse(String[] args) {
    Options o = new Options();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--json") || a.equals("--greedy")) {
        o.json |= a.equals("--json");
        o.greedy |= a.equals("--greedy");
        continue;
      }
      if (i + 1 >= args.length) {
        throw new UsageException(a + " needs a value");
      }
      String v = args[++i];
      switch (a) {
        case "--model" -> o.model = v;
        case "--image" -> o.image = Path.of(v);
        case "--prompt" -> o.prompt = v;
        case "--max-tokens" -> o.maxTokens = positive(a, v);
        case "--dump" -> o.dumpFile = Path.of(v);
        case "--dump-top-k" -> o.dumpTopK = positive(a, v);
        case "--temperature" -> o.temperature = number(a, v);
        case "--top-k" -> o.topK = (int) (float) number(a, v);
        case "--top-p" -> o.topP = number(a, v);
        case "--seed" -> o.seed = (long) (float) number(a, v);
        case "--repetition-penalty" -> o.repetitionPenalty = number(a, v);
        case "--stop" -> o.stops.add(v);
        case "--max-context" -> o.maxContext = positive(a, v);
        case "--threads" -> o.threads = positive(a, v);
        case "--compute" -> o.compute = v;
        case "--taps" -> o.tapsRegex = v;
        case "--taps-out" -> o.tapsOut = Path.of(v);
        default -> throw new UsageException("unknown option " + a);
      }
    }
    if (o.model == null || o.prompt == null) {
      throw new UsageException("--model and --prompt are required");
    }
    if (o.image != null && !Files.isReadable(o.image)) {
      throw new UsageException("--image " + o.image + ": no such readable file");
    }
    if ((o.tapsRegex == null) != (o.tapsOut == null)) {
      throw new UsageException("--taps and --taps-out go together");
    }
    return o;
  }

  private static int positive(String option, String v) {
    try {
      int n = Integer.parseInt(v);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through to the usage error
    }
    throw new UsageException(option + " wants a positive integer, got '" + v + "'");
  }

  private static float number(String option, String v) {
    try {
      return Float.parseFloat(v);
    } catch (NumberFormatException e) {
      throw new UsageException(option + " wants a number, got '" + v + "'");
    }
  }

  /** generation_config.json, then the options given; a dump is always plain greedy. */
  SamplingParams sampling(QwenVL model) {
    SamplingParams p = SamplingParams.defaults(model.generationConfig(), maxTokens);
    if (dumpFile != null) {
      return SamplingParams.greedy(maxTokens, p.stopTokenIds()).withStopStrings(stops);
    }
    if (repetitionPenalty != null) {
      p = p.withRepetitionPenalty(repetitionPenalty);
    }
    if (greedy) {
      p = p.withGreedy();
    } else if (temperature != null || topK != null || topP != null || seed != null) {
      p =
          p.withSampling(
              temperature != null ? temperature : p.temperature(),
              topK != null ? topK : p.topK(),
              topP != null ? topP : p.topP(),
              seed != null ? seed : p.seed());
    }
    return p.withStopStrings(stops);
  }
}
