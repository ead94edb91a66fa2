// Next-token selection on the GPU, so a decode step never copies logits to the host.
// HF generate's order (MODEL.md §1.4): logits (bf16) → fp32 → repetition penalty → temperature →
// top-k → top-p → sample; greedy = argmax of the penalized fp32 logits.
//
//   mark_seen:       seen[b][id] = 1 for given token ids (the prompt once, then each new token)
//   prepare_logits:  out = f32(logits); where seen: s < 0 ? s·penalty : s / penalty
//   argmax:          first index of the maximum (torch.argmax's tie rule)
//   sample_top_k_top_p: HF's TopK (keep values >= the k-th largest) and TopP (keep the smallest
//                    set of largest values whose mass reaches top_p; ties at the threshold are kept)
//                    as value thresholds found by radix selection, then inverse-CDF sampling in
//                    index order with u from a per-row splitmix64 stream (state advanced in place,
//                    so a captured graph replays with fresh randomness).
#include "common.cuh"

namespace smp {

constexpr int THREADS = 1024;

// Order-preserving map float → uint32 (larger float, larger key; -inf lowest of non-NaN).
__device__ __forceinline__ uint32_t order_key(float f) {
  const uint32_t b = __float_as_uint(f);
  return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

__device__ __forceinline__ uint64_t splitmix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Radix selection over the keys of one row, 8 bits per pass from the top. Finds the largest key t
// such that weight(keys >= t) >= target, where weight is a count (BY_MASS false) or the sum of
// p = exp(x - max) (BY_MASS true), among keys >= floor_key. Returns floor_key when the target is
// never reached (fp rounding in the masses).
template <bool BY_MASS>
__device__ uint32_t radix_select(const float* __restrict__ x, int V, float temperature, float max_x, uint32_t floor_key,
                                 float target, float* hist, uint32_t* shared_prefix) {
  uint32_t prefix = 0, mask = 0;
  for (int shift = 24; shift >= 0; shift -= 8) {
    for (int i = threadIdx.x; i < 256; i += THREADS) hist[i] = 0.f;
    __syncthreads();
    for (int i = threadIdx.x; i < V; i += THREADS) {
      const float xi = __fdiv_rn(x[i], temperature);
      const uint32_t key = order_key(xi);
      if (key >= floor_key && (key & mask) == prefix) {
        atomicAdd(&hist[(key >> shift) & 255], BY_MASS ? __expf(xi - max_x) : 1.f);
      }
    }
    __syncthreads();
    if (threadIdx.x == 0) {
      float above = 0.f;
      int digit = -1;
      for (int d = 255; d >= 0; d--) {
        if (above + hist[d] >= target) {
          digit = d;
          break;
        }
        above += hist[d];
      }
      if (digit < 0) {  // rounding: take the lowest non-empty bin
        for (int d = 0; d < 256 && digit < 0; d++)
          if (hist[d] > 0.f) digit = d;
        if (digit < 0) digit = 0;
      }
      *shared_prefix = prefix | ((uint32_t)digit << shift);
      hist[256] = target - above;  // remaining target inside the chosen bin
    }
    __syncthreads();
    prefix = *shared_prefix;
    mask |= 255u << shift;
    target = hist[256];
    __syncthreads();
  }
  return max(prefix, floor_key);
}

// Σ exp(x/T − max) over the keys >= floor_key of one row (block-wide; every thread gets it).
__device__ float kept_mass(const float* __restrict__ x, int V, float temperature, float max_x, uint32_t floor_key,
                           float* scratch) {
  float z = 0.f;
  for (int i = threadIdx.x; i < V; i += THREADS) {
    const float xi = __fdiv_rn(x[i], temperature);
    if (order_key(xi) >= floor_key) z += __expf(xi - max_x);
  }
  return block_sum(z, scratch);
}

// Warp-wide (value, index) maximum, the lower index winning ties.
__device__ __forceinline__ void warp_argmax(float& best, int& idx) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    const float ov = __shfl_xor_sync(0xffffffffu, best, o);
    const int oi = __shfl_xor_sync(0xffffffffu, idx, o);
    if (ov > best || (ov == best && oi < idx)) {
      best = ov;
      idx = oi;
    }
  }
}

}  // namespace smp

// grid = (ceil(n/256), B), block = 256. ids [B][n]; ids outside [0, V) are ignored.
extern "C" __global__ void mark_seen(uint8_t* seen, int ld_seen, const int* __restrict__ ids, int n, int V) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const int id = ids[(size_t)blockIdx.y * n + i];
  if (id >= 0 && id < V) seen[(size_t)blockIdx.y * ld_seen + id] = 1;
}

// grid = (ceil(V/256), B), block = 256. seen may be null (no penalty).
extern "C" __global__ void prepare_logits(const bf16* __restrict__ logits, int ld_in, float* __restrict__ out,
                                          int ld_out, const uint8_t* __restrict__ seen, int ld_seen, float penalty,
                                          int V) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= V) return;
  const size_t b = blockIdx.y;
  float s = bf16_to_f32(logits[b * ld_in + i]);
  if (seen && seen[b * ld_seen + i]) s = s < 0.f ? __fmul_rn(s, penalty) : __fdiv_rn(s, penalty);
  out[b * ld_out + i] = s;
}

// grid = B, block = 1024. out_ids [B].
extern "C" __global__ void __launch_bounds__(smp::THREADS)
    argmax(const float* __restrict__ x, int ld, int V, int* __restrict__ out_ids) {
  __shared__ float sv[32];
  __shared__ int si[32];
  const float* row = x + (size_t)blockIdx.x * ld;
  float best = -INFINITY;
  int idx = 0x7fffffff;
  for (int i = threadIdx.x; i < V; i += blockDim.x) {
    const float v = row[i];
    if (v > best) {  // strided scan in increasing i: keeps this thread's first maximum
      best = v;
      idx = i;
    }
  }
  smp::warp_argmax(best, idx);
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  if (lane == 0) {
    sv[warp] = best;
    si[warp] = idx;
  }
  __syncthreads();
  if (warp == 0) {
    best = lane < (int)(blockDim.x >> 5) ? sv[lane] : -INFINITY;
    idx = lane < (int)(blockDim.x >> 5) ? si[lane] : 0x7fffffff;
    smp::warp_argmax(best, idx);
    if (lane == 0) out_ids[blockIdx.x] = idx == 0x7fffffff ? 0 : idx;
  }
}

// grid = B, block = 1024. x: prepared fp32 logits [B][ld]; temperature > 0; top_k <= 0 or >= V: off;
// top_p >= 1: off. rng_state [B] advanced by one step. out_ids [B].
extern "C" __global__ void __launch_bounds__(smp::THREADS)
    sample_top_k_top_p(const float* __restrict__ x_all, int ld, int V, float temperature, int top_k, float top_p,
                       unsigned long long* rng_state, int* __restrict__ out_ids) {
  using namespace smp;
  __shared__ float hist[257];
  __shared__ float scratch[32];
  __shared__ uint32_t shared_u32;
  __shared__ int chosen, largest;
  const float* x = x_all + (size_t)blockIdx.x * ld;

  // max of x / T (for exp stability); x / T is a division, as HF's TemperatureLogitsWarper does
  float mx = -INFINITY;
  for (int i = threadIdx.x; i < V; i += THREADS) mx = fmaxf(mx, __fdiv_rn(x[i], temperature));
  mx = warp_max(mx);
  if ((threadIdx.x & 31) == 0) scratch[threadIdx.x >> 5] = mx;
  __syncthreads();
  mx = -INFINITY;
  for (int w = 0; w < THREADS / 32; w++) mx = fmaxf(mx, scratch[w]);
  __syncthreads();

  uint32_t floor_key = 0;
  if (top_k > 0 && top_k < V) {
    floor_key = radix_select<false>(x, V, temperature, mx, 0, (float)top_k, hist, &shared_u32);
  }
  float z = kept_mass(x, V, temperature, mx, floor_key, scratch);  // after top-k
  if (top_p < 1.f) {
    floor_key = radix_select<true>(x, V, temperature, mx, floor_key, top_p * z, hist, &shared_u32);
    z = kept_mass(x, V, temperature, mx, floor_key, scratch);
  }

  // u in [0, 1) from the row's stream; thread 0 advances the state after everyone read it.
  const unsigned long long state = rng_state[blockIdx.x];
  const float u = (float)(smp::splitmix64(state) >> 40) * (1.f / 16777216.f);
  const float target = u * z;

  // Inverse CDF in index order: thread t owns the contiguous range [t·per, (t+1)·per).
  const int per = (V + THREADS - 1) / THREADS;
  const int lo = threadIdx.x * per, hi = min(V, lo + per);
  float mine = 0.f;
  int last_kept = -1;
  for (int i = lo; i < hi; i++) {
    const float xi = __fdiv_rn(x[i], temperature);
    if (order_key(xi) >= floor_key) {
      mine += __expf(xi - mx);
      last_kept = i;
    }
  }
  // exclusive prefix over threads (warp scan + scan of warp totals)
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  float incl = mine;
#pragma unroll
  for (int o = 1; o < 32; o <<= 1) {
    const float n = __shfl_up_sync(0xffffffffu, incl, o);
    if (lane >= o) incl += n;
  }
  __syncthreads();
  if (lane == 31) scratch[warp] = incl;
  if (threadIdx.x == 0) {
    chosen = 0x7fffffff;
    largest = -1;
  }
  __syncthreads();
  float before = incl - mine;
  for (int w = 0; w < warp; w++) before += scratch[w];
  if (mine > 0.f && target >= before && target < before + mine) {
    float run = before;
    int pick = last_kept;
    for (int i = lo; i < hi; i++) {
      const float xi = __fdiv_rn(x[i], temperature);
      if (order_key(xi) >= floor_key) {
        run += __expf(xi - mx);
        if (run > target) {
          pick = i;
          break;
        }
      }
    }
    atomicMin(&chosen, pick);
  }
  if (last_kept >= 0) atomicMax(&largest, last_kept);
  __syncthreads();
  if (threadIdx.x == 0) {
    // No owner (target fell into a rounding gap at the very top): the largest kept index.
    out_ids[blockIdx.x] = chosen != 0x7fffffff ? chosen : max(largest, 0);
    rng_state[blockIdx.x] = state + 0x9e3779b97f4a7c15ull;
  }
}
