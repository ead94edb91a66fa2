package dev.docproc.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * HTTP access to the deployed application, as an API client sees it: {@code Api.get("/me", token)}
 * calls {@code <base>/api/v1/me} with {@code Authorization: Bearer <token>}. Redirects are not
 * followed, so a test sees a login redirect as what it is.
 */
public final class Api {

  public static final String PREFIX = "api/v1";

  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  private Api() {}

  /** {@code <base>/api/v1<path>}; {@code path} starts with a slash. */
  public static URI uri(String path) {
    return TestServices.baseUrl().resolve(PREFIX + path);
  }

  /** A request builder for an API path, with the bearer token set (none if null). */
  public static HttpRequest.Builder request(String path, String token) {
    var builder =
        HttpRequest.newBuilder(uri(path))
            .timeout(Duration.ofSeconds(60))
            .header("Accept", "application/json");
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    return builder;
  }

  public static HttpResponse<String> get(String path, String token) {
    return send(request(path, token).GET().build());
  }

  public static HttpResponse<String> send(HttpRequest request) {
    return send(request, HttpResponse.BodyHandlers.ofString());
  }

  public static <T> HttpResponse<T> send(
      HttpRequest request, HttpResponse.BodyHandler<T> bodyHandler) {
    try {
      return CLIENT.send(request, bodyHandler);
    } catch (IOException e) {
      throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + request.uri(), e);
    }
  }
}
