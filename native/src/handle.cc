#include "handle.h"

#include <c10/util/Exception.h>

#include <cmath>

namespace ncml {

namespace {

// Marks our externals so a foreign External is never mistaken for a tensor.
constexpr napi_type_tag kTensorTag = {0x6e636d6c74656e73ULL, 0x6f72626f78763031ULL};

int64_t storage_bytes(const at::Tensor& t) {
  if (!t.defined() || !t.has_storage()) return 0;
  return static_cast<int64_t>(t.numel() * t.element_size());
}

void finalize(Napi::Env env, TensorBox* box) {
  if (box->accounted_bytes != 0) Napi::MemoryManagement::AdjustExternalMemory(env, -box->accounted_bytes);
  delete box;
}

}  // namespace

Napi::Value wrap(Napi::Env env, at::Tensor tensor) {
  if (!tensor.defined()) return env.Null();
  auto* box = new TensorBox{std::move(tensor), 0};
  box->accounted_bytes = storage_bytes(box->tensor);
  if (box->accounted_bytes != 0) Napi::MemoryManagement::AdjustExternalMemory(env, box->accounted_bytes);
  auto ext = Napi::External<TensorBox>::New(env, box, finalize);
  napi_type_tag_object(env, ext, &kTensorTag);
  return ext;
}

TensorBox* unwrap_box(Napi::Env env, const Napi::Value& value, const char* what) {
  bool tagged = false;
  if (value.IsExternal()) napi_check_object_type_tag(env, value, &kTensorTag, &tagged);
  if (!tagged) {
    throw Napi::TypeError::New(env, std::string("expected a tensor for ") + what + ", got " +
                                        (value.IsNull() ? "null" : value.IsUndefined() ? "undefined" : "another value"));
  }
  return value.As<Napi::External<TensorBox>>().Data();
}

const at::Tensor& unwrap(Napi::Env env, const Napi::Value& value, const char* what) {
  TensorBox* box = unwrap_box(env, value, what);
  if (!box->tensor.defined()) {
    throw Napi::Error::New(env, std::string("a disposed tensor was passed as '") + what + "': it cannot be used");
  }
  return box->tensor;
}

void dispose(Napi::Env env, TensorBox* box) {
  if (box->accounted_bytes != 0) {
    Napi::MemoryManagement::AdjustExternalMemory(env, -box->accounted_bytes);
    box->accounted_bytes = 0;
  }
  box->tensor.reset();
}

void rethrow_as_js(Napi::Env env) {
  try {
    throw;
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::IndexError& e) {
    throw Napi::RangeError::New(env, e.what_without_backtrace());
  } catch (const c10::TypeError& e) {
    throw Napi::TypeError::New(env, e.what_without_backtrace());
  } catch (const c10::Error& e) {
    throw Napi::Error::New(env, e.what_without_backtrace());
  } catch (const std::out_of_range& e) {
    throw Napi::RangeError::New(env, e.what());
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  } catch (...) {
    throw Napi::Error::New(env, "unknown native error");
  }
}

int64_t arg_int(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  double v = info[i].As<Napi::Number>().DoubleValue();
  if (!std::isfinite(v) || std::trunc(v) != v || std::fabs(v) > 9007199254740992.0) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be an integer, got " + std::to_string(v));
  }
  return static_cast<int64_t>(v);
}

double arg_number(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

bool arg_bool(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsBoolean()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

std::string arg_string(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsString()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a string");
  return info[i].As<Napi::String>().Utf8Value();
}

std::vector<int64_t> arg_int_list(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsArray()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be an array of integers");
  auto arr = info[i].As<Napi::Array>();
  std::vector<int64_t> out(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); ++k) {
    Napi::Value v = arr[k];
    double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : NAN;
    if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) > 9007199254740992.0) {
      throw Napi::TypeError::New(info.Env(), std::string(name) + " must be an array of integers, got " +
                                                 v.ToString().Utf8Value() + " at index " + std::to_string(k));
    }
    out[k] = static_cast<int64_t>(d);
  }
  return out;
}

std::vector<at::Tensor> arg_tensor_list(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsArray()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be an array of tensors");
  auto arr = info[i].As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); ++k) out.push_back(unwrap(info.Env(), arr[k], name));
  return out;
}

at::ScalarType arg_dtype(const Napi::CallbackInfo& info, size_t i) {
  int64_t code = arg_int(info, i, "dtype");
  if (code < 0 || code >= static_cast<int64_t>(at::ScalarType::NumOptions)) {
    throw Napi::RangeError::New(info.Env(), "unknown dtype code " + std::to_string(code));
  }
  return static_cast<at::ScalarType>(code);
}

}  // namespace ncml
