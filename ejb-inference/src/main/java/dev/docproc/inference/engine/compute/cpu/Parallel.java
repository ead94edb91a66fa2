package dev.docproc.inference.engine.compute.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * Runs {@code tasks} numbered 0..tasks-1 on all threads, each thread taking the next number until
 * none are left (uneven tasks balance themselves), and returns when all are done.
 *
 * <p>The helper threads spin for a while after each job before they park. A decode step is some 250
 * short parallel matmuls, a few hundred microseconds each, separated by a few microseconds of
 * serial work; waking a parked thread takes tens of microseconds, which a pool that parks between
 * jobs (the ForkJoinPool this replaced) pays on every one of them. Measured on the 2-core VM:
 * decode 7.1 → 8.6 tokens/s (docs/benchmarks.md, run 4). An idle engine parks its helpers after
 * {@link #SPIN_NANOS}.
 */
final class Parallel implements AutoCloseable {
  /** How long a helper waits busily for the next job before it parks. */
  private static final long SPIN_NANOS = 500_000;

  private final int threads;
  private final Thread[] helpers;

  private Thread caller; // the thread whose job runs; guarded by this
  // the current job, published by the volatile write of generation
  private IntConsumer task;
  private int tasks;
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicInteger helpersBusy = new AtomicInteger();
  private volatile Throwable failure;
  private volatile long generation;
  private volatile boolean closed;

  Parallel(int threads) {
    this.threads = threads;
    this.helpers = new Thread[threads - 1];
    for (int h = 0; h < helpers.length; h++) {
      helpers[h] = Thread.ofPlatform().daemon().name("docproc-cpu-" + (h + 1)).start(this::help);
    }
  }

  int threads() {
    return threads;
  }

  /** One job at a time: a second caller waits; a task that calls this runs its tasks itself. */
  void forEach(int tasks, IntConsumer task) {
    if (helpers.length == 0 || tasks <= 1 || isHelper()) {
      runInline(tasks, task);
      return;
    }
    synchronized (this) {
      if (caller == Thread.currentThread()) {
        runInline(tasks, task);
      } else {
        caller = Thread.currentThread();
        try {
          runJob(tasks, task);
        } finally {
          caller = null;
        }
      }
    }
  }

  private static void runInline(int tasks, IntConsumer task) {
    for (int i = 0; i < tasks; i++) {
      task.accept(i);
    }
  }

  private void runJob(int tasks, IntConsumer task) {
    this.task = task;
    this.tasks = tasks;
    next.set(0);
    failure = null;
    helpersBusy.set(helpers.length);
    generation++; // publishes the job
    for (Thread helper : helpers) {
      LockSupport.unpark(helper);
    }
    runTasks();
    while (helpersBusy.get() > 0) {
      Thread.onSpinWait();
    }
    this.task = null;
    Throwable failed = failure;
    if (failed instanceof RuntimeException e) {
      throw e;
    } else if (failed instanceof Error e) {
      throw e;
    }
  }

  private boolean isHelper() {
    Thread current = Thread.currentThread();
    for (Thread helper : helpers) {
      if (helper == current) {
        return true;
      }
    }
    return false;
  }

  private void runTasks() {
    try {
      for (int i; (i = next.getAndIncrement()) < tasks; ) {
        task.accept(i);
      }
    } catch (RuntimeException | Error e) {
      failure = e;
      next.set(tasks); // the others stop taking tasks
    }
  }

  private void help() {
    long done = 0;
    while (true) {
      long spinUntil = System.nanoTime() + SPIN_NANOS;
      while (generation == done && !closed) {
        if (System.nanoTime() < spinUntil) {
          Thread.onSpinWait();
        } else {
          LockSupport.park(this);
        }
      }
      if (closed) {
        return;
      }
      done = generation;
      runTasks();
      helpersBusy.decrementAndGet();
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Thread helper : helpers) {
      LockSupport.unpark(helper);
    }
  }
}
