// Tensor handles and the one way every binding entry point is wrapped.
//
// A tensor crosses into JavaScript as a number: an index into a table of
// slots plus the slot's generation. dispose() resets the slot's at::Tensor at
// once (one reference dropped; storage dies with its last view, autograd keeps
// what it saved) and bumps the generation, so a stale handle is recognized,
// never confused with the slot's next tenant. Plain numbers keep the per-op
// cost low: no N-API reference, weak handle or finalizer per tensor. The
// JavaScript side registers each handle with a FinalizationRegistry as the
// garbage-collection backstop.
#pragma once

#include <ATen/ATen.h>
#include <napi.h>

#include <string>

namespace ncml {

// Wraps a tensor into a new handle; an undefined tensor becomes `null`.
Napi::Value wrap(Napi::Env env, at::Tensor tensor);

// The tensor behind a handle; throws TypeError for non-handles and an Error for disposed tensors.
const at::Tensor& unwrap(Napi::Env env, const Napi::Value& value, const char* what = "tensor");

// Disposes one handle: drops its reference now. Idempotent; stale handles are ignored.
void dispose(Napi::Env env, const Napi::Value& value);

// Whether a handle no longer refers to a live tensor.
bool is_disposed(Napi::Env env, const Napi::Value& value);

// Live handles (for leak checks in tests).
size_t live_handles();

// Converts a C++ exception in flight into a JavaScript exception. libtorch's
// message is kept without its C++ backtrace; index errors become RangeError,
// type errors TypeError.
[[noreturn]] void rethrow_as_js(Napi::Env env);

using Entry = Napi::Value (*)(const Napi::CallbackInfo&);

// Calls from JavaScript into the addon so far (benchmarks count them per step).
extern uint64_t native_calls;

// Every exported function goes through this wrapper: catch, convert, rethrow.
template <Entry F>
Napi::Value guarded(const Napi::CallbackInfo& info) {
  ++native_calls;
  try {
    return F(info);
  } catch (...) {
    rethrow_as_js(info.Env());
  }
}

template <Entry F>
void export_fn(Napi::Env env, Napi::Object exports, const char* name) {
  exports.Set(name, Napi::Function::New(env, guarded<F>, name));
}

// Argument helpers with clear messages.
int64_t arg_int(const Napi::CallbackInfo& info, size_t i, const char* name);
double arg_number(const Napi::CallbackInfo& info, size_t i, const char* name);
bool arg_bool(const Napi::CallbackInfo& info, size_t i, const char* name);
std::string arg_string(const Napi::CallbackInfo& info, size_t i, const char* name);
std::vector<int64_t> arg_int_list(const Napi::CallbackInfo& info, size_t i, const char* name);
std::vector<at::Tensor> arg_tensor_list(const Napi::CallbackInfo& info, size_t i, const char* name);
at::ScalarType arg_dtype(const Napi::CallbackInfo& info, size_t i);

// Registration of each module's functions.
void init_ops(Napi::Env env, Napi::Object exports);
void init_tensor(Napi::Env env, Napi::Object exports);
void init_autograd(Napi::Env env, Napi::Object exports);
void init_runtime(Napi::Env env, Napi::Object exports);
void init_profiler(Napi::Env env, Napi::Object exports);
void init_distributed(Napi::Env env, Napi::Object exports);
namespace kernels {
void init_concat_elu(Napi::Env env, Napi::Object exports);
void init_gated_residual(Napi::Env env, Napi::Object exports);
}  // namespace kernels
namespace incremental {
void init_incremental(Napi::Env env, Napi::Object exports);
}  // namespace incremental

}  // namespace ncml
