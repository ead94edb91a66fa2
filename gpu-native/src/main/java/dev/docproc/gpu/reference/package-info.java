/**
 * Plain Java references of every CUDA kernel in gpu-native, written for clarity, not speed.
 *
 * <p>Matrices are dense row-major {@code float[]} whose values are bf16-exact (each element is a
 * bf16 value held in a float); outputs are rounded to bf16 wherever the kernel rounds. Dot products
 * accumulate in double, so the references are at least as accurate as the kernels' fp32. The GPU
 * check (dev.docproc.gpu.check) compares each kernel with these on fresh random inputs.
 */
package dev.docproc.gpu.reference;
