// Reverse-mode autograd: libtorch's engine, reached with tensors from JavaScript.
// Grad mode is thread-local in libtorch; all calls here run on the JavaScript thread.
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "handle.h"

namespace ncml {
namespace {

std::vector<at::Tensor> optional_tensor_list(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (info.Length() <= i || info[i].IsNull() || info[i].IsUndefined()) return {};
  return arg_tensor_list(info, i, name);
}

c10::optional<bool> optional_bool(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (info.Length() <= i || info[i].IsNull() || info[i].IsUndefined()) return c10::nullopt;
  return arg_bool(info, i, name);
}

// backward(tensors, gradTensors | null, retainGraph | null, createGraph, inputs | null)
Napi::Value backward(const Napi::CallbackInfo& info) {
  auto tensors = arg_tensor_list(info, 0, "tensors");
  auto grads = optional_tensor_list(info, 1, "gradTensors");
  auto retain = optional_bool(info, 2, "retainGraph");
  bool create = optional_bool(info, 3, "createGraph").value_or(false);
  auto inputs = optional_tensor_list(info, 4, "inputs");
  torch::autograd::backward(tensors, grads, retain, create, inputs);
  return info.Env().Undefined();
}

// grad(outputs, inputs, gradOutputs | null, retainGraph | null, createGraph, allowUnused) -> (handle | null)[]
Napi::Value grad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto outputs = arg_tensor_list(info, 0, "outputs");
  auto inputs = arg_tensor_list(info, 1, "inputs");
  auto grad_outputs = optional_tensor_list(info, 2, "gradOutputs");
  auto retain = optional_bool(info, 3, "retainGraph");
  bool create = optional_bool(info, 4, "createGraph").value_or(false);
  bool allow_unused = optional_bool(info, 5, "allowUnused").value_or(false);
  auto result = torch::autograd::grad(outputs, inputs, grad_outputs, retain, create, allow_unused);
  auto arr = Napi::Array::New(env, result.size());
  for (size_t i = 0; i < result.size(); ++i) arr.Set(static_cast<uint32_t>(i), wrap(env, result[i]));
  return arr;
}

Napi::Value get_grad(const Napi::CallbackInfo& info) { return wrap(info.Env(), unwrap(info.Env(), info[0]).grad()); }

// setGrad(handle, grad | null): null drops the gradient (zero_grad with set_to_none).
Napi::Value set_grad(const Napi::CallbackInfo& info) {
  const at::Tensor& t = unwrap(info.Env(), info[0]);
  if (info[1].IsNull() || info[1].IsUndefined()) {
    t.mutable_grad().reset();
  } else {
    t.mutable_grad() = unwrap(info.Env(), info[1], "grad");
  }
  return info.Env().Undefined();
}

Napi::Value requires_grad(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), unwrap(info.Env(), info[0]).requires_grad());
}

Napi::Value set_requires_grad(const Napi::CallbackInfo& info) {
  unwrap(info.Env(), info[0]).set_requires_grad(arg_bool(info, 1, "requiresGrad"));
  return info.Env().Undefined();
}

Napi::Value is_leaf(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), unwrap(info.Env(), info[0]).is_leaf());
}

Napi::Value grad_fn(const Napi::CallbackInfo& info) {
  const auto& fn = unwrap(info.Env(), info[0]).grad_fn();
  if (!fn) return info.Env().Null();
  return Napi::String::New(info.Env(), fn->name());
}

Napi::Value retain_grad(const Napi::CallbackInfo& info) {
  unwrap(info.Env(), info[0]).retain_grad();
  return info.Env().Undefined();
}

// setGradEnabled(enabled) -> previous
Napi::Value set_grad_enabled(const Napi::CallbackInfo& info) {
  bool prev = c10::GradMode::is_enabled();
  c10::GradMode::set_enabled(arg_bool(info, 0, "enabled"));
  return Napi::Boolean::New(info.Env(), prev);
}

Napi::Value is_grad_enabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), c10::GradMode::is_enabled());
}

}  // namespace

void init_autograd(Napi::Env env, Napi::Object exports) {
  export_fn<backward>(env, exports, "backward");
  export_fn<grad>(env, exports, "grad");
  export_fn<get_grad>(env, exports, "getGrad");
  export_fn<set_grad>(env, exports, "setGrad");
  export_fn<requires_grad>(env, exports, "requiresGrad");
  export_fn<set_requires_grad>(env, exports, "setRequiresGrad");
  export_fn<is_leaf>(env, exports, "isLeaf");
  export_fn<grad_fn>(env, exports, "gradFn");
  export_fn<retain_grad>(env, exports, "retainGrad");
  export_fn<set_grad_enabled>(env, exports, "setGradEnabled");
  export_fn<is_grad_enabled>(env, exports, "isGradEnabled");
}

}  // namespace ncml
