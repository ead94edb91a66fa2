package dev.docproc.devservices;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One set of services per data folder. While the lock is held, nobody else starts services on the
 * same data. Taking it also stops leftovers: processes whose command line names the data folder but
 * whose launcher is gone (killed with SIGKILL, a crashed test JVM), which would otherwise hold its
 * ports and files.
 */
final class DataDirLock implements AutoCloseable {

  private static final Duration GRACE = Duration.ofSeconds(30);

  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  static DataDirLock acquire(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
      Path file = dataDir.resolve(".lock");
      FileChannel channel =
          FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
        throw new IllegalStateException(
            "services with data in " + dataDir + " are already running (" + file + " is locked)");
      }
      stopLeftovers(dataDir.toAbsolutePath().toString());
      return new DataDirLock(channel, lock);
    } catch (IOException e) {
      throw new IllegalStateException("cannot lock " + dataDir, e);
    }
  }

  private static void stopLeftovers(String dataDir) {
    long self = ProcessHandle.current().pid();
    List<ProcessHandle> leftovers =
        ProcessHandle.allProcesses()
            .filter(p -> p.pid() != self)
            .filter(p -> p.info().commandLine().filter(line -> line.contains(dataDir)).isPresent())
            .toList();
    for (ProcessHandle leftover : leftovers) {
      System.err.println(
          "Stopping a leftover process of an earlier run: "
              + leftover.pid()
              + " "
              + leftover.info().command().orElse("?"));
      leftover.destroy();
    }
    for (ProcessHandle leftover : leftovers) {
      try {
        leftover.onExit().get(GRACE.toSeconds(), TimeUnit.SECONDS);
      } catch (Exception notStoppedInTime) {
        leftover.destroyForcibly();
      }
    }
  }

  /** Releases the lock; closing the channel releases it even if the release call fails. */
  @Override
  public void close() {
    try (channel) {
      lock.release();
    } catch (IOException e) {
      System.err.println("Could not release " + lock + ": " + e);
    }
  }
}
