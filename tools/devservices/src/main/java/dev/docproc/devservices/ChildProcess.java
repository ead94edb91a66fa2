package dev.docproc.devservices;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.function.Predicate;

/**
 * A service running as a child process, its output appended to one log file.
 *
 * <p>Start scripts (standalone.sh, kc.sh) keep the JVM as their own child, so {@link #close()}
 * stops the whole tree: SIGTERM to the script and every descendant, a grace period for a clean
 * shutdown, then SIGKILL to whatever is left. Processes that left the tree (a daemonising server)
 * are found by the predicate that {@code straysOfPid} makes from the child's pid.
 */
final class ChildProcess implements AutoCloseable {

  private static final Duration GRACE = Duration.ofSeconds(30);

  private final String service;
  private final Process process;
  private final Path log;
  private final Predicate<ProcessHandle> strays;

  private ChildProcess(String service, Process process, Path log, Predicate<ProcessHandle> strays) {
    this.service = service;
    this.process = process;
    this.log = log;
    this.strays = strays;
  }

  static ChildProcess start(
      String service, List<String> command, Map<String, String> env, Path workDir, Path log)
      throws IOException {
    return start(service, command, env, workDir, log, pid -> handle -> false);
  }

  static ChildProcess start(
      String service,
      List<String> command,
      Map<String, String> env,
      Path workDir,
      Path log,
      LongFunction<Predicate<ProcessHandle>> straysOfPid)
      throws IOException {
    Files.createDirectories(log.getParent());
    var builder =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    builder.environment().putAll(env);
    Process process = builder.start();
    return new ChildProcess(service, process, log, straysOfPid.apply(process.pid()));
  }

  String service() {
    return service;
  }

  Path log() {
    return log;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  Process process() {
    return process;
  }

  /** Fails with the service's name, exit code and log when the process has already exited. */
  void checkAlive() {
    if (!process.isAlive()) {
      throw new ServiceStartException(
          service + " exited with code " + process.exitValue() + " while starting", log);
    }
  }

  /**
   * Runs {@code readinessCheck}; if it fails, this process is stopped before the failure goes on,
   * so a service that never became ready is not left behind.
   */
  void awaitReady(Runnable readinessCheck) {
    try {
      readinessCheck.run();
    } catch (RuntimeException notReady) {
      close();
      throw notReady;
    }
  }

  @Override
  public void close() {
    List<ProcessHandle> tree = new ArrayList<>();
    tree.add(process.toHandle());
    process.descendants().forEach(tree::add);
    ProcessHandle.allProcesses().filter(strays).forEach(tree::add);
    tree.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + GRACE.toNanos();
    for (ProcessHandle handle : tree) {
      long left = Math.max(0, deadline - System.nanoTime());
      try {
        handle.onExit().get(left, TimeUnit.NANOSECONDS);
      } catch (Exception notStoppedInTime) {
        handle.destroyForcibly();
      }
    }
  }
}
