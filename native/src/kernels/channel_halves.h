// Fused kernels whose output (or input) is two halves along the channel
// dimension, [first C channels | second C channels], see a 4-d tensor as
// [outer, 2, inner] in memory: NCHW gives outer = N, inner = C*H*W;
// channels_last gives outer = N*H*W, inner = C. Anything else is made
// contiguous first.
#pragma once

#include <ATen/ATen.h>

namespace ncml::kernels {

struct HalvesLayout {
  at::MemoryFormat format;
  int64_t outer;
  int64_t inner;  // elements of one half per outer index
};

// The layout of a 4-d tensor with `channels` channels (the full count of the
// tensor being described), by its suggested memory format.
inline HalvesLayout halves_layout(const at::Tensor& t, int64_t half_channels) {
  const auto sizes = t.sizes();
  const int64_t n = sizes[0], h = sizes[2], w = sizes[3];
  if (t.suggest_memory_format() == at::MemoryFormat::ChannelsLast) {
    return {at::MemoryFormat::ChannelsLast, n * h * w, half_channels};
  }
  return {at::MemoryFormat::Contiguous, n, half_channels * h * w};
}

}  // namespace ncml::kernels
