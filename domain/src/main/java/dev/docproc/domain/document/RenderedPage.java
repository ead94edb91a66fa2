package dev.docproc.domain.document;

/** A page as the renderer produced it: 1-based number, size in pixels, PNG bytes. */
public record RenderedPage(int number, int width, int height, byte[] png) {}
