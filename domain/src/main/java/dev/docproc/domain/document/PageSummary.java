package dev.docproc.domain.document;

/** A stored page without its image. */
public record PageSummary(int number, int width, int height) {}
