package dev.docproc.inference.ejb;

import dev.docproc.inference.engine.generate.SamplingParams;
import dev.docproc.inference.engine.model.GenerationConfig;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Settings of the inference engine: every key, its meaning, default and check in one place. Keys
 * are MicroProfile Config names; each can also be set as an environment variable (upper case, dots
 * and dashes as underscores, e.g. {@code DOCPROC_INFERENCE_MODEL}). Sampling defaults come from the
 * model's {@code generation_config.json}; the {@code docproc.inference.sampling.*} keys override
 * them one by one.
 */
@ApplicationScoped
public class InferenceSettings {

  /** The checkpoint the platform is built for. */
  public static final String DEFAULT_MODEL = "neuralmagic/Qwen2.5-VL-3B-Instruct-quantized.w4a16";

  /** What the pipeline asks about every page unless configured otherwise. */
  public static final String DEFAULT_PROMPT =
      "Extract the invoice on this page as JSON with the keys invoice_number, invoice_date,"
          + " due_date, seller, buyer, currency, line_items (description, quantity, unit_price,"
          + " amount), subtotal, tax, total. Use null for anything the page does not show."
          + " Answer with the JSON only.";

  /**
   * A model directory in the Hugging Face layout, or a hub id ({@code org/name[@revision]})
   * resolved through the Hugging Face cache ({@code HF_HOME}, {@code HF_HUB_CACHE}) and downloaded
   * when online ({@code HF_HUB_OFFLINE} forbids it, {@code HF_TOKEN} authenticates).
   */
  @Inject
  @ConfigProperty(name = "docproc.inference.model", defaultValue = DEFAULT_MODEL)
  String model;

  /** The instruction asked about each page, after the page image in one user turn. */
  @Inject
  @ConfigProperty(name = "docproc.inference.prompt", defaultValue = DEFAULT_PROMPT)
  String prompt;

  /** New tokens per answer at most. */
  @Inject
  @ConfigProperty(name = "docproc.inference.max-tokens", defaultValue = "1024")
  int maxTokens;

  /**
   * Most positions of one sequence (prompt with image tokens plus answer): bounds the KV cache. A
   * page at the default pixel budget is 1280 image tokens.
   */
  @Inject
  @ConfigProperty(name = "docproc.inference.max-context", defaultValue = "8192")
  int maxContext;

  /** Questions that may wait for the engine; more are refused until some are answered. */
  @Inject
  @ConfigProperty(name = "docproc.inference.queue-capacity", defaultValue = "16")
  int queueCapacity;

  /** Argmax decoding instead of sampling (generation_config.json: do_sample false). */
  @Inject
  @ConfigProperty(name = "docproc.inference.sampling.greedy")
  Optional<Boolean> greedy;

  @Inject
  @ConfigProperty(name = "docproc.inference.sampling.temperature")
  Optional<Float> temperature;

  /** 0 disables top-k. */
  @Inject
  @ConfigProperty(name = "docproc.inference.sampling.top-k")
  Optional<Integer> topK;

  /** 1 disables top-p. */
  @Inject
  @ConfigProperty(name = "docproc.inference.sampling.top-p")
  Optional<Float> topP;

  /** 1 disables the penalty. */
  @Inject
  @ConfigProperty(name = "docproc.inference.sampling.repetition-penalty")
  Optional<Float> repetitionPenalty;

  /** Seed of the sampler, so that a page gets the same answer every time. */
  @Inject
  @ConfigProperty(name = "docproc.inference.sampling.seed", defaultValue = "0")
  long seed;

  /** For the container. */
  protected InferenceSettings() {}

  /** Settings given directly, for tests and tools outside the container; no sampling overrides. */
  public InferenceSettings(
      String model, String prompt, int maxTokens, int maxContext, int queueCapacity) {
    this.model = model;
    this.prompt = prompt;
    this.maxTokens = maxTokens;
    this.maxContext = maxContext;
    this.queueCapacity = queueCapacity;
    this.greedy = Optional.empty();
    this.temperature = Optional.empty();
    this.topK = Optional.empty();
    this.topP = Optional.empty();
    this.repetitionPenalty = Optional.empty();
    validate();
  }

  @PostConstruct
  void validate() {
    require(!model.isBlank(), "docproc.inference.model must be set");
    require(!prompt.isBlank(), "docproc.inference.prompt must not be blank");
    require(maxTokens >= 1, "docproc.inference.max-tokens must be >= 1");
    require(
        maxContext > maxTokens,
        "docproc.inference.max-context must be larger than docproc.inference.max-tokens");
    require(queueCapacity >= 1, "docproc.inference.queue-capacity must be >= 1");
    sampling(GenerationConfig.DEFAULTS);
  }

  public String model() {
    return model;
  }

  public String prompt() {
    return prompt;
  }

  public int maxContext() {
    return maxContext;
  }

  public int queueCapacity() {
    return queueCapacity;
  }

  /** The model's generation_config.json with the configured overrides and token limit. */
  public SamplingParams sampling(GenerationConfig generationConfig) {
    SamplingParams base = SamplingParams.defaults(generationConfig, maxTokens);
    return new SamplingParams(
        greedy.orElse(base.greedy()),
        temperature.orElse(base.temperature()),
        topK.orElse(base.topK()),
        topP.orElse(base.topP()),
        repetitionPenalty.orElse(base.repetitionPenalty()),
        seed,
        maxTokens,
        base.stopTokenIds(),
        List.of());
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
