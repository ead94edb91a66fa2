package dev.docproc.inference.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resolving --model: local directories, the HF cache, downloads from a fake hub. */
class ModelRepositoryTest {
  private static final String ID = "acme/tiny-vl";

  @TempDir Path home;
  private FakeHub hub;
  private byte[] weights;

  @BeforeEach
  void start() throws IOException {
    hub = new FakeHub(ID);
    weights = new byte[3_000_001];
    new SplittableRandom().nextBytes(weights);
    hub.put("config.json", "{\"model_type\":\"qwen2_5_vl\"}".getBytes(StandardCharsets.UTF_8));
    hub.put("tokenizer.json", "{}".getBytes(StandardCharsets.UTF_8));
    hub.put("preprocessor_config.json", "{\"max_pixels\":1000}".getBytes(StandardCharsets.UTF_8));
    hub.put("model.safetensors", weights);
    hub.put("README.md", "not wanted".getBytes(StandardCharsets.UTF_8));
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  private ModelRepository repo(Map<String, String> extraEnv, DownloadProgress progress) {
    var env =
        new java.util.HashMap<>(Map.of("HF_HOME", home.toString(), "HF_ENDPOINT", hub.endpoint()));
    env.putAll(extraEnv);
    return new ModelRepository(HubSettings.from(env), progress);
  }

  @Test
  void downloadsIntoTheCacheLayoutAndReusesIt() throws IOException {
    StringBuilder progress = new StringBuilder();
    Path dir =
        repo(
                Map.of(),
                new DownloadProgress() {
                  @Override
                  public void update(String file, long done, long total) {}

                  @Override
                  public void finished(String file, long total) {
                    progress.append(file).append(' ');
                  }
                })
            .resolve(ID);
    Path repoDir = home.resolve("hub/models--acme--tiny-vl");
    assertEquals(repoDir.resolve("snapshots/" + FakeHub.COMMIT), dir);
    assertEquals(FakeHub.COMMIT, Files.readString(repoDir.resolve("refs/main")));
    assertArrayEquals(weights, Files.readAllBytes(dir.resolve("model.safetensors")));
    assertTrue(Files.isSymbolicLink(dir.resolve("model.safetensors")));
    assertTrue(Files.exists(repoDir.resolve("blobs/" + FakeHub.hex("SHA-256", weights))));
    assertTrue(!Files.exists(dir.resolve("README.md")));
    assertTrue(progress.toString().contains("model.safetensors"), progress.toString());

    int before = hub.requests.size();
    assertEquals(dir, repo(Map.of(), DownloadProgress.NONE).resolve(ID));
    assertEquals(before + 1, hub.requests.size(), "only the revision lookup, no file again");
  }

  @Test
  void interruptedDownloadResumesWithARangeRequest() throws IOException {
    hub.cutOnce = "model.safetensors";
    assertThrows(IOException.class, () -> repo(Map.of(), DownloadProgress.NONE).resolve(ID));
    Path partial =
        home.resolve(
            "hub/models--acme--tiny-vl/blobs/" + FakeHub.hex("SHA-256", weights) + ".incomplete");
    long have = Files.size(partial);
    assertTrue(have > 0 && have < weights.length, "partial file of " + have);
    Path dir = repo(Map.of(), DownloadProgress.NONE).resolve(ID);
    assertArrayEquals(weights, Files.readAllBytes(dir.resolve("model.safetensors")));
    assertTrue(
        hub.requests.stream().anyMatch(r -> ("bytes=" + have + "-").equals(r.range())),
        "a Range request from byte " + have);
  }

  @Test
  void checksumMismatchIsRefusedAndNothingIsPlaced() {
    hub.corrupt = "model.safetensors";
    IOException e =
        assertThrows(IOException.class, () -> repo(Map.of(), DownloadProgress.NONE).resolve(ID));
    assertTrue(e.getMessage().contains("model.safetensors: checksum mismatch"), e.getMessage());
    assertTrue(
        !Files.exists(
            home.resolve(
                "hub/models--acme--tiny-vl/snapshots/" + FakeHub.COMMIT + "/model.safetensors")));
  }

  @Test
  void tokenIsSentToTheHubButNotToTheCdn() throws IOException {
    hub.requiredToken = "hf_secret";
    IOException denied =
        assertThrows(IOException.class, () -> repo(Map.of(), DownloadProgress.NONE).resolve(ID));
    assertTrue(denied.getMessage().contains("HF_TOKEN"), denied.getMessage());
    repo(Map.of("HF_TOKEN", "hf_secret"), DownloadProgress.NONE).resolve(ID);
    assertTrue(
        hub.requests.stream()
            .anyMatch(
                r -> r.path().startsWith("/api/") && "Bearer hf_secret".equals(r.authorization())));
    assertTrue(
        hub.requests.stream()
            .filter(r -> r.path().startsWith("/cdn/"))
            .allMatch(r -> r.authorization() == null));
  }

  @Test
  void offlineUsesTheCacheOrSaysWhatIsMissing() throws IOException {
    var offline = Map.of("HF_HUB_OFFLINE", "1");
    ModelFormatException e =
        assertThrows(
            ModelFormatException.class, () -> repo(offline, DownloadProgress.NONE).resolve(ID));
    assertTrue(
        e.getMessage().contains("missing config.json")
            && e.getMessage().contains("model.safetensors")
            && e.getMessage().contains("HF_HUB_OFFLINE")
            && e.getMessage().contains("--model DIR"),
        e.getMessage());
    assertEquals(0, hub.requests.size());
    Path online = repo(Map.of(), DownloadProgress.NONE).resolve(ID);
    int before = hub.requests.size();
    assertEquals(online, repo(offline, DownloadProgress.NONE).resolve(ID));
    assertEquals(before, hub.requests.size());
  }

  @Test
  void unreachableHubFallsBackToACompleteCache() throws IOException {
    Path online = repo(Map.of(), DownloadProgress.NONE).resolve(ID);
    hub.close();
    assertEquals(online, repo(Map.of(), DownloadProgress.NONE).resolve(ID));
  }

  @Test
  void localDirectoriesAndNonsense() throws IOException {
    Path local = Files.createDirectories(home.resolve("local"));
    ModelFormatException noConfig =
        assertThrows(
            ModelFormatException.class,
            () -> repo(Map.of(), DownloadProgress.NONE).resolve(local.toString()));
    assertTrue(noConfig.getMessage().contains("without config.json"));
    Files.writeString(local.resolve("config.json"), "{}");
    assertEquals(local, repo(Map.of(), DownloadProgress.NONE).resolve(local.toString()));
    ModelFormatException nonsense =
        assertThrows(
            ModelFormatException.class,
            () -> repo(Map.of(), DownloadProgress.NONE).resolve("no such thing"));
    assertTrue(nonsense.getMessage().contains("neither a model directory nor a hub id"));
    IOException notFound =
        assertThrows(
            IOException.class, () -> repo(Map.of(), DownloadProgress.NONE).resolve("acme/other"));
    assertTrue(notFound.getMessage().contains("not found"), notFound.getMessage());
  }
}
