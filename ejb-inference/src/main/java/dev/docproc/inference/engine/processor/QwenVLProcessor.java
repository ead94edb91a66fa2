package dev.docproc.inference.engine.processor;

import dev.docproc.inference.engine.text.ChatMessage;
import dev.docproc.inference.engine.text.ChatTemplate;
import dev.docproc.inference.engine.text.QwenTokenizer;
import dev.docproc.inference.engine.vision.preprocess.ImageInput;
import dev.docproc.inference.engine.vision.preprocess.ImagePreprocessor;
import dev.docproc.inference.engine.vision.preprocess.PixelValues;
import dev.docproc.inference.engine.vision.preprocess.PreprocessorConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * transformers' {@code Qwen2_5_VLProcessor} for images and text: renders the chat template,
 * preprocesses the images, tokenizes, and repeats each {@code <|image_pad|>} once per token the
 * vision merger will produce for its image ({@code gridT·gridH·gridW / merge_size²}).
 *
 * <p>transformers repeats the pad in the text and then tokenizes; the pad is an added token that
 * the tokenizer never merges with its neighbours, so repeating its id after tokenizing gives the
 * same ids without tokenizing a string of thousands of pads.
 */
public final class QwenVLProcessor implements AutoCloseable {

  public static final String IMAGE_PAD = "<|image_pad|>";

  private final QwenTokenizer tokenizer;
  private final ChatTemplate chatTemplate;
  private final ImagePreprocessor imagePreprocessor;
  private final int imagePadId;

  public QwenVLProcessor(
      QwenTokenizer tokenizer, ChatTemplate chatTemplate, ImagePreprocessor imagePreprocessor) {
    this.tokenizer = tokenizer;
    this.chatTemplate = chatTemplate;
    this.imagePreprocessor = imagePreprocessor;
    this.imagePadId = tokenizer.tokenId(IMAGE_PAD);
  }

  /**
   * Opens the processor files of a Hugging Face model directory: {@code tokenizer.json}, the chat
   * template ({@link ChatTemplate#load}) and {@code preprocessor_config.json}.
   */
  public static QwenVLProcessor load(Path modelDir) throws IOException {
    ChatTemplate chatTemplate = ChatTemplate.load(modelDir);
    PreprocessorConfig config =
        PreprocessorConfig.load(modelDir.resolve("preprocessor_config.json"));
    QwenTokenizer tokenizer = QwenTokenizer.load(modelDir.resolve("tokenizer.json"));
    try {
      return new QwenVLProcessor(tokenizer, chatTemplate, new ImagePreprocessor(config));
    } catch (RuntimeException e) {
      tokenizer.close();
      throw e;
    }
  }

  /** {@link #prepare(List, List, boolean)} with the assistant's turn opened, as for generation. */
  public Prompt prepare(List<ChatMessage> messages, List<ImageInput> images) {
    return prepare(messages, images, true);
  }

  /**
   * @param images one per image part of {@code messages}, in order
   * @throws IllegalArgumentException if the images do not match the image parts
   */
  public Prompt prepare(
      List<ChatMessage> messages, List<ImageInput> images, boolean addGenerationPrompt) {
    int imageParts = messages.stream().mapToInt(ChatMessage::imageCount).sum();
    if (imageParts != images.size()) {
      throw new IllegalArgumentException(
          "the messages have "
              + imageParts
              + " image parts but "
              + images.size()
              + " images were given");
    }
    String text = chatTemplate.render(messages, addGenerationPrompt, Map.of());
    List<PixelValues> pixels = new ArrayList<>(images.size());
    for (ImageInput image : images) {
      pixels.add(imagePreprocessor.preprocess(image));
    }
    return new Prompt(text, expandImagePads(tokenizer.encode(text), pixels), pixels);
  }

  private int[] expandImagePads(int[] ids, List<PixelValues> pixels) {
    int pads = 0;
    for (int id : ids) {
      pads += id == imagePadId ? 1 : 0;
    }
    if (pads != pixels.size()) {
      throw new IllegalArgumentException(
          "the prompt has "
              + pads
              + " "
              + IMAGE_PAD
              + " tokens but "
              + pixels.size()
              + " images were given (is "
              + IMAGE_PAD
              + " written in the text?)");
    }
    int length = ids.length - pads;
    for (PixelValues p : pixels) {
      length += p.numMergedTokens();
    }
    int[] out = new int[length];
    int o = 0;
    int image = 0;
    for (int id : ids) {
      if (id != imagePadId) {
        out[o++] = id;
        continue;
      }
      int n = pixels.get(image++).numMergedTokens();
      Arrays.fill(out, o, o + n, imagePadId);
      o += n;
    }
    return out;
  }

  public int imagePadId() {
    return imagePadId;
  }

  public QwenTokenizer tokenizer() {
    return tokenizer;
  }

  public ChatTemplate chatTemplate() {
    return chatTemplate;
  }

  public ImagePreprocessor imagePreprocessor() {
    return imagePreprocessor;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
