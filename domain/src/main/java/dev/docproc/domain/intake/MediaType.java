package dev.docproc.domain.intake;

import java.util.Arrays;

/** The kinds of file the platform accepts. Images are single-page documents. */
public enum MediaType {
  PDF("application/pdf"),
  PNG("image/png"),
  JPEG("image/jpeg"),
  TIFF("image/tiff");

  private final String mime;

  MediaType(String mime) {
    this.mime = mime;
  }

  public String mime() {
    return mime;
  }

  public boolean isImage() {
    return this != PDF;
  }

  public static MediaType ofMime(String mime) {
    return Arrays.stream(values())
        .filter(t -> t.mime.equals(mime))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("not an accepted media type: " + mime));
  }
}
