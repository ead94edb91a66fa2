package dev.docproc.inference.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading safetensors back, and refusing broken files with errors that name the cause. */
class SafeTensorsFileTest {
  @TempDir Path tmp;
  private final SplittableRandom random = new SplittableRandom();

  private Path write(float[] values, int[] ints, long[] longs) throws IOException {
    Path f = tmp.resolve("t.safetensors");
    new SafeTensorsWriter()
        .add(
            "a.bf16",
            DType.BF16,
            new long[] {2, values.length / 2},
            s -> {
              for (int i = 0; i < values.length; i++) {
                s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2L * i, Floats.floatToBf16(values[i]));
              }
            })
        .add(
            "b.f16",
            DType.F16,
            new long[] {values.length},
            s -> {
              for (int i = 0; i < values.length; i++) {
                s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2L * i, Floats.floatToF16(values[i]));
              }
            })
        .add(
            "c.f32",
            DType.F32,
            new long[] {values.length},
            s -> {
              for (int i = 0; i < values.length; i++) {
                s.set(ValueLayout.JAVA_FLOAT_UNALIGNED, 4L * i, values[i]);
              }
            })
        .add(
            "d.i32",
            DType.I32,
            new long[] {ints.length},
            s -> {
              for (int i = 0; i < ints.length; i++) {
                s.set(ValueLayout.JAVA_INT_UNALIGNED, 4L * i, ints[i]);
              }
            })
        .add(
            "e.i64",
            DType.I64,
            new long[] {longs.length},
            s -> {
              for (int i = 0; i < longs.length; i++) {
                s.set(ValueLayout.JAVA_LONG_UNALIGNED, 8L * i, longs[i]);
              }
            })
        .write(f);
    return f;
  }

  @Test
  void roundTripsEveryDtype() throws IOException {
    float[] v = new float[10];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) random.nextGaussian();
    }
    int[] ints = {random.nextInt(), -7, Integer.MIN_VALUE};
    long[] longs = {random.nextLong(), 11008};
    try (SafeTensorsFile f = SafeTensorsFile.open(write(v, ints, longs))) {
      Tensor a = f.tensors().get("a.bf16");
      assertEquals(2, a.rows());
      assertEquals(5, a.cols());
      for (int i = 0; i < v.length; i++) {
        assertEquals(Floats.roundToBf16(v[i]), a.getFloat(i));
        assertEquals(
            Floats.f16ToFloat(Floats.floatToF16(v[i])), f.tensors().get("b.f16").getFloat(i));
        assertEquals(v[i], f.tensors().get("c.f32").getFloat(i));
      }
      for (int i = 0; i < ints.length; i++) {
        assertEquals(ints[i], f.tensors().get("d.i32").getLong(i));
      }
      assertEquals(longs[0], f.tensors().get("e.i64").getLong(0));
      assertEquals("pt", f.metadata().get("format"));
      // the first tensor starts 8-byte aligned right after the header
      assertTrue(a.data().address() % 8 == 0 || a.data().isNative());
    }
  }

  private static String message(Path f) {
    return assertThrows(ModelFormatException.class, () -> SafeTensorsFile.open(f).close())
        .getMessage();
  }

  @Test
  void truncatedFileNamesTheTensorCut() throws IOException {
    Path f = write(new float[8], new int[3], new long[2]);
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(raf.length() - 5);
    }
    String m = message(f);
    assertTrue(m.contains("truncated") && m.contains("e.i64"), m);
  }

  @Test
  void fileShorterThanTheHeaderLength() throws IOException {
    Path f = tmp.resolve("short.safetensors");
    Files.write(f, new byte[] {1, 2, 3});
    assertTrue(message(f).contains("truncated"), message(f));
  }

  @Test
  void wrongHeaderLengthIsRefused() throws IOException {
    Path f = write(new float[8], new int[3], new long[2]);
    long size = Files.size(f);
    setHeaderLength(f, size + 100);
    String m = message(f);
    assertTrue(m.contains("wrong header length"), m);
    setHeaderLength(f, -1);
    assertTrue(message(f).contains("wrong header length"), message(f));
  }

  @Test
  void headerLengthOffByAFewBytesIsNotJson() throws IOException {
    Path f = write(new float[8], new int[3], new long[2]);
    long len;
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
      len = Long.reverseBytes(raf.readLong());
    }
    setHeaderLength(f, len - 9);
    String m = message(f);
    assertTrue(m.contains("not valid JSON"), m);
  }

  @Test
  void offsetsThatDoNotMatchTheShapeAreRefused() throws IOException {
    Path f = tmp.resolve("bad.safetensors");
    String header = "{\"w\":{\"dtype\":\"BF16\",\"shape\":[4,4],\"data_offsets\":[0,30]}}";
    ByteBuffer b = ByteBuffer.allocate(8 + header.length() + 32).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(header.length()).put(header.getBytes());
    Files.write(f, b.array());
    String m = message(f);
    assertTrue(m.contains("'w'") && m.contains("16 BF16"), m);
  }

  @Test
  void unknownDtypeIsNamed() throws IOException {
    Path f = tmp.resolve("f8.safetensors");
    String header = "{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}";
    ByteBuffer b = ByteBuffer.allocate(8 + header.length() + 2).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(header.length()).put(header.getBytes());
    Files.write(f, b.array());
    String m = message(f);
    assertTrue(m.contains("'w'") && m.contains("F8_E4M3"), m);
  }

  private static void setHeaderLength(Path f, long len) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.writeLong(Long.reverseBytes(len));
    }
  }
}
