package dev.docproc.gpu;

import static dev.docproc.gpu.CudaException.check;

import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUstreamCaptureMode;
import jcuda.driver.JCudaDriver;

/**
 * A captured sequence of launches on the context's stream, replayed with one call (a decode step:
 * dozens of small kernels, one launch overhead). The graph keeps the device addresses and scalar
 * arguments of its launches: inputs that change between replays (token ids, positions, sequence
 * lengths) must live in device buffers that the caller updates before each {@link #launch()}.
 */
public final class CudaGraph implements AutoCloseable {
  private final CudaContext context;
  private final CUgraph graph;
  private final CUgraphExec exec;

  private CudaGraph(CudaContext context, CUgraph graph, CUgraphExec exec) {
    this.context = context;
    this.graph = graph;
    this.exec = exec;
  }

  /** Records the launches {@code body} queues on the context's stream (nothing runs yet). */
  public static CudaGraph capture(CudaContext context, Runnable body) {
    context.bind();
    check(
        JCudaDriver.cuStreamBeginCapture(
            context.stream(), CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL),
        "cuStreamBeginCapture");
    CUgraph graph = new CUgraph();
    try {
      body.run();
    } finally {
      // always end the capture, also when body failed, so the stream is usable again
      int ended = JCudaDriver.cuStreamEndCapture(context.stream(), graph);
      check(ended, "cuStreamEndCapture");
    }
    CUgraphExec exec = new CUgraphExec();
    check(JCudaDriver.cuGraphInstantiate(exec, graph, 0), "cuGraphInstantiate");
    return new CudaGraph(context, graph, exec);
  }

  /** Queues one replay on the context's stream. */
  public void launch() {
    context.bind();
    check(JCudaDriver.cuGraphLaunch(exec, context.stream()), "cuGraphLaunch");
  }

  @Override
  public void close() {
    context.bind();
    JCudaDriver.cuGraphExecDestroy(exec);
    JCudaDriver.cuGraphDestroy(graph);
  }
}
