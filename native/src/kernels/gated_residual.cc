// The gate of PixelCNN++'s residual block, out = x + a * sigmoid(b) with
// (a, b) the two channel halves of c, as one fused kernel with its own
// backward (composite: sigmoid, mul, add forward; their backwards and the
// chunk's gradient concatenation backward).
//   s = sigmoid(b);  dx = g;  da = g s;  db = g a s (1 - s)
#include <torch/csrc/autograd/custom_function.h>

#include "../handle.h"
#include "channel_halves.h"
#include "vector_math.h"

namespace ncml::kernels {
namespace {

// sigmoid(b) = 1 / (1 + e^-b) for b >= 0 and e^b / (1 + e^b) below, so the exponential never overflows.
inline float sigmoid(float b) {
  float e = exp_nonpositive(-std::fabs(b));
  float r = 1.0f / (1.0f + e);
  return b >= 0.0f ? r : e * r;
}

template <typename T>
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"))) void forward_rows(const T* __restrict x, const T* __restrict c, T* __restrict out,
                                                                                  int64_t begin, int64_t end,
                                                                                  int64_t inner) {
  for (int64_t o = begin; o < end; ++o) {
    const T* xs = x + o * inner;
    const T* a = c + o * 2 * inner;
    const T* b = a + inner;
    T* y = out + o * inner;
    for (int64_t i = 0; i < inner; ++i) y[i] = store<T>(load(xs[i]) + load(a[i]) * sigmoid(load(b[i])));
  }
}

template <typename T>
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"))) void backward_rows(const T* __restrict c, const T* __restrict g, T* __restrict dc,
                                                                                   int64_t begin, int64_t end,
                                                                                   int64_t inner) {
  for (int64_t o = begin; o < end; ++o) {
    const T* a = c + o * 2 * inner;
    const T* b = a + inner;
    const T* gs = g + o * inner;
    T* da = dc + o * 2 * inner;
    T* db = da + inner;
    for (int64_t i = 0; i < inner; ++i) {
      float s = sigmoid(load(b[i]));
      float gi = load(gs[i]);
      da[i] = store<T>(gi * s);
      db[i] = store<T>(gi * load(a[i]) * s * (1.0f - s));
    }
  }
}

bool fusable(const at::Tensor& x, const at::Tensor& c) {
  return x.dim() == 4 && c.dim() == 4 && x.device().is_cpu() && c.device().is_cpu() &&
         x.scalar_type() == c.scalar_type() &&
         (x.scalar_type() == at::kFloat || x.scalar_type() == at::kBFloat16) && c.size(0) == x.size(0) &&
         c.size(1) == 2 * x.size(1) && c.size(2) == x.size(2) && c.size(3) == x.size(3);
}

at::Tensor composite(const at::Tensor& x, const at::Tensor& c) {
  auto ab = c.chunk(2, 1);
  return x + ab[0] * at::sigmoid(ab[1]);
}

struct GatedResidual : public torch::autograd::Function<GatedResidual> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x_in, const at::Tensor& c_in) {
    HalvesLayout l = halves_layout(c_in, x_in.size(1));
    at::Tensor c = c_in.contiguous(l.format);
    at::Tensor x = x_in.contiguous(l.format);
    at::Tensor out = at::empty_like(x, x.options().memory_format(l.format));
    parallel_rows(c.scalar_type(), l.outer, [&](auto tag, int64_t b, int64_t e) {
      using T = decltype(tag);
      forward_rows<T>(data_as<T>(x), data_as<T>(c), data_as<T>(out), b, e, l.inner);
    });
    ctx->save_for_backward({c});
    return out;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const at::Tensor c = ctx->get_saved_variables()[0];
    const at::Tensor& grad = grads[0];
    if (at::GradMode::is_enabled()) {
      auto ab = c.chunk(2, 1);
      at::Tensor s = at::sigmoid(ab[1]);
      return {grad, at::cat({grad * s, grad * ab[0] * s * (1 - s)}, 1)};
    }
    HalvesLayout l = halves_layout(c, c.size(1) / 2);
    at::Tensor g = grad.to(c.scalar_type()).contiguous(l.format);
    at::Tensor dc = at::empty_like(c, c.options().memory_format(l.format));
    parallel_rows(c.scalar_type(), l.outer, [&](auto tag, int64_t b, int64_t e) {
      using T = decltype(tag);
      backward_rows<T>(data_as<T>(c), data_as<T>(g), data_as<T>(dc), b, e, l.inner);
    });
    return {grad, dc};
  }
};

// gatedResidual(x, c) -> x + a * sigmoid(b), (a, b) = the channel halves of c
Napi::Value gated_residual(const Napi::CallbackInfo& info) {
  const at::Tensor& x = unwrap(info.Env(), info[0], "x");
  const at::Tensor& c = unwrap(info.Env(), info[1], "c");
  if (x.dim() < 2 || c.dim() != x.dim() || c.size(1) != 2 * x.size(1)) {
    throw Napi::RangeError::New(info.Env(), "gatedResidual: c must have twice x's channels (dim 1), got x " +
                                                c10::str(x.sizes()) + " and c " + c10::str(c.sizes()));
  }
  if (!fusable(x, c)) return wrap(info.Env(), composite(x, c));
  return wrap(info.Env(), GatedResidual::apply(x, c));
}

}  // namespace

void init_gated_residual(Napi::Env env, Napi::Object exports) {
  export_fn<gated_residual>(env, exports, "gatedResidual");
}

}  // namespace ncml::kernels
