// Decode attention over a paged KV cache (one new query token per sequence), split over the
// sequence ("flash-decoding") so that even one sequence fills the GPU, then a combine step.
//
// Paged cache (per layer): K and V are [slots][Hkv·D] bf16, slot = block · block_size + offset;
// sequence b's token p lives in slot block_table[b][p / block_size] · block_size + p % block_size.
// kv_cache_append writes new tokens' (post-RoPE) K and V rows to their slots.
//
// attention_decode_split: grid = (Hkv, B, max_splits), block = 128. Block (hk, b, s) takes keys
//   [64s, 64s+64) of sequence b and the G = Hq/Hkv (<= 8) query heads sharing kv head hk, and writes
//   per head the chunk's max logit m, sum of exp l, and unnormalized Σ exp·V (fp32) to `partial`.
//   Splits at or past ceil(len/64) return at once (the grid is sized once, for CUDA-graph replay).
// attention_decode_combine: grid = (Hq, B), block = 128: O = Σ_s e^(m_s−M) o_s / Σ_s e^(m_s−M) l_s.
//   A sequence longer than max_splits·64 (or of length 0) gets a NaN row: never a silently
//   truncated context.
#include "common.cuh"

namespace dec {

constexpr int CHUNK = 64, THREADS = 128, MAX_GROUP = 8;

}  // namespace dec

// grid = T new tokens, block = 128; row = Hkv·D (% 8 == 0). A negative slot (padding) is skipped.
extern "C" __global__ void kv_cache_append(const bf16* __restrict__ k, int ldk, const bf16* __restrict__ v, int ldv,
                                           const int* __restrict__ slots, bf16* __restrict__ k_cache,
                                           bf16* __restrict__ v_cache, int row) {
  const int slot = slots[blockIdx.x];
  if (slot < 0) return;
  const uint4* ks = reinterpret_cast<const uint4*>(k + (size_t)blockIdx.x * ldk);
  const uint4* vs = reinterpret_cast<const uint4*>(v + (size_t)blockIdx.x * ldv);
  uint4* kd = reinterpret_cast<uint4*>(k_cache + (size_t)slot * row);
  uint4* vd = reinterpret_cast<uint4*>(v_cache + (size_t)slot * row);
  for (int c = threadIdx.x; c < row / 8; c += blockDim.x) {
    kd[c] = ks[c];
    vd[c] = vs[c];
  }
}

// partial: [B][Hq][max_splits][D + 2] fp32 = (o[0..D), m, l) per split.
template <int D>
__device__ __forceinline__ void decode_split(const bf16* __restrict__ q, int ldq, const bf16* __restrict__ k_cache,
                                             const bf16* __restrict__ v_cache, const int* __restrict__ block_table,
                                             int max_blocks, const int* __restrict__ seq_lens, int block_size, int hq,
                                             int hkv, float scale, float* __restrict__ partial, int max_splits) {
  using namespace dec;
  constexpr int LDS = D + 8;  // padded shared row: 16-byte reads of 8 consecutive rows hit distinct banks
  __shared__ __align__(16) bf16 sK[CHUNK * LDS];
  __shared__ __align__(16) bf16 sV[CHUNK * LDS];
  __shared__ float sQ[MAX_GROUP][D];
  __shared__ float sP[MAX_GROUP][CHUNK];

  const int hk = blockIdx.x, b = blockIdx.y, split = blockIdx.z;
  const int len = seq_lens[b], key0 = split * CHUNK;
  if (key0 >= len) return;
  const int G = hq / hkv, tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const int row = hkv * D;

  // K, V chunk → shared (rows past len zero-filled); query heads hk·G .. hk·G+G-1 → fp32, pre-scaled.
  for (int i = tid; i < CHUNK * (D / 8); i += THREADS) {
    const int r = i / (D / 8), c = i % (D / 8), p = key0 + r;
    const bool ok = p < len;
    const size_t slot = ok ? (size_t)block_table[b * max_blocks + p / block_size] * block_size + p % block_size : 0;
    cp_async16(sK + r * LDS + c * 8, k_cache + slot * row + hk * D + c * 8, ok ? 16 : 0);
    cp_async16(sV + r * LDS + c * 8, v_cache + slot * row + hk * D + c * 8, ok ? 16 : 0);
  }
  cp_async_commit();
  for (int i = tid; i < G * D; i += THREADS) {
    sQ[i / D][i % D] = bf16_to_f32(q[(size_t)b * ldq + (hk * G) * D + i]) * scale;
  }
  cp_async_wait<0>();
  __syncthreads();

  // Scores: thread → key tid % 64 and heads (tid / 64) + 2i (i < 4): 8 heads × 64 keys.
  {
    const int key = tid % CHUNK, h0 = tid / CHUNK;
    float acc[MAX_GROUP / 2] = {0.f, 0.f, 0.f, 0.f};
    for (int c = 0; c < D / 8; c++) {
      const uint4 u = *reinterpret_cast<const uint4*>(sK + key * LDS + c * 8);
      const bf16x2* kv = reinterpret_cast<const bf16x2*>(&u);
#pragma unroll
      for (int e = 0; e < 4; e++) {
        const float2 f = __bfloat1622float2(kv[e]);
#pragma unroll
        for (int i = 0; i < MAX_GROUP / 2; i++) {
          const int h = h0 + 2 * i;
          if (h < G) acc[i] += f.x * sQ[h][c * 8 + 2 * e] + f.y * sQ[h][c * 8 + 2 * e + 1];
        }
      }
    }
#pragma unroll
    for (int i = 0; i < MAX_GROUP / 2; i++) {
      const int h = h0 + 2 * i;
      if (h < G) sP[h][key] = key0 + key < len ? acc[i] : -INFINITY;
    }
  }
  __syncthreads();

  // Softmax statistics per head: warp w takes heads w and w + 4, two keys per lane.
  float* out_base = partial + ((size_t)b * hq + hk * G) * max_splits * (D + 2);
  for (int h = warp; h < G; h += THREADS / 32) {
    const float s0 = sP[h][lane], s1 = sP[h][lane + 32];
    const float m = warp_max(fmaxf(s0, s1));  // finite: key0 < len, so key 0 of the chunk is valid
    const float p0 = __expf(s0 - m), p1 = __expf(s1 - m);
    sP[h][lane] = p0;
    sP[h][lane + 32] = p1;
    const float l = warp_sum(p0 + p1);
    if (lane == 0) {
      float* st = out_base + ((size_t)h * max_splits + split) * (D + 2) + D;
      st[0] = m;
      st[1] = l;
    }
  }
  __syncthreads();

  // Unnormalized output: thread → dimension d, all heads.
  for (int d = tid; d < D; d += THREADS) {
    float acc[MAX_GROUP] = {0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f};
    for (int j = 0; j < CHUNK; j++) {
      const float vv = bf16_to_f32(sV[j * LDS + d]);
#pragma unroll
      for (int h = 0; h < MAX_GROUP; h++) acc[h] += sP[h < G ? h : 0][j] * vv;
    }
#pragma unroll
    for (int h = 0; h < MAX_GROUP; h++) {
      if (h < G) out_base[((size_t)h * max_splits + split) * (D + 2) + d] = acc[h];
    }
  }
}

// grid = (Hq, B), block = 128. o [B, ldo] with head h at h·D.
template <int D>
__device__ __forceinline__ void decode_combine(const float* __restrict__ partial, int max_splits,
                                               const int* __restrict__ seq_lens, int hq, bf16* __restrict__ o,
                                               int ldo) {
  const int h = blockIdx.x, b = blockIdx.y;
  const int len = seq_lens[b], splits = (len + dec::CHUNK - 1) / dec::CHUNK;
  const float* base = partial + ((size_t)b * hq + h) * max_splits * (D + 2);
  bf16* out = o + (size_t)b * ldo + h * D;
  if (len <= 0 || splits > max_splits) {
    for (int d = threadIdx.x; d < D; d += blockDim.x) out[d] = f32_to_bf16(NAN);
    return;
  }
  float m = -INFINITY;
  for (int s = 0; s < splits; s++) m = fmaxf(m, base[s * (D + 2) + D]);
  float l = 0.f;
  for (int s = 0; s < splits; s++) l += __expf(base[s * (D + 2) + D] - m) * base[s * (D + 2) + D + 1];
  for (int d = threadIdx.x; d < D; d += blockDim.x) {
    float acc = 0.f;
    for (int s = 0; s < splits; s++) acc += __expf(base[s * (D + 2) + D] - m) * base[s * (D + 2) + d];
    out[d] = f32_to_bf16(acc / l);
  }
}

#define ATTENTION_DECODE(D)                                                                                         \
  extern "C" __global__ void __launch_bounds__(dec::THREADS) attention_decode_split_d##D(                          \
      const bf16* __restrict__ q, int ldq, const bf16* __restrict__ k_cache, const bf16* __restrict__ v_cache,     \
      const int* __restrict__ block_table, int max_blocks, const int* __restrict__ seq_lens, int block_size, int hq, \
      int hkv, float scale, float* __restrict__ partial, int max_splits) {                                          \
    decode_split<D>(q, ldq, k_cache, v_cache, block_table, max_blocks, seq_lens, block_size, hq, hkv, scale,       \
                    partial, max_splits);                                                                           \
  }                                                                                                                 \
  extern "C" __global__ void __launch_bounds__(dec::THREADS) attention_decode_combine_d##D(                        \
      const float* __restrict__ partial, int max_splits, const int* __restrict__ seq_lens, int hq,                  \
      bf16* __restrict__ o, int ldo) {                                                                              \
    decode_combine<D>(partial, max_splits, seq_lens, hq, o, ldo);                                                   \
  }
ATTENTION_DECODE(16)
ATTENTION_DECODE(32)
ATTENTION_DECODE(64)
ATTENTION_DECODE(80)
ATTENTION_DECODE(128)
