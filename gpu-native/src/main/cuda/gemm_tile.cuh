// The tensor-core GEMM main loop shared by the bf16 and the W4A16 GEMMs:
//   Y[M, N] = X[M, K] · W[N, K]ᵀ (+ bias[N]),   X, Y bf16 row-major, fp32 accumulation.
//
// Block tile 64 (m) × 128 (n), k-step 64, 128 threads = 4 warps arranged 2 (m) × 2 (n), each warp
// owning a 32 × 64 sub-tile = 2 m16 tiles × 8 n8 tiles of mma.m16n8k16 accumulators (64 floats).
// X tiles go global→shared with cp.async (rows past M and columns past K are zero-filled) into a
// STAGES-deep ring, and shared→registers with ldmatrix. How W is stored and turned into mma
// B-fragments is the operand policy `Op` (bf16 rows in bf16_gemm.cu, packed int4 in w4a16_gemm.cu):
//   Op::SMEM_BYTES                               shared bytes of one stage of W
//   op.load_stage(uint8_t* s, int kt, int tid)   issue cp.async for k-tile kt into stage s
//   op.begin_stage(const uint8_t* s, int warp_n, int lane)   per-stage register setup
//   op.b_frags(const uint8_t* s, int kk, int warp_n, int lane, uint32_t (&b)[8][2])
//        B-fragments of the warp's 8 n8 tiles for k16 step kk (0..3) of the stage.
#pragma once

#include "common.cuh"

namespace gemm {

constexpr int BM = 64, BN = 128, BK = 64, THREADS = 128;
constexpr int A_STAGE_BYTES = BM * BK * 2;  // 8 KiB

// X tile [64 rows][64 k] in shared memory, 16-byte chunks XOR-swizzled by row so that the 8 row
// addresses of one ldmatrix hit 8 different bank groups: chunk c of row r lives at chunk c ^ (r & 7).
__device__ __forceinline__ int swizzled(int row, int chunk) { return row * 64 + ((chunk ^ (row & 7)) << 3); }

// Bytes of a 16-byte chunk starting at column col that lie inside [0, K) (0..16).
__device__ __forceinline__ int chunk_bytes(int col, int K) { return max(0, min(16, (K - col) * 2)); }

__device__ __forceinline__ void load_x_tile(bf16* sA, const bf16* __restrict__ x, int ldx, int M, int K,
                                            int m0, int k0, int tid) {
#pragma unroll
  for (int i = 0; i < BM * BK / 8 / THREADS; i++) {  // 4 chunks per thread
    const int idx = tid + i * THREADS, r = idx >> 3, c = idx & 7;
    const int gm = m0 + r, gk = k0 + c * 8;
    const int bytes = gm < M ? chunk_bytes(gk, K) : 0;
    cp_async16(sA + swizzled(r, c), bytes > 0 ? x + (size_t)gm * ldx + gk : x, bytes);
  }
}

template <class Op, int STAGES>
__device__ __forceinline__ void gemm_block(Op& op, const bf16* __restrict__ x, int ldx,
                                           const bf16* __restrict__ bias, bf16* __restrict__ y, int ldy,
                                           int M, int N, int K) {
  __shared__ __align__(128) uint8_t smem[STAGES * (A_STAGE_BYTES + Op::SMEM_BYTES)];
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const int warp_m = warp & 1, warp_n = warp >> 1;
  const int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
  const int KT = (K + BK - 1) / BK;

  auto stage_a = [&](int s) { return reinterpret_cast<bf16*>(smem + s * (A_STAGE_BYTES + Op::SMEM_BYTES)); };
  auto stage_b = [&](int s) { return smem + s * (A_STAGE_BYTES + Op::SMEM_BYTES) + A_STAGE_BYTES; };

  float acc[2][8][4];
#pragma unroll
  for (int mi = 0; mi < 2; mi++)
#pragma unroll
    for (int ni = 0; ni < 8; ni++)
#pragma unroll
      for (int e = 0; e < 4; e++) acc[mi][ni][e] = 0.f;

  // Prologue: fill STAGES-1 stages. Every iteration commits exactly one group (possibly empty) so
  // that wait_group<STAGES-2> always means "the stage about to be used has landed".
#pragma unroll
  for (int s = 0; s < STAGES - 1; s++) {
    if (s < KT) {
      load_x_tile(stage_a(s), x, ldx, M, K, m0, s * BK, tid);
      op.load_stage(stage_b(s), s, tid);
    }
    cp_async_commit();
  }

  for (int kt = 0; kt < KT; kt++) {
    cp_async_wait<STAGES - 2>();
    __syncthreads();  // stage kt%STAGES visible to all; stage (kt-1)%STAGES no longer read by anyone
    const int pre = kt + STAGES - 1;
    if (pre < KT) {
      load_x_tile(stage_a(pre % STAGES), x, ldx, M, K, m0, pre * BK, tid);
      op.load_stage(stage_b(pre % STAGES), pre, tid);
    }
    cp_async_commit();

    const bf16* sA = stage_a(kt % STAGES);
    const uint8_t* sB = stage_b(kt % STAGES);
    op.begin_stage(sB, warp_n, lane);
#pragma unroll
    for (int kk = 0; kk < BK / 16; kk++) {
      uint32_t a[2][4];
#pragma unroll
      for (int mi = 0; mi < 2; mi++) {
        // lanes 0-15: rows 0-15 at k 0-7 of this k16 step; lanes 16-31: the same rows at k 8-15
        const int row = warp_m * 32 + mi * 16 + (lane & 15);
        ldmatrix_x4(a[mi], sA + swizzled(row, kk * 2 + (lane >> 4)));
      }
      uint32_t b[8][2];
      op.b_frags(sB, kk, warp_n, lane, b);
#pragma unroll
      for (int mi = 0; mi < 2; mi++)
#pragma unroll
        for (int ni = 0; ni < 8; ni++) mma_bf16_16816(acc[mi][ni], a[mi], b[ni]);
    }
  }
  cp_async_wait<0>();

  // Epilogue: d[0..1] = row g, columns 2t..2t+1; d[2..3] = row g+8. Bias is added in fp32 before
  // the single rounding to bf16 (as cuBLASLt's bias epilogue does).
  const int g = lane >> 2, t = lane & 3;
#pragma unroll
  for (int ni = 0; ni < 8; ni++) {
    const int col = n0 + warp_n * 64 + ni * 8 + 2 * t;
    if (col >= N) continue;  // N is even, so col < N implies col + 1 < N
    const float b0 = bias ? bf16_to_f32(bias[col]) : 0.f, b1 = bias ? bf16_to_f32(bias[col + 1]) : 0.f;
#pragma unroll
    for (int mi = 0; mi < 2; mi++) {
#pragma unroll
      for (int h = 0; h < 2; h++) {
        const int row = m0 + warp_m * 32 + mi * 16 + g + 8 * h;
        if (row < M) {
          *reinterpret_cast<bf16x2*>(y + (size_t)row * ldy + col) =
              __floats2bfloat162_rn(acc[mi][ni][2 * h] + b0, acc[mi][ni][2 * h + 1] + b1);
        }
      }
    }
  }
}

// Epilogue of the small-M (GEMV) kernels: WARPS warps each hold a partial Yᵀ tile of one
// mma.m16n8k16 accumulator (16 output columns n × 8 batch rows): acc[0..1] = (n_lo, rows 2t, 2t+1),
// acc[2..3] = (n_hi = n_lo + 8, rows 2t, 2t+1). Sums them in shared memory, adds the bias in fp32
// and writes the rows < M and columns < N of Y, rounded once to bf16.
template <int WARPS>
__device__ __forceinline__ void gemv_store(const float (&acc)[4], int n_lo, const bf16* __restrict__ bias,
                                           bf16* __restrict__ y, int ldy, int M, int N) {
  __shared__ float partial[WARPS][4][32];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, t = lane & 3;
#pragma unroll
  for (int e = 0; e < 4; e++) partial[warp][e][lane] = acc[e];
  __syncthreads();
  if (warp != 0) return;
#pragma unroll
  for (int e = 0; e < 4; e++) {
    float v = 0.f;
#pragma unroll
    for (int w = 0; w < WARPS; w++) v += partial[w][e][lane];
    const int n = e < 2 ? n_lo : n_lo + 8, row = 2 * t + (e & 1);
    if (row < M && n < N) y[(size_t)row * ldy + n] = f32_to_bf16(v + (bias ? bf16_to_f32(bias[n]) : 0.f));
  }
}

}  // namespace gemm
