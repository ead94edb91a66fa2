package dev.docproc.inference.engine.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Writes a safetensors file whose tensors are filled in place, in parallel, through a writable
 * memory map: multi-gigabyte files without holding them in memory.
 */
public final class SafeTensorsWriter {

  /** Fills the {@code dst} bytes of one tensor (little-endian). */
  @FunctionalInterface
  public interface Filler {
    void fill(MemorySegment dst);
  }

  private record Entry(String name, DType dtype, long[] shape, Filler filler) {
    long bytes() {
      long n = dtype.bytes;
      for (long d : shape) {
        n *= d;
      }
      return n;
    }
  }

  private final List<Entry> entries = new ArrayList<>();

  public SafeTensorsWriter add(String name, DType dtype, long[] shape, Filler filler) {
    entries.add(new Entry(name, dtype, shape.clone(), filler));
    return this;
  }

  public void write(Path file) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode header = json.createObjectNode();
    header.putObject("__metadata__").put("format", "pt");
    long offset = 0;
    for (Entry e : entries) {
      ObjectNode t = header.putObject(e.name());
      t.put("dtype", e.dtype().name());
      var shape = t.putArray("shape");
      for (long d : e.shape()) {
        shape.add(d);
      }
      t.putArray("data_offsets").add(offset).add(offset + e.bytes());
      offset += e.bytes();
    }
    byte[] text = json.writeValueAsBytes(header);
    int padded = (text.length + 7) / 8 * 8; // data starts 8-byte aligned, padding is spaces
    long total = 8 + padded + offset;
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw");
        Arena arena = Arena.ofShared()) {
      raf.setLength(total);
      MemorySegment map = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, total, arena);
      map.set(LittleEndian.LONG, 0, padded);
      MemorySegment.copy(text, 0, map, ValueLayout.JAVA_BYTE, 8, text.length);
      map.asSlice(8 + text.length, padded - text.length).fill((byte) ' ');
      long[] starts = new long[entries.size()];
      for (int i = 1; i < starts.length; i++) {
        starts[i] = starts[i - 1] + entries.get(i - 1).bytes();
      }
      long base = 8 + padded;
      IntStream.range(0, entries.size())
          .parallel()
          .forEach(
              i ->
                  entries
                      .get(i)
                      .filler()
                      .fill(map.asSlice(base + starts[i], entries.get(i).bytes())));
      map.force();
    }
  }
}
