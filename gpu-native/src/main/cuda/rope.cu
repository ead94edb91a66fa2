// Rotary position embedding, rotate-half (NeoX) convention, in place on heads of D = 2·half:
//   x'[j]      = x[j]·cos θ_j − x[j+half]·sin θ_j
//   x'[j+half] = x[j+half]·cos θ_j + x[j]·sin θ_j,      θ_j = pos[row_j][token] · freq_j  (fp32)
// Which position row and which inverse frequency each j uses is data (built on the host), so one
// kernel serves both model variants:
//   text M-RoPE: 3 rows (t, h, w), mrope_section [16, 24, 24]: row_j = 0 for j < 16, 1 for j < 40,
//                else 2; freq_j = inv_freq[j].  Arithmetic in bf16 (cos, sin and every product and
//                sum rounded to bf16, as torch does on bf16 tensors; MODEL.md §5.4, §8.4).
//   vision 2-D:  2 rows (h, w), row_j = j < 20 ? 0 : 1, freq_j = inv_freq[j % 20]; arithmetic in
//                fp32, one rounding at the end (MODEL.md §4.2, §4.6).
// x [T, ld] holds nheads consecutive heads starting at x (q and k of a fused qkv output are adjacent,
// so one launch rotates both). pos int32 [rows][T]. grid = T, block = min(nheads·half, 1024).
#include "common.cuh"

template <bool BF16_MATH>
__device__ __forceinline__ void rope_token(bf16* x, int ld, int nheads, int half, const int* __restrict__ pos, int T,
                                           const float* __restrict__ freq, const int* __restrict__ row) {
  const int tok = blockIdx.x;
  bf16* xt = x + (size_t)tok * ld;
  for (int i = threadIdx.x; i < nheads * half; i += blockDim.x) {
    const int h = i / half, j = i % half;
    const float theta = __fmul_rn((float)pos[row[j] * T + tok], freq[j]);
    float c = cosf(theta), s = sinf(theta);
    bf16* p = xt + h * 2 * half + j;
    const float a = bf16_to_f32(p[0]), b = bf16_to_f32(p[half]);
    float lo, hi;
    if (BF16_MATH) {
      c = round_bf16(c);
      s = round_bf16(s);
      lo = __fadd_rn(round_bf16(__fmul_rn(a, c)), round_bf16(__fmul_rn(-b, s)));
      hi = __fadd_rn(round_bf16(__fmul_rn(b, c)), round_bf16(__fmul_rn(a, s)));
    } else {
      lo = __fadd_rn(__fmul_rn(a, c), __fmul_rn(-b, s));
      hi = __fadd_rn(__fmul_rn(b, c), __fmul_rn(a, s));
    }
    p[0] = f32_to_bf16(lo);
    p[half] = f32_to_bf16(hi);
  }
}

extern "C" __global__ void rope_bf16(bf16* x, int ld, int nheads, int half, const int* __restrict__ pos, int T,
                                     const float* __restrict__ freq, const int* __restrict__ row) {
  rope_token<true>(x, ld, nheads, half, pos, T, freq, row);
}

extern "C" __global__ void rope_f32(bf16* x, int ld, int nheads, int half, const int* __restrict__ pos, int T,
                                    const float* __restrict__ freq, const int* __restrict__ row) {
  rope_token<false>(x, ld, nheads, half, pos, T, freq, row);
}
