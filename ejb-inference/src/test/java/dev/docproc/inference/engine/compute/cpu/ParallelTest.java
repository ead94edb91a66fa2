package dev.docproc.inference.engine.compute.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ParallelTest {

  @Test
  void everyTaskRunsOnceInEveryJob() {
    SplittableRandom random = new SplittableRandom(7);
    try (Parallel parallel = new Parallel(3)) {
      for (int job = 0; job < 2000; job++) {
        int tasks = random.nextInt(0, 40);
        AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
        parallel.forEach(tasks, runs::incrementAndGet);
        for (int i = 0; i < tasks; i++) {
          assertEquals(1, runs.get(i), "job " + job + ", task " + i + " of " + tasks);
        }
      }
    }
  }

  @Test
  void theHelpersTakeTasks() throws InterruptedException {
    Set<String> threads = ConcurrentHashMap.newKeySet();
    try (Parallel parallel = new Parallel(2)) {
      parallel.forEach(
          20,
          i -> {
            threads.add(Thread.currentThread().getName());
            sleep(5);
          });
    }
    assertTrue(threads.contains("docproc-cpu-1"), "a helper took tasks: " + threads);
    assertTrue(threads.contains(Thread.currentThread().getName()), "so did the caller");
  }

  @Test
  void aFailingTaskFailsTheCallAndLeavesThePoolUsable() {
    try (Parallel parallel = new Parallel(2)) {
      IllegalStateException thrown =
          assertThrows(
              IllegalStateException.class,
              () ->
                  parallel.forEach(
                      100,
                      i -> {
                        if (i == 37) {
                          throw new IllegalStateException("task 37");
                        }
                      }));
      assertEquals("task 37", thrown.getMessage());
      AtomicLong sum = new AtomicLong();
      parallel.forEach(100, sum::addAndGet);
      assertEquals(4950, sum.get());
    }
  }

  @Test
  void twoCallersEachGetTheirWholeJob() throws Exception {
    try (Parallel parallel = new Parallel(2)) {
      AtomicLong[] sums = {new AtomicLong(), new AtomicLong()};
      CountDownLatch start = new CountDownLatch(1);
      Thread[] callers = new Thread[2];
      for (int c = 0; c < 2; c++) {
        AtomicLong sum = sums[c];
        callers[c] =
            Thread.ofPlatform()
                .start(
                    () -> {
                      awaitQuietly(start);
                      for (int job = 0; job < 500; job++) {
                        parallel.forEach(64, sum::addAndGet);
                      }
                    });
      }
      start.countDown();
      for (Thread caller : callers) {
        caller.join();
      }
      assertEquals(500L * 2016, sums[0].get());
      assertEquals(500L * 2016, sums[1].get());
    }
  }

  @Test
  void aTaskThatStartsAJobRunsItItself() {
    try (Parallel parallel = new Parallel(2)) {
      AtomicLong inner = new AtomicLong();
      parallel.forEach(4, i -> parallel.forEach(10, inner::addAndGet));
      assertEquals(4 * 45, inner.get());
    }
  }

  @Test
  void closeStopsTheHelpers() throws InterruptedException {
    Parallel parallel = new Parallel(2);
    Thread[] helper = new Thread[1];
    parallel.forEach(
        20,
        i -> {
          if (Thread.currentThread().getName().equals("docproc-cpu-1")) {
            helper[0] = Thread.currentThread();
          }
          sleep(2);
        });
    assertTrue(helper[0] != null, "the helper took a task");
    parallel.close();
    helper[0].join(5_000);
    assertFalse(helper[0].isAlive());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
