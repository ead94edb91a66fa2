package dev.docproc.pipeline.render;

import dev.docproc.domain.DocumentSettings;
import dev.docproc.domain.document.Documents;
import dev.docproc.domain.document.RenderedPage;
import dev.docproc.domain.outbox.DocumentReceived;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.logging.Logger;

/**
 * Renders a received document and stores its pages, or marks it FAILED with the reason. A document
 * that no longer waits (the event was handled before) is left alone, so a redelivered event changes
 * nothing.
 */
@ApplicationScoped
public class RenderService {

  private static final Logger LOG = Logger.getLogger(RenderService.class.getName());

  private Documents documents;
  private DocumentSettings settings;

  /** For the container's proxy. */
  protected RenderService() {}

  @Inject
  public RenderService(Documents documents, DocumentSettings settings) {
    this.documents = documents;
    this.settings = settings;
  }

  public void render(DocumentReceived event, int attempt) {
    if (documents.find(event.tenantId(), event.documentId()).isEmpty()) {
      throw new IllegalStateException(
          "tenant " + event.tenantId() + " has no document " + event.documentId());
    }
    var input = documents.awaitingRender(event.tenantId(), event.documentId());
    if (input.isEmpty()) {
      LOG.fine(() -> "Document " + event.documentId() + " was handled before; nothing to do");
      return;
    }
    Instant started = Instant.now();
    List<RenderedPage> pages;
    try {
      pages =
          new PageRenderer(settings.renderPolicy())
              .render(input.get().mediaType(), input.get().content());
      if (pages.size() != input.get().pageCount()) {
        throw new RenderException(
            "Rendering gave " + pages.size() + " pages, intake counted " + input.get().pageCount(),
            null);
      }
    } catch (RenderException e) {
      documents.markFailed(event.tenantId(), event.documentId(), e.getMessage(), attempt, started);
      return;
    }
    documents.storeRendering(event.tenantId(), event.documentId(), pages, attempt, started);
  }
}
