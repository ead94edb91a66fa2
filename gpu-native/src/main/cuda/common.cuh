// Shared device helpers for every kernel family: bf16 types, tensor-core mma, ldmatrix, cp.async,
// warp reductions and the int4 dequantization used by the W4A16 kernels.
//
// Conventions for all kernels in this folder:
// - matrices are row-major with an explicit row stride ("ld", in elements);
// - activations are bf16, accumulation is fp32, each output is rounded once to bf16 (RNE);
// - kernels are extern "C" so the Java launchers find them by plain name (cuModuleGetFunction).
#pragma once

#include <cuda_bf16.h>
#include <stdint.h>

typedef __nv_bfloat16 bf16;
typedef __nv_bfloat162 bf16x2;

__device__ __forceinline__ float bf16_to_f32(bf16 v) { return __bfloat162float(v); }
__device__ __forceinline__ bf16 f32_to_bf16(float v) { return __float2bfloat16_rn(v); }
// Rounds a float through bf16 and back: the value a bf16 tensor op would have produced.
__device__ __forceinline__ float round_bf16(float v) { return __bfloat162float(__float2bfloat16_rn(v)); }

__device__ __forceinline__ uint32_t as_u32(bf16x2 v) { return *reinterpret_cast<uint32_t*>(&v); }
__device__ __forceinline__ bf16x2 as_bf16x2(uint32_t v) { return *reinterpret_cast<bf16x2*>(&v); }

// D += A·B for one m16n8k16 tile: A 16×16 bf16 (row), B 16×8 bf16 (col), D 16×8 fp32.
// Fragment ownership (PTX ISA "mma.m16n8k16", g = lane/4, t = lane%4):
//   a[0] = A[g][2t..2t+1]     a[1] = A[g+8][2t..2t+1]   a[2] = A[g][2t+8..2t+9]   a[3] = A[g+8][2t+8..2t+9]
//   b[0] = B[2t..2t+1][g]     b[1] = B[2t+8..2t+9][g]
//   d[0..1] = D[g][2t..2t+1]  d[2..3] = D[g+8][2t..2t+1]
__device__ __forceinline__ void mma_bf16_16816(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2]) {
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
      "{%0,%1,%2,%3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

__device__ __forceinline__ uint32_t smem_addr(const void* p) {
  return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

// Four 8×8 b16 matrices from shared memory; lanes 8i..8i+7 give the 8 row addresses of matrix i.
// Thread lane receives, of each matrix, row lane/4, columns 2(lane%4)..2(lane%4)+1.
__device__ __forceinline__ void ldmatrix_x4(uint32_t (&r)[4], const void* p) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(smem_addr(p)));
}

// As ldmatrix_x4, each matrix transposed: thread lane receives column lane/4, rows 2(lane%4)..+1.
__device__ __forceinline__ void ldmatrix_x4_trans(uint32_t (&r)[4], const void* p) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(smem_addr(p)));
}

// 16-byte asynchronous global→shared copy; bytes [src_bytes, 16) of the destination are zero-filled.
// src must be 16-byte aligned and point into an allocation even when src_bytes is 0.
__device__ __forceinline__ void cp_async16(void* dst, const void* src, int src_bytes) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(smem_addr(dst)), "l"(src),
               "r"(src_bytes));
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }
template <int N>
__device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(N));
}

// Streaming 16-byte load for data read exactly once (weights): bypasses L1 allocation.
__device__ __forceinline__ uint4 ld_stream(const uint4* p) {
  uint4 v;
  asm volatile("ld.global.nc.L1::no_allocate.v4.u32 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
               : "l"(p));
  return v;
}

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}
__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

// Sum over the block (blockDim.x a multiple of 32, at most 1024); every thread gets the result.
// `scratch` holds 32 floats; the call starts and ends with a barrier so it can be reused.
__device__ __forceinline__ float block_sum(float v, float* scratch) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = blockDim.x >> 5;
  v = warp_sum(v);
  __syncthreads();
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  v = lane < nwarps ? scratch[lane] : 0.f;
  return warp_sum(v);
}

// ---- int4 weights (W4A16) -------------------------------------------------------------------
// A packed word holds 8 unsigned nibbles u = q + 8 (q in [-8, 7], compressed-tensors' offset).
// dequant_w4 turns them into 4 bf16x2 registers: register i = (nibble at bit 4i, nibble at bit 16+4i)
// as q·scale_i, where registers 0,1 use scale_lo and 2,3 use scale_hi (see W4 layout in
// w4a16_gemm.cu). The trick (from Marlin): OR-ing a nibble into the mantissa of bf16 128.0
// (0x4300) gives exactly 128 + u; subtracting 136 gives q exactly; q·scale then rounds once,
// which is the checkpoint's dequantization bf16(q·scale) bit for bit.
__device__ __forceinline__ void dequant_w4(uint32_t u, bf16x2 scale_lo, bf16x2 scale_hi, uint32_t (&r)[4]) {
  const bf16x2 bias = __floats2bfloat162_rn(136.f, 136.f);
#pragma unroll
  for (int i = 0; i < 4; i++) {
    const uint32_t biased = ((u >> (4 * i)) & 0x000f000fu) | 0x43004300u;
    const bf16x2 q = __hsub2(as_bf16x2(biased), bias);
    r[i] = as_u32(__hmul2(q, i < 2 ? scale_lo : scale_hi));
  }
}
