package dev.docproc.inference.engine.compute;

import dev.docproc.gpu.CudaAvailability;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Which backend runs the model, decided once at startup: the setting {@code docproc.compute} is
 * {@code auto} (the default: CUDA when a usable GPU is there, else the CPU), {@code cpu} or {@code
 * cuda} (fails when no usable GPU is there). The choice carries the reason in words, for the one
 * line startup prints.
 */
public final class Backend {
  /** System property (and, upper-cased with _ for ., environment variable) of the setting. */
  public static final String SETTING = "docproc.compute";

  public enum Kind {
    CPU,
    CUDA
  }

  /**
   * @param reason the GPU that will run the model, or why the CPU does
   */
  public record Choice(Kind kind, String reason) {
    /** The startup line, e.g. "compute backend: cpu (no usable GPU: no NVIDIA driver ...)". */
    public String describe() {
      return "compute backend: " + kind.name().toLowerCase(Locale.ROOT) + " (" + reason + ")";
    }
  }

  private Backend() {}

  /** The setting from the system property, else the environment (DOCPROC_COMPUTE), else auto. */
  public static String setting() {
    String v = System.getProperty(SETTING);
    if (v == null) {
      v = System.getenv("DOCPROC_COMPUTE");
    }
    return v == null || v.isBlank() ? "auto" : v.strip().toLowerCase(Locale.ROOT);
  }

  /**
   * Chooses for {@code setting}; {@code gpu} is asked only when the setting lets a GPU be used.
   *
   * @throws IllegalArgumentException for a setting other than auto, cpu, cuda
   * @throws IllegalStateException for cuda when no usable GPU is there, with the reason
   */
  public static Choice choose(String setting, Supplier<CudaAvailability.Status> gpu) {
    return switch (setting) {
      case "cpu" -> new Choice(Kind.CPU, SETTING + "=cpu");
      case "auto" -> {
        CudaAvailability.Status s = gpu.get();
        yield s.usable()
            ? new Choice(Kind.CUDA, s.description())
            : new Choice(Kind.CPU, "no usable GPU: " + s.description());
      }
      case "cuda" -> {
        CudaAvailability.Status s = gpu.get();
        if (!s.usable()) {
          throw new IllegalStateException(SETTING + "=cuda but no usable GPU: " + s.description());
        }
        yield new Choice(Kind.CUDA, s.description() + "; " + SETTING + "=cuda");
      }
      default ->
          throw new IllegalArgumentException(
              SETTING + " must be auto, cpu or cuda, got '" + setting + "'");
    };
  }
}
