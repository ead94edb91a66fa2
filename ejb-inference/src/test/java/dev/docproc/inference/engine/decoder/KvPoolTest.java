package dev.docproc.inference.engine.decoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.docproc.inference.engine.compute.cpu.CpuOps;
import org.junit.jupiter.api.Test;

class KvPoolTest {
  private final CpuOps ops = new CpuOps(new CpuOps.Options(1, false));

  @Test
  void sequencesGetRunsOfBlocksBackOnClose() {
    try (KvPool pool = new KvPool(ops, 2, 10, 8)) {
      KvCache a = pool.allocate(130); // 3 blocks
      KvCache b = pool.allocate(64); // 1 block
      KvCache c = pool.allocate(6 * 64); // 6 blocks: the pool is full
      assertNotNull(c);
      assertEquals(0, pool.freeBlocks());
      assertEquals(0, a.slot(0));
      assertEquals(3 * 64, b.slot(0));
      assertEquals(4 * 64 + 5, c.slot(5));
      assertNull(pool.allocate(1), "no block free: the caller waits");
      a.close();
      b.close();
      assertNull(pool.allocate(5 * 64), "4 free blocks, but not 5");
      KvCache d = pool.allocate(4 * 64);
      assertEquals(0, d.slot(0), "the freed run is used again");
      a.close(); // twice: no effect
      assertEquals(0, pool.freeBlocks());
    }
  }

  @Test
  void aSequenceLongerThanThePoolIsRefused() {
    try (KvPool pool = new KvPool(ops, 1, 2, 8)) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> pool.allocate(200));
      assertTrue(e.getMessage().contains("needs 4 KV blocks but the pool has 2"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> new KvPool(ops, 1, 0, 8));
  }

  @Test
  void theBlockTableFollowsTheBatchesCaches() {
    try (KvPool pool = new KvPool(ops, 1, 8, 8)) {
      KvCache a = pool.allocate(100);
      KvCache b = pool.allocate(64);
      DecodeBatch batch =
          new DecodeBatch(
              ops,
              new dev.docproc.inference.engine.model.ModelConfig.TextConfig(
                  8, 1, 1, 1, 8, 8, 1e-6f, 1e6, new int[] {1, 1, 2}, 16, true, 4096),
              pool,
              2,
              192);
      int[] table = batch.blockTableFor(new KvCache[] {b, a}, 2);
      assertEquals(3, batch.maxBlocks);
      assertEquals(2, table[0], "b's first block");
      assertEquals(0, table[3], "a's first block");
      assertEquals(1, table[4], "a's second block");
      assertNull(batch.blockTableFor(new KvCache[] {b, a}, 2), "unchanged: nothing to write");
      assertNotNull(batch.blockTableFor(new KvCache[] {a, b}, 2), "moved rows: written again");
      batch.close();
    }
  }
}
