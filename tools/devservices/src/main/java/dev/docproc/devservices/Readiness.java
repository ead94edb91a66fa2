package dev.docproc.devservices;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls until a service answers, or fails naming the service, the reason and its log. */
final class Readiness {

  private static final Duration POLL = Duration.ofMillis(500);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private Readiness() {}

  /** Waits until {@code ready} holds, failing early if the process dies. */
  static void await(ChildProcess process, String what, Duration timeout, BooleanSupplier ready) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!ready.getAsBoolean()) {
      process.checkAlive();
      if (System.nanoTime() > deadline) {
        throw new ServiceStartException(
            process.service() + " was not ready within " + timeout.toSeconds() + " s: " + what,
            process.log());
      }
      sleep();
    }
  }

  /** True when a GET of {@code uri} answers 200. */
  static boolean answers200(URI uri) {
    try {
      var request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build();
      return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException notYet) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + uri, e);
    }
  }

  /** True when something accepts TCP connections on 127.0.0.1:{@code port}. */
  static boolean acceptsConnections(int port) {
    try (var socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  static void sleep() {
    try {
      Thread.sleep(POLL);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a service", e);
    }
  }
}
