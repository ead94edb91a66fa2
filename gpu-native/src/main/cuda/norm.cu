// RMSNorm (Qwen2RMSNorm), one block per row, H % 8 == 0 (16-byte vectors):
//   out = bf16( w · bf16( h · rsqrt(mean(h²) + eps) ) ),   statistics in fp32 (MODEL.md §8.3).
// add_rmsnorm first adds a branch output into the residual stream, h = bf16(x + y), stores h back
// into x (the residual for the next step) and normalizes it: one pass instead of two kernels.
#include "common.cuh"

namespace rms {

constexpr int THREADS = 256;

__device__ __forceinline__ void load8(const bf16* p, float (&v)[8]) {
  const uint4 u = *reinterpret_cast<const uint4*>(p);
  const bf16x2* h = reinterpret_cast<const bf16x2*>(&u);
#pragma unroll
  for (int i = 0; i < 4; i++) {
    const float2 f = __bfloat1622float2(h[i]);
    v[2 * i] = f.x;
    v[2 * i + 1] = f.y;
  }
}

__device__ __forceinline__ void store8(bf16* p, const float (&v)[8]) {
  uint4 u;
  bf16x2* h = reinterpret_cast<bf16x2*>(&u);
#pragma unroll
  for (int i = 0; i < 4; i++) h[i] = __floats2bfloat162_rn(v[2 * i], v[2 * i + 1]);
  *reinterpret_cast<uint4*>(p) = u;
}

// Second pass shared by both kernels: h is already bf16-exact in memory (row `h`).
__device__ __forceinline__ void normalize_row(const bf16* h, const bf16* __restrict__ w, bf16* out, int H,
                                              float sum_sq, float eps) {
  const float inv = rsqrtf(sum_sq / (float)H + eps);
  for (int i = threadIdx.x * 8; i < H; i += THREADS * 8) {
    float v[8], g[8];
    load8(h + i, v);
    load8(w + i, g);
#pragma unroll
    for (int e = 0; e < 8; e++) v[e] = __fmul_rn(g[e], round_bf16(__fmul_rn(v[e], inv)));
    store8(out + i, v);
  }
}

}  // namespace rms

// grid = M rows, block = 256. x [M, H] (ldx), w [H], out [M, H] (ldo); out may alias x.
extern "C" __global__ void __launch_bounds__(rms::THREADS)
    rmsnorm(const bf16* x, int ldx, const bf16* __restrict__ w, bf16* out, int ldo, int H, float eps) {
  __shared__ float scratch[32];
  const bf16* xr = x + (size_t)blockIdx.x * ldx;
  float ss = 0.f;
  for (int i = threadIdx.x * 8; i < H; i += rms::THREADS * 8) {
    float v[8];
    rms::load8(xr + i, v);
#pragma unroll
    for (int e = 0; e < 8; e++) ss += v[e] * v[e];
  }
  ss = block_sum(ss, scratch);
  rms::normalize_row(xr, w, out + (size_t)blockIdx.x * ldo, H, ss, eps);
}

// grid = M rows, block = 256. x [M, H] residual stream (updated in place), y [M, H] branch output,
// out [M, H] normalized (must not alias x or y).
extern "C" __global__ void __launch_bounds__(rms::THREADS)
    add_rmsnorm(bf16* x, int ldx, const bf16* __restrict__ y, int ldy, const bf16* __restrict__ w,
                bf16* __restrict__ out, int ldo, int H, float eps) {
  __shared__ float scratch[32];
  bf16* xr = x + (size_t)blockIdx.x * ldx;
  const bf16* yr = y + (size_t)blockIdx.x * ldy;
  float ss = 0.f;
  for (int i = threadIdx.x * 8; i < H; i += rms::THREADS * 8) {
    float a[8], b[8];
    rms::load8(xr + i, a);
    rms::load8(yr + i, b);
#pragma unroll
    for (int e = 0; e < 8; e++) {
      a[e] = round_bf16(__fadd_rn(a[e], b[e]));
      ss += a[e] * a[e];
    }
    rms::store8(xr + i, a);  // each thread re-reads only the elements it wrote itself
  }
  ss = block_sum(ss, scratch);
  rms::normalize_row(xr, w, out + (size_t)blockIdx.x * ldo, H, ss, eps);
}
