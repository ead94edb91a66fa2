package dev.docproc.inference.engine.decoder;

import dev.docproc.inference.engine.compute.Buf;
import dev.docproc.inference.engine.compute.IntBuf;
import dev.docproc.inference.engine.compute.Ops;
import dev.docproc.inference.engine.model.ModelConfig.TextConfig;

/**
 * The buffers one forward pass over up to {@code rows} tokens works in: its inputs (token ids,
 * rotary tables, KV slots), written before the pass, and its activations.
 */
final class Workspace implements AutoCloseable {
  final int rows;
  final IntBuf ids; // [rows] token ids
  final Buf cos; // [rows, hd/2] float32
  final Buf sin; // [rows, hd/2] float32
  final IntBuf slots; // [rows] KV-cache row of each token
  final Buf x; // [rows, hidden] residual stream
  final Buf xb; // [rows, hidden]
  final Buf q; // [rows, heads·hd]
  final Buf k; // [rows, kvHeads·hd]
  final Buf v; // [rows, kvHeads·hd]
  final Buf att; // [rows, heads·hd]
  final Buf gate; // [rows, intermediate]
  final Buf up; // [rows, intermediate]

  Workspace(Ops ops, TextConfig c, int rows) {
    this.rows = rows;
    int hd = c.headDim();
    ids = ops.allocInts(rows);
    cos = ops.allocF32(rows, hd / 2);
    sin = ops.allocF32(rows, hd / 2);
    slots = ops.allocInts(rows);
    x = ops.alloc(rows, c.hiddenSize());
    xb = ops.alloc(rows, c.hiddenSize());
    q = ops.alloc(rows, c.heads() * hd);
    k = ops.alloc(rows, c.kvHeads() * hd);
    v = ops.alloc(rows, c.kvHeads() * hd);
    att = ops.alloc(rows, c.heads() * hd);
    gate = ops.alloc(rows, c.intermediateSize());
    up = ops.alloc(rows, c.intermediateSize());
  }

  @Override
  public void close() {
    ids.close();
    cos.close();
    sin.close();
    slots.close();
    x.close();
    xb.close();
    q.close();
    k.close();
    v.close();
    att.close();
    gate.close();
    up.close();
  }
}
