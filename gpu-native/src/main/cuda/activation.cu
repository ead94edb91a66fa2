// Elementwise activations in fp32 on bf16 inputs, one rounding per torch op (MODEL.md §8.7).
// Grid-stride kernels over a [M, n] matrix with row strides: block = 256, grid = (ceil(n/256),
// min(M, 65535)); block row y handles rows y, y + gridDim.y, ... (a grid's y extent is at most
// 65535, fewer than the patches of a max_pixels image).
#include "common.cuh"

// out = bf16( bf16(silu(gate)) · up ),  silu(g) = g / (1 + exp(-g)).  out may alias gate or up.
extern "C" __global__ void silu_mul(const bf16* gate, int ldg, const bf16* up, int ldu, bf16* out, int ldo, int n,
                                    int m) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  for (size_t r = blockIdx.y; r < (size_t)m; r += gridDim.y) {
    const float g = bf16_to_f32(gate[r * ldg + i]);
    const float s = round_bf16(__fdiv_rn(g, __fadd_rn(1.f, expf(-g))));
    out[r * ldo + i] = f32_to_bf16(__fmul_rn(s, bf16_to_f32(up[r * ldu + i])));
  }
}

// x = bf16(x + y): the residual add after a sub-block's output projection. x may not alias y.
extern "C" __global__ void add_rows(bf16* x, int ldx, const bf16* __restrict__ y, int ldy, int n, int m) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  for (size_t r = blockIdx.y; r < (size_t)m; r += gridDim.y) {
    x[r * ldx + i] = f32_to_bf16(__fadd_rn(bf16_to_f32(x[r * ldx + i]), bf16_to_f32(y[r * ldy + i])));
  }
}

// out = bf16( x · 0.5 · (1 + erf(x / √2)) ), exact-erf GELU (torch nn.GELU()).  out may alias x.
extern "C" __global__ void gelu(const bf16* x, int ldx, bf16* out, int ldo, int n, int m) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  for (size_t r = blockIdx.y; r < (size_t)m; r += gridDim.y) {
    const float v = bf16_to_f32(x[r * ldx + i]);
    const float e = erff(__fmul_rn(v, 0.70710678118654752f));
    out[r * ldo + i] = f32_to_bf16(__fmul_rn(__fmul_rn(v, 0.5f), __fadd_rn(1.f, e)));
  }
}
