package dev.docproc.domain.intake;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * Tells a file's type from its first bytes, never from its name: a file named .pdf that holds
 * anything else is not a PDF.
 */
public final class ContentSniffer {

  /** How many leading bytes {@link #sniff} needs to see. */
  public static final int HEAD_BYTES = 1024;

  private static final byte[] PDF = "%PDF-".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  private static final byte[] JPEG = {(byte) 0xff, (byte) 0xd8, (byte) 0xff};
  private static final byte[] TIFF_LITTLE_ENDIAN = {'I', 'I', 42, 0};
  private static final byte[] TIFF_BIG_ENDIAN = {'M', 'M', 0, 42};

  private ContentSniffer() {}

  /**
   * The type of a file that starts with {@code head}, or empty if it is none we accept. A PDF
   * header may follow some junk within the first 1024 bytes, as PDF readers allow.
   */
  public static Optional<MediaType> sniff(byte[] head, int length) {
    if (startsWith(head, length, PNG)) {
      return Optional.of(MediaType.PNG);
    }
    if (startsWith(head, length, JPEG)) {
      return Optional.of(MediaType.JPEG);
    }
    if (startsWith(head, length, TIFF_LITTLE_ENDIAN) || startsWith(head, length, TIFF_BIG_ENDIAN)) {
      return Optional.of(MediaType.TIFF);
    }
    if (indexOf(head, Math.min(length, HEAD_BYTES), PDF) >= 0) {
      return Optional.of(MediaType.PDF);
    }
    return Optional.empty();
  }

  private static boolean startsWith(byte[] head, int length, byte[] magic) {
    return length >= magic.length && Arrays.equals(head, 0, magic.length, magic, 0, magic.length);
  }

  private static int indexOf(byte[] head, int length, byte[] magic) {
    for (int i = 0; i + magic.length <= length; i++) {
      if (Arrays.equals(head, i, i + magic.length, magic, 0, magic.length)) {
        return i;
      }
    }
    return -1;
  }
}
