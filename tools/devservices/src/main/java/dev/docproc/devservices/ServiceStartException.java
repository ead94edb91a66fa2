package dev.docproc.devservices;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A service did not come up; the message names it, says why and shows the end of its log. */
public final class ServiceStartException extends RuntimeException {

  private static final int TAIL_LINES = 25;

  private static final long serialVersionUID = 1L;

  public ServiceStartException(String message, Path log) {
    super(message + "\n  log: " + log + tail(log));
  }

  public ServiceStartException(String message, Path log, Throwable cause) {
    super(message + "\n  log: " + log + tail(log), cause);
  }

  private static String tail(Path log) {
    if (!Files.isRegularFile(log)) {
      return " (not written)";
    }
    try {
      List<String> lines = Files.readAllLines(log);
      List<String> last = lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
      return "\n  last lines:\n    " + String.join("\n    ", last);
    } catch (IOException | RuntimeException unreadable) {
      return " (unreadable: " + unreadable + ")";
    }
  }
}
