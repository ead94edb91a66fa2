// W4A16 linear layers: Y[M, N] = X[M, K] · Wᵀ (+ bias[N]) with W int4, group-wise bf16 scales.
//
// W is NOT in the checkpoint's layout here: it is repacked once at load (Java: W4Layout.repack) into
// a "fragment" layout in which one 32-bit word is exactly what one lane needs for one 16×16 block of W
// in an mma.m16n8k16 (the Marlin idea: no shuffles, no shared-memory transposes, 16-byte loads).
//
//   qw   uint32 [N/16][K/64][32 lanes][4]   (so one lane reads one uint4 per 16 rows × 64 columns)
//        word j of lane L in (n-tile nt, k-block kb) covers rows n = 16nt + {g, g+8} (g = L/4) and
//        columns k = 64kb + 16j + {2t, 2t+1, 2t+8, 2t+9} (t = L%4); its nibbles (u = q + 8):
//          bits  0.. 3: W[16nt+g  ][k0+2t  ]   bits 16..19: W[16nt+g  ][k0+2t+1]
//          bits  4.. 7: W[16nt+g  ][k0+2t+8]   bits 20..23: W[16nt+g  ][k0+2t+9]
//          bits  8..11: W[16nt+g+8][k0+2t  ]   bits 24..27: W[16nt+g+8][k0+2t+1]
//          bits 12..15: W[16nt+g+8][k0+2t+8]   bits 28..31: W[16nt+g+8][k0+2t+9]     (k0 = 64kb+16j)
//        After dequant_w4 the 4 registers r0..r3 are, in mma terms (B = Wᵀ, 16 k × 16 n):
//          r0 = b[0] and r1 = b[1] of the n8 tile of rows g; r2, r3 the same for rows g+8;
//        and (A = W, 16 n × 16 k, used by the GEMV): a = {r0, r2, r1, r3}.
//   scales bf16 [K/group][N]   (transposed from the checkpoint's [N][K/group])
//   Act-order checkpoints (g_idx): the repack permutes the K columns so groups are contiguous; the
//   caller permutes X's columns the same way (gather_cols) before calling these kernels.
//
// Requirements (checked by the Java launcher): K % 64 == 0, N % 16 == 0, group % 64 == 0,
// K % group == 0, ldx % 8 == 0, ldy % 2 == 0, all pointers 16-byte aligned.
#include "gemm_tile.cuh"

namespace w4 {

constexpr int GEMV_WARPS = 8, GEMV_UNROLL = 4;

__device__ __forceinline__ uint32_t word(const uint4& v, int j) {
  return j == 0 ? v.x : j == 1 ? v.y : j == 2 ? v.z : v.w;
}

// GEMM operand policy (see gemm_tile.cuh): per stage, 8 n-tiles × 32 lanes × uint4 = 4 KiB of
// packed weights plus the 128 scales of this block's columns for the group the stage lies in.
struct W4Operand {
  static constexpr int SMEM_BYTES = 8 * 32 * 16 + gemm::BN * 2;
  const uint4* __restrict__ qw;
  const bf16* __restrict__ scales;
  int N, KS, group_size, nt0;
  uint4 w[4];  // this warp's 4 n-tiles (64 columns) of the current stage, one uint4 per lane
  bf16x2 s_lo[4], s_hi[4];

  __device__ __forceinline__ void load_stage(uint8_t* s, int kt, int tid) {
    uint4* sq = reinterpret_cast<uint4*>(s);
#pragma unroll
    for (int i = 0; i < 2; i++) {
      const int idx = tid + i * gemm::THREADS, lt = idx >> 5, l = idx & 31;
      const bool ok = nt0 + lt < N / 16;
      cp_async16(sq + idx, ok ? qw + ((size_t)(nt0 + lt) * KS + kt) * 32 + l : qw, ok ? 16 : 0);
    }
    if (tid < gemm::BN / 8) {
      const int n = nt0 * 16 + tid * 8, grp = kt * 64 / group_size;
      const bool ok = n < N;
      cp_async16(reinterpret_cast<bf16*>(s + 8 * 32 * 16) + tid * 8,
                 ok ? scales + (size_t)grp * N + n : scales, ok ? 16 : 0);
    }
  }

  __device__ __forceinline__ void begin_stage(const uint8_t* s, int warp_n, int lane) {
    const uint4* sq = reinterpret_cast<const uint4*>(s);
    const bf16* ss = reinterpret_cast<const bf16*>(s + 8 * 32 * 16);
    const int g = lane >> 2;
#pragma unroll
    for (int j = 0; j < 4; j++) {
      const int lt = warp_n * 4 + j;
      w[j] = sq[lt * 32 + lane];
      s_lo[j] = __bfloat162bfloat162(ss[lt * 16 + g]);
      s_hi[j] = __bfloat162bfloat162(ss[lt * 16 + 8 + g]);
    }
  }

  __device__ __forceinline__ void b_frags(const uint8_t*, int kk, int, int, uint32_t (&b)[8][2]) {
#pragma unroll
    for (int j = 0; j < 4; j++) {
      uint32_t r[4];
      dequant_w4(word(w[j], kk), s_lo[j], s_hi[j], r);
      b[2 * j][0] = r[0];
      b[2 * j][1] = r[1];
      b[2 * j + 1][0] = r[2];
      b[2 * j + 1][1] = r[3];
    }
  }
};

}  // namespace w4

// Prefill / batched path. grid = (ceil(N/128), ceil(M/64)), block = 128.
extern "C" __global__ void __launch_bounds__(gemm::THREADS)
    w4a16_gemm(const bf16* __restrict__ x, int ldx, const uint4* __restrict__ qw, const bf16* __restrict__ scales,
               const bf16* __restrict__ bias, bf16* __restrict__ y, int ldy, int M, int N, int K, int group_size) {
  w4::W4Operand op{qw, scales, N, K / 64, group_size, (int)blockIdx.x * (gemm::BN / 16)};
  gemm::gemm_block<w4::W4Operand, 3>(op, x, ldx, bias, y, ldy, M, N, K);
}

// Decode path for 1 <= M <= 8 rows: the roles swap so the batch is mma's n8 dimension,
//   Yᵀ[16 n × 8 rows] += W[16 n × 16 k] · Xᵀ[16 k × 8 rows],
// and the kernel is a stream over W (memory-bound: each weight byte is read once).
// grid = N/16 (one 16-row n-tile per block), block = 256 = 8 warps splitting K: warp w takes the
// 64-column blocks w, w+8, w+16, ..., UNROLL of them in flight; partial sums meet in shared memory.
extern "C" __global__ void __launch_bounds__(w4::GEMV_WARPS * 32)
    w4a16_gemv(const bf16* __restrict__ x, int ldx, const uint4* __restrict__ qw, const bf16* __restrict__ scales,
               const bf16* __restrict__ bias, bf16* __restrict__ y, int ldy, int M, int N, int K, int group_size) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, g = lane >> 2, t = lane & 3;
  const int nt = blockIdx.x, KS = K / 64;
  const int n_lo = nt * 16 + g, n_hi = n_lo + 8;
  const bool has_row = g < M;  // this lane's B column is batch row g
  const bf16* xr = x + (size_t)(has_row ? g : 0) * ldx;
  const uint4* wt = qw + (size_t)nt * KS * 32 + lane;

  float acc[4] = {0.f, 0.f, 0.f, 0.f};
  for (int ks0 = warp; ks0 < KS; ks0 += w4::GEMV_WARPS * w4::GEMV_UNROLL) {
    uint4 w[w4::GEMV_UNROLL];
#pragma unroll
    for (int u = 0; u < w4::GEMV_UNROLL; u++) {
      const int ks = ks0 + u * w4::GEMV_WARPS;
      w[u] = ks < KS ? ld_stream(wt + (size_t)ks * 32) : make_uint4(0, 0, 0, 0);
    }
#pragma unroll
    for (int u = 0; u < w4::GEMV_UNROLL; u++) {
      const int ks = ks0 + u * w4::GEMV_WARPS;
      if (ks >= KS) break;
      const int grp = ks * 64 / group_size;
      const bf16x2 s_lo = __bfloat162bfloat162(scales[(size_t)grp * N + n_lo]);
      const bf16x2 s_hi = __bfloat162bfloat162(scales[(size_t)grp * N + n_hi]);
#pragma unroll
      for (int j = 0; j < 4; j++) {
        uint32_t r[4];
        dequant_w4(w4::word(w[u], j), s_lo, s_hi, r);
        const uint32_t a[4] = {r[0], r[2], r[1], r[3]};
        const int k = ks * 64 + j * 16 + 2 * t;
        const uint32_t b[2] = {has_row ? __ldg(reinterpret_cast<const uint32_t*>(xr + k)) : 0u,
                               has_row ? __ldg(reinterpret_cast<const uint32_t*>(xr + k + 8)) : 0u};
        mma_bf16_16816(acc, a, b);
      }
    }
  }

  gemm::gemv_store<w4::GEMV_WARPS>(acc, n_lo, bias, y, ldy, M, N);
}
