package dev.docproc.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The test server's log ({@code standalone/log/server.log}), for what a test expects the server to
 * log, or not to log. The file keeps the earlier runs of the day; only this run's lines count.
 */
public final class ServerLog {

  /** WildFly's first line of a start: "WFLYSRV0049: WildFly … starting". */
  private static final String STARTING = "WFLYSRV0049";

  private ServerLog() {}

  /** The lines logged since the server started. */
  public static List<String> sinceStart() {
    Path log = TestServices.serverDir().resolve("standalone/log/server.log");
    List<String> lines;
    try {
      lines = Files.readAllLines(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int start = 0;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(STARTING)) {
        start = i;
      }
    }
    return lines.subList(start, lines.size());
  }

  /**
   * The ERROR and WARN records (their first lines) since the server started from the logger {@code
   * category} or one below it, e.g. "org.apache.pdfbox".
   */
  public static List<String> problemsFrom(String category) {
    Pattern problem =
        Pattern.compile("^\\S+ \\S+ (ERROR|WARN) +\\[" + Pattern.quote(category) + "[.\\]].*");
    return sinceStart().stream().filter(line -> problem.matcher(line).matches()).toList();
  }
}
