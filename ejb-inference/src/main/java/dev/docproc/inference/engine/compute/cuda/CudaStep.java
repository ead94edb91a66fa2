package dev.docproc.inference.engine.compute.cuda;

import dev.docproc.gpu.CudaGraph;
import dev.docproc.inference.engine.compute.RecordedStep;

/**
 * A recorded step on the GPU: the first run executes the body directly (kernels get loaded,
 * workspaces allocated: nothing a capture may do), the second captures the body's launches into a
 * CUDA graph and launches it, every later run only launches the graph.
 */
final class CudaStep implements RecordedStep {
  private final CudaOps ops;
  private final Runnable body;
  private CudaGraph graph;
  private boolean warm;

  CudaStep(CudaOps ops, Runnable body) {
    this.ops = ops;
    this.body = body;
  }

  @Override
  public void run() {
    if (!warm) {
      body.run();
      warm = true;
      return;
    }
    if (graph == null) {
      ops.capturing(true);
      try {
        graph = CudaGraph.capture(ops.context(), body);
      } finally {
        ops.capturing(false);
      }
    }
    graph.launch();
  }

  @Override
  public void close() {
    if (graph != null) {
      graph.close();
      graph = null;
    }
  }
}
