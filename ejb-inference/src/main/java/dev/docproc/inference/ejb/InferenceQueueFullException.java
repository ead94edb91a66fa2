package dev.docproc.inference.ejb;

/** Every place in the engine's queue is taken; the same question may be asked again later. */
public class InferenceQueueFullException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public InferenceQueueFullException(int capacity) {
    super(
        "The inference queue is full ("
            + capacity
            + " questions waiting; docproc.inference.queue-capacity). Ask again later.");
  }
}
