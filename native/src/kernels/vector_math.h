// Scalar math written so GCC vectorizes the loops that call it (no libm
// calls, no branches), for the fused elementwise kernels. Each kernel loop is
// compiled for AVX-512 (BW, for 16-bit lanes), AVX2 and baseline x86-64 (target_clones) and the
// loader picks the best the CPU has.
#pragma once

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <cstdint>
#include <cstring>

namespace ncml::kernels {

// Kernels store float32 as float and bfloat16 as its raw uint16_t bits:
// plain integer shifts that GCC vectorizes, where c10::BFloat16's struct does not.
inline float load(float v) { return v; }
inline float load(uint16_t bits) {
  uint32_t wide = static_cast<uint32_t>(bits) << 16;
  float f;
  std::memcpy(&f, &wide, sizeof f);
  return f;
}

template <typename T>
inline T store(float v);
template <>
inline float store<float>(float v) { return v; }
template <>
inline uint16_t store<uint16_t>(float v) {
  // Round to nearest even, as c10's conversion does (NaN inputs do not occur here).
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

// The storage type a kernel instantiates for a tensor's dtype.
template <typename F>
void dispatch_float_or_bf16(at::ScalarType t, F&& f) {
  if (t == at::kFloat) {
    f(float{});
  } else {
    f(uint16_t{});
  }
}

// Runs f(tag, begin, end) over rows [0, outer) on libtorch's thread pool, tag
// being the storage type (float, or uint16_t for bfloat16) the kernel instantiates.
template <typename F>
void parallel_rows(at::ScalarType dtype, int64_t outer, F&& f) {
  dispatch_float_or_bf16(dtype, [&](auto tag) {
    at::parallel_for(0, outer, 1, [&](int64_t begin, int64_t end) { f(tag, begin, end); });
  });
}

template <typename T>
T* data_as(const at::Tensor& t) {
  return static_cast<T*>(t.data_ptr());
}

// exp(v) for v <= 0: Cody-Waite reduction v = n ln2 + r, |r| <= ln2/2, a
// degree-7 Taylor polynomial for e^r, and 2^n built in the exponent bits.
// Relative error about 1 ulp; underflows to 0 below -87.
inline float exp_nonpositive(float v) {
  v = v < -87.0f ? -87.0f : v;
  // Round to nearest by adding and subtracting 1.5 * 2^23 (no libm call, so the loop vectorizes).
  float n = (v * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  float r = v - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

// expm1(v) for v <= 0: a Taylor polynomial near 0 (where exp(v) - 1 would
// cancel), exp(v) - 1 elsewhere.
inline float expm1_nonpositive(float v) {
  float q = 1.0f / 5040.0f;
  q = q * v + 1.0f / 720.0f;
  q = q * v + 1.0f / 120.0f;
  q = q * v + 1.0f / 24.0f;
  q = q * v + 1.0f / 6.0f;
  q = q * v + 0.5f;
  q = q * v + 1.0f;
  float near = q * v;
  float far = exp_nonpositive(v) - 1.0f;
  return v > -0.35f ? near : far;
}

}  // namespace ncml::kernels
