package dev.docproc.bench;

import dev.docproc.domain.intake.MediaType;
import dev.docproc.domain.render.RenderPolicy;
import dev.docproc.domain.testing.SampleFiles;
import dev.docproc.pipeline.render.PageRenderer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.rendering.PDFRenderer;

/**
 * Render throughput (pages/s) on the sample invoices at the default pixel budget, on 1 thread and
 * on every core, beside a peer: PDFBox's own {@code renderImageWithDPI} at 100 dpi (about the
 * resolution the budget gives an A4 page) plus the same PNG encoding.
 *
 * <p>Usage: {@code RenderBench [seconds per measurement, default 20]}
 */
public final class RenderBench {

  private static final RenderPolicy DEFAULT_POLICY = new RenderPolicy(1_003_520, 200);

  private interface Renderer {
    /** Renders every page of a PDF to PNG; returns the number of pages. */
    int render(byte[] pdf) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 20;
    List<byte[]> invoices = SampleFiles.invoices().stream().map(SampleFiles::invoice).toList();
    PageRenderer ours = new PageRenderer(DEFAULT_POLICY);
    Renderer docproc = pdf -> ours.render(MediaType.PDF, pdf).size();
    Renderer peer = RenderBench::renderWithPdfBoxDefaults;
    int cores = Runtime.getRuntime().availableProcessors();
    System.out.printf(
        "%d sample invoices, %d cores, %s, %.0f s per measurement%n",
        invoices.size(), cores, Runtime.version(), seconds);
    for (int threads : new int[] {1, cores}) {
      report(
          "docproc PageRenderer (budget 1003520 px)",
          threads,
          measure(docproc, invoices, threads, seconds));
      report(
          "peer: PDFBox renderImageWithDPI(100)",
          threads,
          measure(peer, invoices, threads, seconds));
    }
  }

  private static void report(String what, int threads, double pagesPerSecond) {
    System.out.printf("%-44s threads=%d  %7.2f pages/s%n", what, threads, pagesPerSecond);
  }

  /** Pages per second over {@code seconds}, after a warm-up of the same length / 4. */
  private static double measure(
      Renderer renderer, List<byte[]> invoices, int threads, double seconds) throws Exception {
    run(renderer, invoices, threads, seconds / 4);
    return run(renderer, invoices, threads, seconds);
  }

  private static double run(Renderer renderer, List<byte[]> invoices, int threads, double seconds)
      throws Exception {
    AtomicLong pages = new AtomicLong();
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      List<Future<?>> workers =
          java.util.stream.IntStream.range(0, threads)
              .<Future<?>>mapToObj(
                  t ->
                      pool.submit(
                          () -> {
                            for (int i = t; System.nanoTime() < end; i++) {
                              pages.addAndGet(renderer.render(invoices.get(i % invoices.size())));
                            }
                            return null;
                          }))
              .toList();
      for (Future<?> worker : workers) {
        worker.get();
      }
    }
    return pages.get() / ((System.nanoTime() - start) / 1e9);
  }

  private static int renderWithPdfBoxDefaults(byte[] bytes) throws Exception {
    try (PDDocument pdf = Loader.loadPDF(bytes)) {
      PDFRenderer renderer = new PDFRenderer(pdf);
      for (int i = 0; i < pdf.getNumberOfPages(); i++) {
        BufferedImage image = renderer.renderImageWithDPI(i, 100);
        ImageIO.write(image, "png", new ByteArrayOutputStream());
      }
      return pdf.getNumberOfPages();
    }
  }
}
