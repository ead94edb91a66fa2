package dev.docproc.domain;

import dev.docproc.domain.intake.IntakeLimits;
import dev.docproc.domain.render.RenderPolicy;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Settings of document intake and page rendering: every key, its meaning, default and check in one
 * place. Keys are MicroProfile Config names; each can also be set as an environment variable (upper
 * case, dots and dashes as underscores, e.g. {@code DOCPROC_INTAKE_MAX_UPLOAD_BYTES}).
 */
@ApplicationScoped
public class DocumentSettings {

  /** Largest upload accepted, in bytes. Counted while streaming; larger uploads get 413. */
  @Inject
  @ConfigProperty(name = "docproc.intake.max-upload-bytes", defaultValue = "52428800")
  long maxUploadBytes;

  /** Most pages a document may have. */
  @Inject
  @ConfigProperty(name = "docproc.intake.max-pages", defaultValue = "200")
  int maxPages;

  /**
   * Pixel cap on a page at its source resolution (PDF: at {@code docproc.render.max-dpi}; images:
   * as stored). Larger pages are refused: decoding them costs too much memory, and shrunk to the
   * model's budget their text would be unreadable.
   */
  @Inject
  @ConfigProperty(name = "docproc.intake.max-page-pixels", defaultValue = "64000000")
  long maxPagePixels;

  /**
   * Most pixels (width × height) of a rendered page: the model's {@code max_pixels}. The default
   * 1003520 = 1280 · 28 · 28 is 1280 visual tokens, Qwen2-VL's documented setting for documents.
   */
  @Inject
  @ConfigProperty(name = "docproc.render.pixel-budget", defaultValue = "1003520")
  long pixelBudget;

  /**
   * The resolution a PDF page is never rendered beyond, however small the page: vector pages have
   * no resolution of their own, so this stands for it.
   */
  @Inject
  @ConfigProperty(name = "docproc.render.max-dpi", defaultValue = "200")
  int maxDpi;

  /** For the container. */
  protected DocumentSettings() {}

  /** Settings given directly, for tests and tools outside the container. */
  public DocumentSettings(IntakeLimits intake, RenderPolicy render) {
    this.maxUploadBytes = intake.maxUploadBytes();
    this.maxPages = intake.maxPages();
    this.maxPagePixels = intake.maxPagePixels();
    this.pixelBudget = render.pixelBudget();
    this.maxDpi = render.maxDpi();
  }

  @PostConstruct
  void validate() {
    intakeLimits();
    renderPolicy();
  }

  public IntakeLimits intakeLimits() {
    return new IntakeLimits(maxUploadBytes, maxPages, maxPagePixels);
  }

  public RenderPolicy renderPolicy() {
    return new RenderPolicy(pixelBudget, maxDpi);
  }
}
