#include "handle.h"

#include <c10/util/Exception.h>

#include <cmath>

namespace ncml {

uint64_t native_calls = 0;

namespace {

// Handle = generation * 2^24 + index: exact in a double for 2^28 generations.
constexpr uint32_t kIndexBits = 24;
constexpr uint32_t kMaxSlots = 1u << kIndexBits;
constexpr uint32_t kGenerationMask = (1u << 28) - 1;

struct Slot {
  at::Tensor tensor;
  uint32_t generation = 1;
  int64_t accounted_bytes = 0;  // reported to V8 through AdjustExternalMemory
};

std::vector<Slot> slots;
std::vector<uint32_t> free_slots;
size_t live = 0;

int64_t storage_bytes(const at::Tensor& t) {
  if (!t.has_storage()) return 0;
  return static_cast<int64_t>(t.numel() * t.element_size());
}

// The slot a handle names, or nullptr when the handle is stale or malformed.
Slot* find(Napi::Env env, const Napi::Value& value, const char* what) {
  if (!value.IsNumber()) {
    throw Napi::TypeError::New(env, std::string("expected a tensor for ") + what + ", got " +
                                        (value.IsNull() ? "null" : value.IsUndefined() ? "undefined" : "another value"));
  }
  double d = value.As<Napi::Number>().DoubleValue();
  if (!(d >= 0) || d > 9007199254740991.0) throw Napi::TypeError::New(env, std::string("expected a tensor for ") + what);
  auto h = static_cast<uint64_t>(d);
  uint32_t index = static_cast<uint32_t>(h & (kMaxSlots - 1));
  uint32_t generation = static_cast<uint32_t>(h >> kIndexBits);
  if (index >= slots.size() || generation == 0 || static_cast<double>(h) != d) {
    throw Napi::TypeError::New(env, std::string("expected a tensor for ") + what);
  }
  Slot& slot = slots[index];
  return slot.generation == generation ? &slot : nullptr;
}

}  // namespace

Napi::Value wrap(Napi::Env env, at::Tensor tensor) {
  if (!tensor.defined()) return env.Null();
  uint32_t index;
  if (!free_slots.empty()) {
    index = free_slots.back();
    free_slots.pop_back();
  } else {
    if (slots.size() >= kMaxSlots) throw Napi::Error::New(env, "too many live tensors (16M): dispose some");
    index = static_cast<uint32_t>(slots.size());
    slots.emplace_back();
  }
  Slot& slot = slots[index];
  slot.accounted_bytes = storage_bytes(tensor);
  slot.tensor = std::move(tensor);
  if (slot.accounted_bytes != 0) Napi::MemoryManagement::AdjustExternalMemory(env, slot.accounted_bytes);
  ++live;
  double handle = static_cast<double>((static_cast<uint64_t>(slot.generation) << kIndexBits) | index);
  return Napi::Number::New(env, handle);
}

const at::Tensor& unwrap(Napi::Env env, const Napi::Value& value, const char* what) {
  Slot* slot = find(env, value, what);
  if (slot == nullptr || !slot->tensor.defined()) {
    throw Napi::Error::New(env, std::string("a disposed tensor was passed as '") + what + "': it cannot be used");
  }
  return slot->tensor;
}

void dispose(Napi::Env env, const Napi::Value& value) {
  Slot* slot = find(env, value, "dispose");
  if (slot == nullptr || !slot->tensor.defined()) return;
  if (slot->accounted_bytes != 0) Napi::MemoryManagement::AdjustExternalMemory(env, -slot->accounted_bytes);
  slot->accounted_bytes = 0;
  slot->tensor.reset();
  slot->generation = (slot->generation + 1) & kGenerationMask;
  if (slot->generation == 0) slot->generation = 1;
  free_slots.push_back(static_cast<uint32_t>(slot - slots.data()));
  --live;
}

bool is_disposed(Napi::Env env, const Napi::Value& value) {
  Slot* slot = find(env, value, "isDisposed");
  return slot == nullptr || !slot->tensor.defined();
}

size_t live_handles() { return live; }

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
