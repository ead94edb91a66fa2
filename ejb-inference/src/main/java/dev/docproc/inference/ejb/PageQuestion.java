package dev.docproc.inference.ejb;

import java.util.Objects;

/**
 * A question about one page: the page image (PNG, JPEG or TIFF bytes) and the instruction the model
 * follows, which goes after the image in one user turn of the chat template.
 */
public record PageQuestion(byte[] image, String prompt) {

  public PageQuestion {
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(prompt, "prompt");
    if (image.length == 0 || prompt.isBlank()) {
      throw new IllegalArgumentException("a page question needs an image and a prompt");
    }
  }
}
