// Prefill attention over variable-length segments (FlashAttention-2 style, tensor cores):
//   for each segment s = [cu[s], cu[s+1]) and query head h (kv head h / (Hq/Hkv), GQA):
//     O[i] = Σ_j softmax_j(scale · Q[i]·K[j]) V[j],  j in the segment (j <= i when causal)
// Vision: segments = attention windows (cu_window_seqlens) or the whole image (cu_seqlens), not
// causal. Text prefill: one segment per prompt, causal.
//
// Layouts: Q [T, ldq], K [T, ldk], V [T, ldv], O [T, ldo] bf16 with head h at columns h·D..h·D+D-1
// (a fused qkv output works directly: pass q, k, v as column offsets of the same matrix).
// Requirements (Java launcher): ld* % 8 == 0, pointers 16-byte aligned, D in {16, 32, 64, 80, 128}.
//
// Block = 4 warps = 64 query rows of one (segment, head); warp w owns rows 16w..16w+15.
// grid = (ceil(max_seqlen / 64), Hq, segments); blocks past their segment's end return at once.
// Per key tile of 64: S = Q·Kᵀ (mma, fp32), online softmax in fp32 (exp2 with scale·log2 e),
// P rounded to bf16 and used directly as the A operand of O += P·V (the accumulator layout of S
// is the A-fragment layout of P). Shared memory: K and V tiles [64][D+8] (the +8 padding makes
// ldmatrix's 8 row addresses hit 8 distinct bank groups), Q staged once through the K buffer.
#include "common.cuh"

namespace attn {

constexpr int BQ = 64, BKV = 64, THREADS = 128;

// Copies rows [row0, row0+64) of one head (D columns) into a [64][D+8] shared tile; rows at or past
// `rows` are zero-filled (so masked keys contribute exactly 0·V, never NaN from stale memory).
template <int D>
__device__ __forceinline__ void load_tile(bf16* s, const bf16* __restrict__ g, int ld, int row0, int rows) {
  constexpr int CH = D / 8;  // 16-byte chunks per row
  for (int i = threadIdx.x; i < BKV * CH; i += THREADS) {
    const int r = i / CH, c = i % CH;
    const bool ok = row0 + r < rows;
    cp_async16(s + r * (D + 8) + c * 8, ok ? g + (size_t)(row0 + r) * ld + c * 8 : g, ok ? 16 : 0);
  }
}

}  // namespace attn

template <int D>
__device__ __forceinline__ void attention_prefill(const bf16* __restrict__ q, int ldq, const bf16* __restrict__ k,
                                                  int ldk, const bf16* __restrict__ v, int ldv, bf16* __restrict__ o,
                                                  int ldo, const int* __restrict__ cu_seqlens, int hq, int hkv,
                                                  float scale, int causal) {
  using namespace attn;
  constexpr int KD = D / 16;  // k16 steps over the head dimension
  constexpr int ND = D / 8;   // n8 tiles of the output
  __shared__ __align__(128) bf16 sK[BKV * (D + 8)];
  __shared__ __align__(128) bf16 sV[BKV * (D + 8)];

  const int seg = blockIdx.z, h = blockIdx.y, hk = h / (hq / hkv);
  const int start = cu_seqlens[seg], len = cu_seqlens[seg + 1] - start;
  const int q0 = blockIdx.x * BQ;
  if (q0 >= len) return;
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, g = lane >> 2, t = lane & 3;

  const bf16* qh = q + (size_t)start * ldq + h * D;
  const bf16* kh = k + (size_t)start * ldk + hk * D;
  const bf16* vh = v + (size_t)start * ldv + hk * D;

  // Q tile → registers (A fragments), staged through sK.
  load_tile<D>(sK, qh, ldq, q0, len);
  cp_async_commit();
  cp_async_wait<0>();
  __syncthreads();
  uint32_t qf[KD][4];
#pragma unroll
  for (int kd = 0; kd < KD; kd++) {
    const int row = warp * 16 + (lane & 15);
    ldmatrix_x4(qf[kd], sK + row * (D + 8) + (kd * 2 + (lane >> 4)) * 8);
  }
  __syncthreads();

  // Key tiles this query tile needs: all of the segment, or (causal) up to its last query row.
  const int kv_end = causal ? min(len, q0 + BQ) : len;
  const int n_tiles = (kv_end + BKV - 1) / BKV;
  const float scale_log2 = scale * 1.4426950408889634f;
  const int qi0 = q0 + warp * 16 + g;  // this thread's rows: qi0 and qi0 + 8

  float oacc[ND][4];
#pragma unroll
  for (int i = 0; i < ND; i++) oacc[i][0] = oacc[i][1] = oacc[i][2] = oacc[i][3] = 0.f;
  float m[2] = {-INFINITY, -INFINITY}, l[2] = {0.f, 0.f};

  load_tile<D>(sK, kh, ldk, 0, len);
  cp_async_commit();
  for (int kt = 0; kt < n_tiles; kt++) {
    cp_async_wait<0>();
    __syncthreads();  // K tile kt landed; every warp is done with the previous V tile
    load_tile<D>(sV, vh, ldv, kt * BKV, len);
    cp_async_commit();

    // S = Q·Kᵀ: 16 rows × 64 keys per warp = 8 n8 tiles.
    float s[8][4];
#pragma unroll
    for (int j = 0; j < 8; j++) s[j][0] = s[j][1] = s[j][2] = s[j][3] = 0.f;
#pragma unroll
    for (int kd = 0; kd < KD; kd++) {
#pragma unroll
      for (int p = 0; p < 4; p++) {  // 16 keys per ldmatrix: b-fragments of key tiles 2p, 2p+1
        const int row = p * 16 + (lane & 7) + ((lane >> 4) << 3);
        uint32_t r[4];
        ldmatrix_x4(r, sK + row * (D + 8) + (kd * 2 + ((lane >> 3) & 1)) * 8);
        const uint32_t b0[2] = {r[0], r[1]}, b1[2] = {r[2], r[3]};
        mma_bf16_16816(s[2 * p], qf[kd], b0);
        mma_bf16_16816(s[2 * p + 1], qf[kd], b1);
      }
    }

    // Mask, then online softmax (log2 domain). s[j][e]: row qi0 + 8(e/2), key kt·64 + 8j + 2t + e%2.
    float mx[2] = {-INFINITY, -INFINITY};
#pragma unroll
    for (int j = 0; j < 8; j++) {
#pragma unroll
      for (int e = 0; e < 4; e++) {
        const int key = kt * BKV + j * 8 + 2 * t + (e & 1), qi = qi0 + 8 * (e >> 1);
        const bool ok = key < len && (!causal || key <= qi);
        s[j][e] = ok ? s[j][e] * scale_log2 : -INFINITY;
        mx[e >> 1] = fmaxf(mx[e >> 1], s[j][e]);
      }
    }
    float corr[2], base[2];
#pragma unroll
    for (int r = 0; r < 2; r++) {  // the 4 lanes of a quad share a row
      mx[r] = fmaxf(mx[r], __shfl_xor_sync(0xffffffffu, mx[r], 1));
      mx[r] = fmaxf(mx[r], __shfl_xor_sync(0xffffffffu, mx[r], 2));
      const float m_new = fmaxf(m[r], mx[r]);
      base[r] = m_new == -INFINITY ? 0.f : m_new;  // a row with no key yet: keep everything at 0
      corr[r] = exp2f(m[r] - base[r]);
      m[r] = m_new;
      l[r] *= corr[r];
    }
#pragma unroll
    for (int i = 0; i < ND; i++) {
      oacc[i][0] *= corr[0];
      oacc[i][1] *= corr[0];
      oacc[i][2] *= corr[1];
      oacc[i][3] *= corr[1];
    }
    uint32_t pf[4][4];  // P as A fragments, one per 16 keys
#pragma unroll
    for (int j = 0; j < 8; j++) {
      float p[4];
#pragma unroll
      for (int e = 0; e < 4; e++) {
        p[e] = exp2f(s[j][e] - base[e >> 1]);
        l[e >> 1] += p[e];
      }
      pf[j >> 1][(j & 1) * 2 + 0] = as_u32(__floats2bfloat162_rn(p[0], p[1]));  // row g
      pf[j >> 1][(j & 1) * 2 + 1] = as_u32(__floats2bfloat162_rn(p[2], p[3]));  // row g+8
    }

    cp_async_wait<0>();
    __syncthreads();  // V tile kt landed; every warp is done with sK
    if (kt + 1 < n_tiles) load_tile<D>(sK, kh, ldk, (kt + 1) * BKV, len);
    cp_async_commit();

    // O += P·V: k = 64 keys (4 steps), n = D (ND n8 tiles). V rows are keys, so B-fragments come
    // from transposed ldmatrix: matrices (keys 0-7, d 0-7), (keys 8-15, d 0-7), (keys 0-7, d 8-15),
    // (keys 8-15, d 8-15) = b[0], b[1] of d-tile 2p and of d-tile 2p+1.
#pragma unroll
    for (int kk = 0; kk < 4; kk++) {
      // pf[kk] = {row g keys 2t.., row g+8 keys 2t.., row g keys 8+2t.., row g+8 keys 8+2t..}
      const uint32_t a[4] = {pf[kk][0], pf[kk][1], pf[kk][2], pf[kk][3]};
#pragma unroll
      for (int p = 0; p < ND / 2; p++) {
        const int row = kk * 16 + (lane & 7) + (((lane >> 3) & 1) << 3);
        uint32_t r[4];
        ldmatrix_x4_trans(r, sV + row * (D + 8) + (p * 2 + (lane >> 4)) * 8);
        const uint32_t b0[2] = {r[0], r[1]}, b1[2] = {r[2], r[3]};
        mma_bf16_16816(oacc[2 * p], a, b0);
        mma_bf16_16816(oacc[2 * p + 1], a, b1);
      }
    }
  }

  // Normalize and store rows inside the segment.
#pragma unroll
  for (int r = 0; r < 2; r++) {
    l[r] += __shfl_xor_sync(0xffffffffu, l[r], 1);
    l[r] += __shfl_xor_sync(0xffffffffu, l[r], 2);
  }
  bf16* oh = o + (size_t)start * ldo + h * D;
#pragma unroll
  for (int r = 0; r < 2; r++) {
    const int qi = qi0 + 8 * r;
    if (qi >= len) continue;
    const float inv = 1.f / l[r];
#pragma unroll
    for (int i = 0; i < ND; i++) {
      *reinterpret_cast<bf16x2*>(oh + (size_t)qi * ldo + i * 8 + 2 * t) =
          __floats2bfloat162_rn(oacc[i][2 * r] * inv, oacc[i][2 * r + 1] * inv);
    }
  }
}

#define ATTENTION_PREFILL(D)                                                                                      \
  extern "C" __global__ void __launch_bounds__(attn::THREADS) attention_prefill_d##D(                             \
      const bf16* __restrict__ q, int ldq, const bf16* __restrict__ k, int ldk, const bf16* __restrict__ v, int ldv, \
      bf16* __restrict__ o, int ldo, const int* __restrict__ cu_seqlens, int hq, int hkv, float scale, int causal) { \
    attention_prefill<D>(q, ldq, k, ldk, v, ldv, o, ldo, cu_seqlens, hq, hkv, scale, causal);                     \
  }
ATTENTION_PREFILL(16)
ATTENTION_PREFILL(32)
ATTENTION_PREFILL(64)
ATTENTION_PREFILL(80)
ATTENTION_PREFILL(128)
