package dev.docproc.inference.engine.model;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One safetensors file, memory-mapped (never copied): 8-byte little-endian header length N, N bytes
 * of JSON header {@code {"name": {"dtype", "shape", "data_offsets": [begin, end)}}}, then the
 * tensor bytes, offsets relative to the end of the header.
 */
public final class SafeTensorsFile implements AutoCloseable {
  /** The format's own limit on the header (safetensors rejects larger ones as corrupt). */
  private static final long MAX_HEADER_BYTES = 100L << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path path;
  private final Arena arena;
  private final Map<String, Tensor> tensors;
  private final Map<String, String> metadata;

  private SafeTensorsFile(
      Path path, Arena arena, Map<String, Tensor> tensors, Map<String, String> metadata) {
    this.path = path;
    this.arena = arena;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  public static SafeTensorsFile open(Path path) {
    Arena arena = Arena.ofShared();
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 8) {
        throw new ModelFormatException(
            path + ": truncated safetensors file (" + size + " bytes, the header length needs 8)");
      }
      MemorySegment file = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
      long headerLen = file.get(LittleEndian.LONG, 0);
      if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
        throw new ModelFormatException(
            path
                + ": wrong header length "
                + Long.toUnsignedString(headerLen)
                + " (file has "
                + size
                + " bytes): not a safetensors file, or truncated");
      }
      byte[] header = file.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
      MemorySegment data = file.asSlice(8 + headerLen);
      var parsed = parseHeader(path, new String(header, StandardCharsets.UTF_8), data);
      return new SafeTensorsFile(path, arena, parsed.tensors, parsed.metadata);
    } catch (IOException e) {
      arena.close();
      throw new ModelFormatException(path + ": cannot read: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  private record Header(Map<String, Tensor> tensors, Map<String, String> metadata) {}

  private static Header parseHeader(Path path, String header, MemorySegment data) {
    JsonNode root;
    try {
      root = JSON.readTree(header);
    } catch (JacksonException e) {
      throw new ModelFormatException(
          path + ": header is not valid JSON (wrong header length or corrupt file)", e);
    }
    if (root == null || !root.isObject()) {
      throw new ModelFormatException(path + ": header is not a JSON object");
    }
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      var e = it.next();
      String name = e.getKey();
      JsonNode node = e.getValue();
      if (name.equals("__metadata__")) {
        node.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
        continue;
      }
      tensors.put(name, parseTensor(path, name, node, data));
    }
    return new Header(Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
  }

  private static Tensor parseTensor(Path path, String name, JsonNode node, MemorySegment data) {
    JsonNode dtypeNode = node.get("dtype");
    JsonNode shapeNode = node.get("shape");
    JsonNode offsets = node.get("data_offsets");
    if (dtypeNode == null || shapeNode == null || offsets == null || offsets.size() != 2) {
      throw new ModelFormatException(
          path + ": tensor '" + name + "' lacks dtype, shape or data_offsets in the header");
    }
    DType dtype = DType.parse(dtypeNode.asText(), name);
    long[] shape = new long[shapeNode.size()];
    long numel = 1;
    for (int i = 0; i < shape.length; i++) {
      shape[i] = shapeNode.get(i).asLong(-1);
      if (shape[i] < 0) {
        throw new ModelFormatException(path + ": tensor '" + name + "' has a negative dimension");
      }
      numel = Math.multiplyExact(numel, shape[i]);
    }
    long begin = offsets.get(0).asLong(-1);
    long end = offsets.get(1).asLong(-1);
    if (begin < 0 || end < begin || end - begin != numel * dtype.bytes) {
      throw new ModelFormatException(
          path
              + ": tensor '"
              + name
              + "' data_offsets ["
              + begin
              + ", "
              + end
              + ") do not hold "
              + numel
              + " "
              + dtype
              + " values");
    }
    if (end > data.byteSize()) {
      throw new ModelFormatException(
          path
              + ": truncated: tensor '"
              + name
              + "' ends at byte "
              + end
              + " of the data but the file holds only "
              + data.byteSize());
    }
    return new Tensor(name, dtype, shape, data.asSlice(begin, end - begin));
  }

  public Path path() {
    return path;
  }

  /** Tensors by their stored name, in header order. */
  public Map<String, Tensor> tensors() {
    return tensors;
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  @Override
  public void close() {
    arena.close();
  }
}
