package dev.docproc.inference.engine.compute.cuda;

import dev.docproc.gpu.CudaException;
import dev.docproc.gpu.CudaGraph;
import dev.docproc.inference.engine.compute.RecordedStep;
import java.lang.System.Logger.Level;

/**
 * A recorded step on the GPU: the first run executes the body directly (kernels get loaded,
 * workspaces allocated: nothing a capture may do), the second captures the body's launches into a
 * CUDA graph and launches it, every later run only launches the graph. If the driver refuses the
 * capture, the step says so once and runs its body directly from then on: slower, same results.
 */
final class CudaStep implements RecordedStep {
  private static final System.Logger LOG = System.getLogger(CudaStep.class.getName());

  private final CudaOps ops;
  private final Runnable body;
  private CudaGraph graph;
  private boolean warm;
  private boolean direct;

  CudaStep(CudaOps ops, Runnable body) {
    this.ops = ops;
    this.body = body;
  }

  @Override
  public void run() {
    if (!warm || direct) {
      body.run();
      warm = true;
      return;
    }
    if (graph == null) {
      ops.capturing(true);
      try {
        graph = CudaGraph.capture(ops.context(), body);
      } catch (CudaException e) {
        direct = true;
        LOG.log(
            Level.WARNING,
            "CUDA graph capture failed, this decode step runs without a graph: " + e.getMessage());
      } finally {
        ops.capturing(false);
      }
      if (direct) {
        body.run();
        return;
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
