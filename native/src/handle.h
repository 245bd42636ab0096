// Tensor handles and the one way every binding entry point is wrapped.
//
// A tensor crosses into JavaScript as a Napi::External holding a TensorBox.
// dispose() resets the box's at::Tensor at once (one reference dropped; storage
// dies with its last view, autograd keeps what it saved); the External's
// finalizer is the backstop when JavaScript forgets.
#pragma once

#include <ATen/ATen.h>
#include <napi.h>

#include <string>

namespace ncml {

struct TensorBox {
  at::Tensor tensor;
  int64_t accounted_bytes = 0;  // reported to V8 through AdjustExternalMemory
};

// Wraps a tensor into a new handle; an undefined tensor becomes `null`.
Napi::Value wrap(Napi::Env env, at::Tensor tensor);

// The tensor behind a handle; throws TypeError for non-handles and disposed tensors.
const at::Tensor& unwrap(Napi::Env env, const Napi::Value& value, const char* what = "tensor");
TensorBox* unwrap_box(Napi::Env env, const Napi::Value& value, const char* what = "tensor");

// Disposes one handle: drops its reference now. Idempotent.
void dispose(Napi::Env env, TensorBox* box);

// Converts a C++ exception in flight into a JavaScript exception. libtorch's
// message is kept without its C++ backtrace; index errors become RangeError,
// type errors TypeError.
[[noreturn]] void rethrow_as_js(Napi::Env env);

using Entry = Napi::Value (*)(const Napi::CallbackInfo&);

// Every exported function goes through this wrapper: catch, convert, rethrow.
template <Entry F>
Napi::Value guarded(const Napi::CallbackInfo& info) {
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

}  // namespace ncml
