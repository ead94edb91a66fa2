package dev.docproc.inference.engine.model;

import java.io.PrintStream;

/** Reports download progress; {@link #bar} draws one line per file on a terminal. */
public interface DownloadProgress {
  void update(String file, long done, long total);

  void finished(String file, long total);

  DownloadProgress NONE =
      new DownloadProgress() {
        @Override
        public void update(String file, long done, long total) {}

        @Override
        public void finished(String file, long total) {}
      };

  /** A text progress bar redrawn in place (at most 10 times a second). */
  static DownloadProgress bar(PrintStream out) {
    return new DownloadProgress() {
      private long lastDraw;
      private long started = System.nanoTime();
      private String current;

      @Override
      public void update(String file, long done, long total) {
        long now = System.nanoTime();
        if (!file.equals(current)) {
          current = file;
          started = now;
        }
        if (now - lastDraw < 100_000_000L) {
          return;
        }
        lastDraw = now;
        draw(file, done, total, now);
      }

      @Override
      public void finished(String file, long total) {
        draw(file, total, total, System.nanoTime());
        out.println();
      }

      private void draw(String file, long done, long total, long now) {
        int width = 30;
        int filled = total > 0 ? (int) (width * done / total) : 0;
        double seconds = Math.max(1e-3, (now - started) / 1e9);
        out.printf(
            "\r%-40s [%s%s] %6.1f/%.1f MB %6.1f MB/s",
            file.length() > 40 ? "…" + file.substring(file.length() - 39) : file,
            "#".repeat(filled),
            " ".repeat(width - filled),
            done / 1e6,
            total / 1e6,
            done / 1e6 / seconds);
        out.flush();
      }
    };
  }
}
