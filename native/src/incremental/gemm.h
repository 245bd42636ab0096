// The matrix product of the incremental executor: C = init + sum_s A_s W_s
// over "row views": row m is example b = m % B at position p = m / B, at
// base + b * sB + p * sP. Summing segments is how a conv reads its taps
// (one segment per cached cell it reads, each with its [C, N] slice of the
// kernel), or a block adds its skip input, in one pass over the output.
//
// Register-blocked: a tile of up to MR rows x 2 vectors of columns stays in
// registers over every segment's K (GCC vector extensions; the AVX2 clone
// fuses the multiply-adds). Rows go in chunks whose A rows stay in L2 while
// each column panel of W (K x 2 vectors) stays in L1.
#pragma once

#include <ATen/Parallel.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace ncml::incremental {

template <typename T>
struct RowView {
  T* base;
  int64_t P, sB, sP;
  int64_t B;
  T* at(int64_t b, int64_t p) const { return base + b * sB + p * sP; }
  T* row(int64_t m) const { return at(m % B, m / B); }
};

template <typename T>
struct Segment {
  RowView<T> a;
  int64_t K;
  const T* w;  // [K, N], row-major
};

template <typename T>
struct Gemm {
  RowView<T> c;
  bool has_init;
  RowView<T> init;
  int64_t M, N;
  const Segment<T>* segs;
  int nseg;
};

// GCC ignores vector_size on a dependent type, so each element type names its vector.
typedef float float8 __attribute__((vector_size(32)));
typedef double double4 __attribute__((vector_size(32)));

template <typename T>
struct VecOf;
template <>
struct VecOf<float> {
  using type = float8;
};
template <>
struct VecOf<double> {
  using type = double4;
};

template <typename T>
using Vec = typename VecOf<T>::type;

template <typename T>
constexpr int lanes = 32 / sizeof(T);

template <typename T>
inline Vec<T> loadv(const T* p) {
  Vec<T> v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <typename T>
inline void storev(T* p, Vec<T> v) {
  std::memcpy(p, &v, sizeof v);
}

// Rows [m0, m0 + MR) x columns [n0, n0 + NV * lanes).
template <typename T, int MR, int NV>
__attribute__((always_inline)) inline void tile(const Gemm<T>& g, int64_t m0, int64_t n0) {
  constexpr int L = lanes<T>;
  Vec<T> acc[MR][NV];
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) acc[r][v] = Vec<T>{};
  const int64_t N = g.N;
  const int64_t B = g.c.B;
  int64_t bi[MR], pi[MR];
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) {
    bi[r] = (m0 + r) % B;
    pi[r] = (m0 + r) / B;
  }
  for (int s = 0; s < g.nseg; ++s) {
    const Segment<T>& seg = g.segs[s];
    const T* a[MR];
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) a[r] = seg.a.at(bi[r], pi[r]);
    const T* w = seg.w + n0;
    for (int64_t k = 0; k < seg.K; ++k, w += N) {
      Vec<T> wv[NV];
#pragma GCC unroll 2
      for (int v = 0; v < NV; ++v) wv[v] = loadv(w + v * L);
#pragma GCC unroll 8
      for (int r = 0; r < MR; ++r) {
        const T x = a[r][k];
#pragma GCC unroll 2
        for (int v = 0; v < NV; ++v) acc[r][v] += x * wv[v];
      }
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) {
    T* out = g.c.at(bi[r], pi[r]) + n0;
    if (g.has_init) {
      const T* in = g.init.at(bi[r], pi[r]) + n0;
#pragma GCC unroll 2
      for (int v = 0; v < NV; ++v) acc[r][v] += loadv(in + v * L);
    }
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) storev(out + v * L, acc[r][v]);
  }
}

// The last columns (fewer than one vector), one row at a time.
template <typename T>
inline void tail_columns(const Gemm<T>& g, int64_t m, int64_t n0) {
  T acc[lanes<T>] = {};
  const int64_t width = g.N - n0;
  for (int s = 0; s < g.nseg; ++s) {
    const Segment<T>& seg = g.segs[s];
    const T* a = seg.a.row(m);
    const T* w = seg.w + n0;
    for (int64_t k = 0; k < seg.K; ++k, w += g.N) {
      const T x = a[k];
      for (int64_t j = 0; j < width; ++j) acc[j] += x * w[j];
    }
  }
  T* out = g.c.row(m) + n0;
  const T* in = g.has_init ? g.init.row(m) + n0 : nullptr;
  for (int64_t j = 0; j < width; ++j) out[j] = in ? acc[j] + in[j] : acc[j];
}

// Rows [m0, m0 + MR) x columns [n0, n0 + width), width <= 2 vectors.
template <typename T, int MR>
__attribute__((always_inline)) inline void column_block(const Gemm<T>& g, int64_t m0, int64_t n0, int64_t width) {
  constexpr int L = lanes<T>;
  if (width == 2 * L) {
    tile<T, MR, 2>(g, m0, n0);
  } else {
    int64_t n = n0;
    if (width >= L) {
      tile<T, MR, 1>(g, m0, n);
      n += L;
    }
    if (n < n0 + width)
      for (int r = 0; r < MR; ++r) tail_columns(g, m0 + r, n);
  }
}

template <typename T>
__attribute__((target_clones("arch=x86-64-v3", "default"))) void gemm_rows(const Gemm<T>& g, int64_t begin,
                                                                            int64_t end) {
  constexpr int MR = 6;
  constexpr int64_t CHUNK = 8 * MR;
  constexpr int64_t BLOCK = 2 * lanes<T>;
  // For each chunk of rows (in L2), each block of columns (its W panel in L1) over the chunk's tiles.
  for (int64_t c0 = begin; c0 < end; c0 += CHUNK) {
    const int64_t c1 = std::min(end, c0 + CHUNK);
    for (int64_t n0 = 0; n0 < g.N; n0 += BLOCK) {
      const int64_t width = std::min(BLOCK, g.N - n0);
      int64_t m = c0;
      for (; m + MR <= c1; m += MR) column_block<T, MR>(g, m, n0, width);
      switch (c1 - m) {
        case 5: column_block<T, 5>(g, m, n0, width); break;
        case 4: column_block<T, 4>(g, m, n0, width); break;
        case 3: column_block<T, 3>(g, m, n0, width); break;
        case 2: column_block<T, 2>(g, m, n0, width); break;
        case 1: column_block<T, 1>(g, m, n0, width); break;
        default: break;
      }
    }
  }
}

// Splits the rows over libtorch's threads when the product is big enough to pay for it.
template <typename T>
void gemm(const Gemm<T>& g) {
  int64_t k = 0;
  for (int s = 0; s < g.nseg; ++s) k += g.segs[s].K;
  const int64_t work = g.M * g.N * k;
  if (work < (int64_t{1} << 18) || g.M < 24) {
    gemm_rows(g, 0, g.M);
    return;
  }
  // Chunks of whole tiles, so threads never split a tile.
  const int64_t tiles = (g.M + 5) / 6;
  at::parallel_for(0, tiles, 4, [&](int64_t b, int64_t e) { gemm_rows(g, b * 6, std::min(g.M, e * 6)); });
}

}  // namespace ncml::incremental
