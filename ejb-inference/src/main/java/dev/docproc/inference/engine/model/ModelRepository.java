package dev.docproc.inference.engine.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns {@code --model} into a local model directory: a directory as it is, or a hub id ({@code
 * org/name}, optionally {@code @revision}) through the Hugging Face cache layout ({@code
 * models--org--name/{blobs,snapshots/<commit>,refs/<revision>}}), downloading what is missing
 * unless offline.
 */
public final class ModelRepository {
  private static final Pattern HUB_ID = Pattern.compile("[\\w.-]+/[\\w.-]+(@[\\w./-]+)?");

  /** The files an engine run needs (weights are added from the index or as model.safetensors). */
  private static final List<String> REQUIRED =
      List.of("config.json", "tokenizer.json", "preprocessor_config.json");

  private static final Pattern WANTED = Pattern.compile(".*\\.(json|safetensors|txt|jinja)");

  private final HubSettings settings;
  private final DownloadProgress progress;

  public ModelRepository(HubSettings settings, DownloadProgress progress) {
    this.settings = settings;
    this.progress = progress;
  }

  public Path resolve(String model) throws IOException {
    try {
      Path dir = Path.of(model);
      if (Files.isDirectory(dir)) {
        if (!Files.exists(dir.resolve("config.json"))) {
          throw new ModelFormatException(dir + ": a directory without config.json is not a model");
        }
        return dir;
      }
    } catch (InvalidPathException e) {
      // not a path: maybe a hub id
    }
    if (!HUB_ID.matcher(model).matches()) {
      throw new ModelFormatException(
          "--model '" + model + "' is neither a model directory nor a hub id like org/name");
    }
    String[] parts = model.split("@", 2);
    String id = parts[0];
    String revision = parts.length > 1 ? parts[1] : "main";
    Path repo = settings.cache().resolve("models--" + id.replace("/", "--"));
    if (settings.offline()) {
      return cached(id, revision, repo, "HF_HUB_OFFLINE is set");
    }
    try {
      return download(id, revision, repo);
    } catch (IOException e) {
      try {
        // a refused connection has no message of its own
        String why = "hub unreachable: " + (e.getMessage() == null ? e : e.getMessage());
        Path dir = cached(id, revision, repo, why);
        System.err.println(why + "; using the cached " + dir);
        return dir;
      } catch (ModelFormatException notCached) {
        throw new IOException(notCached.getMessage(), e);
      }
    }
  }

  /** The cached snapshot of {@code revision}, or an error naming what is missing and what to do. */
  private Path cached(String id, String revision, Path repo, String why) {
    Path ref = repo.resolve("refs").resolve(revision);
    String commit = revision;
    try {
      if (Files.exists(ref)) {
        commit = Files.readString(ref).strip();
      }
    } catch (IOException e) {
      commit = revision;
    }
    Path snapshot = repo.resolve("snapshots").resolve(commit);
    List<String> missing = missingFiles(snapshot);
    if (!missing.isEmpty()) {
      throw new ModelFormatException(
          "model "
              + id
              + "@"
              + revision
              + " is not complete in the Hugging Face cache "
              + settings.cache()
              + " ("
              + why
              + "): missing "
              + String.join(", ", missing)
              + ". Download it where the hub is reachable (unset HF_HUB_OFFLINE, or `hf download "
              + id
              + "`) and copy the cache here (HF_HOME), or give a model directory with the files"
              + " (--model DIR on the command line, DOCPROC_INFERENCE_MODEL on the server).");
    }
    return snapshot;
  }

  static List<String> missingFiles(Path dir) {
    List<String> missing = new ArrayList<>();
    for (String f : REQUIRED) {
      if (!Files.exists(dir.resolve(f))) {
        missing.add(f);
      }
    }
    Path index = dir.resolve("model.safetensors.index.json");
    if (Files.exists(index)) {
      try {
        Set<String> shards = new LinkedHashSet<>();
        new ObjectMapper()
            .readTree(index.toFile())
            .path("weight_map")
            .elements()
            .forEachRemaining(n -> shards.add(n.asText()));
        shards.stream().filter(s -> !Files.exists(dir.resolve(s))).forEach(missing::add);
      } catch (IOException e) {
        missing.add("a readable model.safetensors.index.json");
      }
    } else if (!Files.exists(dir.resolve("model.safetensors"))) {
      missing.add("model.safetensors (or model.safetensors.index.json with its shards)");
    }
    return missing;
  }

  private Path download(String id, String revision, Path repo) throws IOException {
    HubClient hub = new HubClient(settings);
    HubClient.RepoInfo info = hub.info(id, revision);
    Path blobs = Files.createDirectories(repo.resolve("blobs"));
    Path snapshot = Files.createDirectories(repo.resolve("snapshots").resolve(info.commit()));
    for (HubClient.RemoteFile f : info.files()) {
      if (!WANTED.matcher(f.name()).matches() || f.etag() == null) {
        continue;
      }
      Path blob = blobs.resolve(f.etag());
      Path link = snapshot.resolve(f.name()).normalize();
      if (!link.startsWith(snapshot)) {
        throw new IOException(id + ": refusing file name " + f.name());
      }
      if (!Files.exists(blob)) {
        hub.download(id, info.commit(), f, blob, progress);
      }
      if (!Files.exists(link)) {
        Files.createDirectories(link.getParent());
        try {
          Files.createSymbolicLink(link, link.getParent().relativize(blob));
        } catch (UnsupportedOperationException | IOException e) {
          Files.copy(blob, link);
        }
      }
    }
    if (!revision.equals(info.commit())) {
      Files.createDirectories(repo.resolve("refs"));
      Files.writeString(repo.resolve("refs").resolve(revision), info.commit());
    }
    List<String> missing = missingFiles(snapshot);
    if (!missing.isEmpty()) {
      throw new ModelFormatException(
          id + "@" + revision + " on the hub lacks " + String.join(", ", missing));
    }
    return snapshot;
  }
}
