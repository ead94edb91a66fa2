package dev.docproc.devservices;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceStartExceptionTest {

  @Test
  void theMessageNamesTheLogAndShowsItsLastLines(@TempDir Path dir) throws IOException {
    Path log = dir.resolve("kafka.log");
    Files.writeString(
        log,
        IntStream.rangeClosed(1, 40).mapToObj(i -> "line " + i).collect(Collectors.joining("\n")));

    String message = new ServiceStartException("Kafka exited with code 1", log).getMessage();

    assertTrue(message.startsWith("Kafka exited with code 1\n  log: " + log), message);
    assertTrue(message.contains("line 16\n") && message.endsWith("line 40"), message);
    assertFalse(message.contains("line 15\n"), message);
  }

  @Test
  void aLogNotYetWrittenIsSaidSo(@TempDir Path dir) {
    Path log = dir.resolve("keycloak.log");

    String message = new ServiceStartException("Keycloak did not start", log).getMessage();

    assertTrue(message.endsWith("log: " + log + " (not written)"), message);
  }
}
