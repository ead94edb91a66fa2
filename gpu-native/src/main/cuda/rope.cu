// Rotary position embedding, rotate-half (NeoX) convention, in place on heads of D = 2·half:
//   x'[j]      = x[j]·cos_j − x[j+half]·sin_j
//   x'[j+half] = x[j+half]·cos_j + x[j]·sin_j,      j < half
// cos and sin are per-token fp32 tables [T, half] built on the host by the model code (text M-RoPE:
// three position rows mixed by mrope_section; vision 2-D: row and column angles), so one kernel
// serves every variant. Arithmetic in fp32 with one rounding of each output to bf16 (exactly torch's
// vision path, MODEL.md §4.6; the text path in torch rounds cos, sin and each product to bf16 —
// fp32 here is closer to the fp32 reference).
// x [T, ld] holds nheads consecutive heads starting at x (q and k of a fused qkv output are adjacent,
// so one launch can rotate both). grid = T, block = min(nheads·half rounded up to 32, 1024).
#include "common.cuh"

extern "C" __global__ void rope(bf16* x, int ld, int nheads, int half, const float* __restrict__ cos_t,
                                const float* __restrict__ sin_t, int ldcs) {
  const int tok = blockIdx.x;
  bf16* xt = x + (size_t)tok * ld;
  const float* ct = cos_t + (size_t)tok * ldcs;
  const float* st = sin_t + (size_t)tok * ldcs;
  for (int i = threadIdx.x; i < nheads * half; i += blockDim.x) {
    const int h = i / half, j = i % half;
    const float c = ct[j], s = st[j];
    bf16* p = xt + h * 2 * half + j;
    const float a = bf16_to_f32(p[0]), b = bf16_to_f32(p[half]);
    p[0] = f32_to_bf16(__fadd_rn(__fmul_rn(a, c), __fmul_rn(-b, s)));
    p[half] = f32_to_bf16(__fadd_rn(__fmul_rn(b, c), __fmul_rn(a, s)));
  }
}
