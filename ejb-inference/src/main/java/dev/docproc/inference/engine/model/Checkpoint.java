package dev.docproc.inference.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * All tensors of a model directory: one {@code model.safetensors}, or the shards listed by {@code
 * model.safetensors.index.json}, or every {@code *.safetensors} file. Names are canonical (see
 * {@link NameMap}).
 */
public final class Checkpoint implements AutoCloseable {
  private final Path dir;
  private final List<SafeTensorsFile> files;
  private final Map<String, Tensor> tensors;

  private Checkpoint(Path dir, List<SafeTensorsFile> files, Map<String, Tensor> tensors) {
    this.dir = dir;
    this.files = files;
    this.tensors = tensors;
  }

  public static Checkpoint open(Path dir, NameMap names) {
    List<Path> paths = shardPaths(dir);
    List<SafeTensorsFile> files = new ArrayList<>();
    Map<String, Tensor> tensors = new HashMap<>();
    try {
      for (Path p : paths) {
        SafeTensorsFile f = SafeTensorsFile.open(p);
        files.add(f);
        for (Tensor t : f.tensors().values()) {
          String name = names.canonical(t.name());
          Tensor prev = tensors.put(name, new Tensor(name, t.dtype(), t.shape(), t.data()));
          if (prev != null) {
            throw new ModelFormatException(
                dir + ": tensor '" + name + "' is stored twice (" + t.name() + ")");
          }
        }
      }
    } catch (RuntimeException e) {
      files.forEach(SafeTensorsFile::close);
      throw e;
    }
    return new Checkpoint(dir, files, tensors);
  }

  private static List<Path> shardPaths(Path dir) {
    Path index = dir.resolve("model.safetensors.index.json");
    if (Files.exists(index)) {
      try {
        JsonNode map = new ObjectMapper().readTree(index.toFile()).get("weight_map");
        if (map == null || !map.isObject()) {
          throw new ModelFormatException(index + ": no weight_map object");
        }
        Set<String> shards = new LinkedHashSet<>();
        map.elements().forEachRemaining(n -> shards.add(n.asText()));
        List<Path> out = new ArrayList<>();
        for (String s : shards) {
          Path p = dir.resolve(s).normalize();
          if (!p.startsWith(dir.normalize()) || !Files.exists(p)) {
            throw new ModelFormatException(index + ": shard '" + s + "' is missing from " + dir);
          }
          out.add(p);
        }
        return out;
      } catch (IOException e) {
        throw new ModelFormatException(index + ": cannot read: " + e.getMessage(), e);
      }
    }
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> out =
          s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
      if (out.isEmpty()) {
        throw new ModelFormatException(dir + ": no *.safetensors weights found");
      }
      return out;
    } catch (IOException e) {
      throw new ModelFormatException(dir + ": cannot list: " + e.getMessage(), e);
    }
  }

  public boolean has(String name) {
    return tensors.containsKey(name);
  }

  /** The tensor with canonical {@code name}, or an error naming it and the directory. */
  public Tensor get(String name) {
    Tensor t = tensors.get(name);
    if (t == null) {
      throw new ModelFormatException(
          dir + ": tensor '" + name + "' is missing from the checkpoint");
    }
    return t;
  }

  public Set<String> names() {
    return tensors.keySet();
  }

  public Path dir() {
    return dir;
  }

  @Override
  public void close() {
    files.forEach(SafeTensorsFile::close);
  }
}
