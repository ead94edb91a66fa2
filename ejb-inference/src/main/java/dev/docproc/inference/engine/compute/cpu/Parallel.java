package dev.docproc.inference.engine.compute.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Runs {@code tasks} numbered 0..tasks-1 on all threads, each thread taking the next number until
 * none are left (uneven tasks balance themselves), and returns when all are done.
 */
final class Parallel implements AutoCloseable {
  private final int threads;
  private final ForkJoinPool pool;

  Parallel(int threads) {
    this.threads = threads;
    this.pool = threads > 1 ? new ForkJoinPool(threads) : null;
  }

  int threads() {
    return threads;
  }

  void forEach(int tasks, IntConsumer task) {
    if (pool == null || tasks <= 1) {
      for (int i = 0; i < tasks; i++) {
        task.accept(i);
      }
      return;
    }
    AtomicInteger next = new AtomicInteger();
    Runnable worker =
        () -> {
          for (int i; (i = next.getAndIncrement()) < tasks; ) {
            task.accept(i);
          }
        };
    int helpers = Math.min(threads, tasks) - 1;
    ForkJoinTask<?>[] running = new ForkJoinTask<?>[helpers];
    for (int h = 0; h < helpers; h++) {
      running[h] = pool.submit(worker);
    }
    worker.run();
    for (ForkJoinTask<?> t : running) {
      t.join();
    }
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
