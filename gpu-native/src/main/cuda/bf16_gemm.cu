// bf16 linear layers (vision tower, patch embedding, merger, tied lm_head):
//   Y[M, N] = X[M, K] · W[N, K]ᵀ (+ bias[N]),   W bf16 row-major with row stride ldw.
// Any K is allowed (tails are zero-filled), but every row must start 16-byte aligned:
// ldx % 8 == 0 and ldw % 8 == 0 (so a [*, 3420] matrix is stored with a padded stride, e.g. 3424);
// N even and ldy % 2 == 0 for the paired stores. Checked by the Java launcher.
#include "gemm_tile.cuh"

namespace bf16mm {

constexpr int GEMV_WARPS = 8, GEMV_UNROLL = 4;

// GEMM operand policy (see gemm_tile.cuh): W tile [128 rows (n)][64 k] per stage, same swizzle as X.
struct Bf16Operand {
  static constexpr int SMEM_BYTES = gemm::BN * gemm::BK * 2;  // 16 KiB
  const bf16* __restrict__ w;
  int ldw, N, K, n0;

  __device__ __forceinline__ void load_stage(uint8_t* s, int kt, int tid) {
    bf16* sw = reinterpret_cast<bf16*>(s);
#pragma unroll
    for (int i = 0; i < gemm::BN * gemm::BK / 8 / gemm::THREADS; i++) {  // 8 chunks per thread
      const int idx = tid + i * gemm::THREADS, r = idx >> 3, c = idx & 7;
      const int gn = n0 + r, gk = kt * gemm::BK + c * 8;
      const int bytes = gn < N ? gemm::chunk_bytes(gk, K) : 0;
      cp_async16(sw + gemm::swizzled(r, c), bytes > 0 ? w + (size_t)gn * ldw + gk : w, bytes);
    }
  }

  __device__ __forceinline__ void begin_stage(const uint8_t*, int, int) {}

  // W rows are mma's B columns, so plain (non-transposed) ldmatrix yields B-fragments directly:
  // one x4 covers 16 rows (two n8 tiles) × 16 k: matrices = (rows 0-7, k 0-7), (rows 0-7, k 8-15),
  // (rows 8-15, k 0-7), (rows 8-15, k 8-15) = b[0], b[1] of tile 2p and b[0], b[1] of tile 2p+1.
  __device__ __forceinline__ void b_frags(const uint8_t* s, int kk, int warp_n, int lane, uint32_t (&b)[8][2]) {
    const bf16* sw = reinterpret_cast<const bf16*>(s);
#pragma unroll
    for (int p = 0; p < 4; p++) {
      const int row = warp_n * 64 + p * 16 + (lane & 7) + ((lane >> 4) << 3);
      uint32_t r[4];
      ldmatrix_x4(r, sw + gemm::swizzled(row, kk * 2 + ((lane >> 3) & 1)));
      b[2 * p][0] = r[0];
      b[2 * p][1] = r[1];
      b[2 * p + 1][0] = r[2];
      b[2 * p + 1][1] = r[3];
    }
  }
};

}  // namespace bf16mm

// grid = (ceil(N/128), ceil(M/64)), block = 128; 2 stages × (8 + 16) KiB = 48 KiB of shared memory.
extern "C" __global__ void __launch_bounds__(gemm::THREADS)
    bf16_gemm(const bf16* __restrict__ x, int ldx, const bf16* __restrict__ w, int ldw, const bf16* __restrict__ bias,
              bf16* __restrict__ y, int ldy, int M, int N, int K) {
  bf16mm::Bf16Operand op{w, ldw, N, K, (int)blockIdx.x * gemm::BN};
  gemm::gemm_block<bf16mm::Bf16Operand, 2>(op, x, ldx, bias, y, ldy, M, N, K);
}

// Decode path for 1 <= M <= 8 rows (e.g. the lm_head for one token per sequence), memory-bound:
//   Yᵀ[16 n × 8 rows] += W[16 n × 32 k] · Xᵀ[32 k × 8 rows] as two mma.m16n8k16.
// A dot product does not care in which order its k terms come, so each lane loads 8 consecutive
// columns (16 bytes) of W rows g and g+8 and of X row g, and the two mma steps read them as
// "k = 2t, 2t+1, 2t+8, 2t+9": step 1 takes columns 8t+0..3, step 2 columns 8t+4..7. Both operands
// use the same mapping, so the products pair up correctly and the loads stay 16 bytes wide.
// grid = ceil(N/16), block = 256 = 8 warps splitting K in 32-column chunks, UNROLL chunks in flight.
extern "C" __global__ void __launch_bounds__(bf16mm::GEMV_WARPS * 32)
    bf16_gemv(const bf16* __restrict__ x, int ldx, const bf16* __restrict__ w, int ldw, const bf16* __restrict__ bias,
              bf16* __restrict__ y, int ldy, int M, int N, int K) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, g = lane >> 2, t = lane & 3;
  const int n_lo = blockIdx.x * 16 + g, n_hi = n_lo + 8;
  const bool has_row = g < M, has_lo = n_lo < N, has_hi = n_hi < N;
  const bf16* xr = x + (size_t)(has_row ? g : 0) * ldx;
  const bf16* wlo = w + (size_t)(has_lo ? n_lo : 0) * ldw;
  const bf16* whi = w + (size_t)(has_hi ? n_hi : 0) * ldw;
  const uint4 zero = make_uint4(0, 0, 0, 0);
  const int chunks = (K + 31) / 32;

  float acc[4] = {0.f, 0.f, 0.f, 0.f};
  for (int c0 = warp; c0 < chunks; c0 += bf16mm::GEMV_WARPS * bf16mm::GEMV_UNROLL) {
    uint4 lo[bf16mm::GEMV_UNROLL], hi[bf16mm::GEMV_UNROLL], xv[bf16mm::GEMV_UNROLL];
#pragma unroll
    for (int u = 0; u < bf16mm::GEMV_UNROLL; u++) {
      const int k = (c0 + u * bf16mm::GEMV_WARPS) * 32 + 8 * t;  // K % 8 == 0: a chunk is all in or all out
      const bool in = k < K;
      lo[u] = in && has_lo ? ld_stream(reinterpret_cast<const uint4*>(wlo + k)) : zero;
      hi[u] = in && has_hi ? ld_stream(reinterpret_cast<const uint4*>(whi + k)) : zero;
      xv[u] = in && has_row ? __ldg(reinterpret_cast<const uint4*>(xr + k)) : zero;
    }
#pragma unroll
    for (int u = 0; u < bf16mm::GEMV_UNROLL; u++) {
      const uint32_t a1[4] = {lo[u].x, hi[u].x, lo[u].y, hi[u].y}, b1[2] = {xv[u].x, xv[u].y};
      const uint32_t a2[4] = {lo[u].z, hi[u].z, lo[u].w, hi[u].w}, b2[2] = {xv[u].z, xv[u].w};
      mma_bf16_16816(acc, a1, b1);
      mma_bf16_16816(acc, a2, b2);
    }
  }

  gemm::gemv_store<bf16mm::GEMV_WARPS>(acc, n_lo, bias, y, ldy, M, N);
}
