// Row and column gathers on bf16 matrices, 16-byte vectors along rows (row length % 8 == 0).
//   gather_rows:  dst[i] = src[idx[i]]        embedding lookup, vision window reorder / un-reorder,
//                                             last-token selection before the lm_head;
//                 an index outside [0, nsrc) writes a NaN row (visible, never a silent wrong row).
//   scatter_rows: dst[idx[i]] = src[i]        image features into the token embeddings;
//                 an index outside [0, ndst) is skipped (the Java launcher validates host indices).
//   gather_cols:  dst[r][j] = src[r][perm[j]] act-order (g_idx) column permutation before a W4 GEMM.
#include "common.cuh"

// grid = n (rows to write), block = 128.
extern "C" __global__ void gather_rows(const bf16* __restrict__ src, int lds, int nsrc, const int* __restrict__ idx,
                                       bf16* __restrict__ dst, int ldd, int width) {
  const int r = idx[blockIdx.x];
  const bool ok = r >= 0 && r < nsrc;
  const uint4 nan = make_uint4(0x7fc07fc0u, 0x7fc07fc0u, 0x7fc07fc0u, 0x7fc07fc0u);
  uint4* d = reinterpret_cast<uint4*>(dst + (size_t)blockIdx.x * ldd);
  const uint4* s = reinterpret_cast<const uint4*>(src + (size_t)(ok ? r : 0) * lds);
  for (int c = threadIdx.x; c < width / 8; c += blockDim.x) d[c] = ok ? s[c] : nan;
}

// grid = n (source rows), block = 128.
extern "C" __global__ void scatter_rows(const bf16* __restrict__ src, int lds, const int* __restrict__ idx,
                                        bf16* __restrict__ dst, int ldd, int ndst, int width) {
  const int r = idx[blockIdx.x];
  if (r < 0 || r >= ndst) return;
  const uint4* s = reinterpret_cast<const uint4*>(src + (size_t)blockIdx.x * lds);
  uint4* d = reinterpret_cast<uint4*>(dst + (size_t)r * ldd);
  for (int c = threadIdx.x; c < width / 8; c += blockDim.x) d[c] = s[c];
}

// grid = (ceil(width/256), rows), block = 256.  perm entries are in [0, width) (validated on upload).
extern "C" __global__ void gather_cols(const bf16* __restrict__ src, int lds, const int* __restrict__ perm,
                                       bf16* __restrict__ dst, int ldd, int width) {
  const int j = blockIdx.x * blockDim.x + threadIdx.x;
  if (j < width) dst[(size_t)blockIdx.y * ldd + j] = src[(size_t)blockIdx.y * lds + perm[j]];
}
