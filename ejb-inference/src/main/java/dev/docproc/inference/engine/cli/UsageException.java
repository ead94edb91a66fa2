package dev.docproc.inference.engine.cli;

/** A command line that cannot be run; the message says which option is wrong. */
final class UsageException extends RuntimeException {
  UsageException(String message) {
    super(message);
  }
}
