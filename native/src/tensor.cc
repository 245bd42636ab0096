// Tensor lifetime, metadata and data exchange with JavaScript TypedArrays.
//
// Data in: always copied. JavaScript may mutate, transfer or detach its buffer
// at any time and a libtorch storage may be freed on another thread, so
// sharing a JavaScript buffer with a tensor is never safe; one memcpy is cheap
// next to any real computation.
// Data out: copied by `toArray`; `shareArray` gives a zero-copy view of a
// contiguous CPU tensor that keeps the storage alive (like numpy()).
#include <cstring>

#include "handle.h"

namespace ncml {
namespace {

// TypedArray element size a dtype is exchanged through (bfloat16/half as raw uint16 bits, bool as uint8).
napi_typedarray_type array_type_for(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return napi_float32_array;
    case at::kDouble: return napi_float64_array;
    case at::kLong: return napi_bigint64_array;
    case at::kInt: return napi_int32_array;
    case at::kShort: return napi_int16_array;
    case at::kChar: return napi_int8_array;
    case at::kByte:
    case at::kBool: return napi_uint8_array;
    case at::kBFloat16:
    case at::kHalf: return napi_uint16_array;
    default: throw std::invalid_argument(std::string("dtype ") + c10::toString(t) + " cannot be exchanged with JavaScript");
  }
}

size_t array_element_size(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array: return 1;
    case napi_int16_array:
    case napi_uint16_array: return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array: return 4;
    default: return 8;
  }
}

// fromArray(typedArray, shape, dtype) -> handle
Napi::Value from_array(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray()) throw Napi::TypeError::New(env, "data must be a TypedArray");
  auto arr = info[0].As<Napi::TypedArray>();
  auto shape = arg_int_list(info, 1, "shape");
  at::ScalarType dtype = arg_dtype(info, 2);
  if (arr.TypedArrayType() != array_type_for(dtype)) {
    throw Napi::TypeError::New(env, std::string("a ") + c10::toString(dtype) +
                                        " tensor is made from a different TypedArray type than the one given");
  }
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dtype));
  size_t bytes = static_cast<size_t>(t.numel()) * t.element_size();
  size_t have = arr.ElementLength() * array_element_size(arr.TypedArrayType());
  if (bytes != have) {
    throw Napi::RangeError::New(env, "shape " + c10::str(t.sizes()) + " needs " + std::to_string(t.numel()) +
                                         " elements, the array has " + std::to_string(arr.ElementLength()));
  }
  if (bytes > 0) {
    auto* src = static_cast<uint8_t*>(arr.ArrayBuffer().Data()) + arr.ByteOffset();
    std::memcpy(t.data_ptr(), src, bytes);
  }
  return wrap(env, std::move(t));
}

at::Tensor cpu_contiguous(const at::Tensor& t) {
  return t.device().is_cpu() ? t.contiguous() : t.to(at::kCPU).contiguous();
}

Napi::Value make_typed_array(Napi::Env env, napi_typedarray_type type, size_t length, Napi::ArrayBuffer buf) {
  napi_value out;
  NAPI_THROW_IF_FAILED(env, napi_create_typedarray(env, type, length, buf, 0, &out), Napi::Value());
  return Napi::Value(env, out);
}

// toArray(handle) -> TypedArray (copy)
Napi::Value to_array(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  at::Tensor t = cpu_contiguous(unwrap(env, info[0]).detach());
  auto type = array_type_for(t.scalar_type());
  size_t bytes = static_cast<size_t>(t.numel()) * t.element_size();
  auto buf = Napi::ArrayBuffer::New(env, bytes);
  if (bytes > 0) std::memcpy(buf.Data(), t.data_ptr(), bytes);
  return make_typed_array(env, type, static_cast<size_t>(t.numel()), buf);
}

// shareArray(handle) -> TypedArray viewing the tensor's own memory (contiguous CPU tensors only)
Napi::Value share_array(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& src = unwrap(env, info[0]);
  if (!src.device().is_cpu() || !src.is_contiguous()) {
    throw Napi::Error::New(env, "shareArray needs a contiguous CPU tensor; call .contiguous() or use toArray()");
  }
  auto type = array_type_for(src.scalar_type());
  auto* keep = new at::Tensor(src.detach());
  size_t bytes = static_cast<size_t>(keep->numel()) * keep->element_size();
  if (bytes == 0) {
    delete keep;
    return make_typed_array(env, type, 0, Napi::ArrayBuffer::New(env, 0));
  }
  auto buf = Napi::ArrayBuffer::New(env, keep->data_ptr(), bytes, [](Napi::Env, void*, at::Tensor* t) { delete t; }, keep);
  return make_typed_array(env, type, static_cast<size_t>(keep->numel()), buf);
}

Napi::Value dispose_fn(const Napi::CallbackInfo& info) {
  dispose(info.Env(), info[0]);
  return info.Env().Undefined();
}

Napi::Value is_disposed_fn(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), is_disposed(info.Env(), info[0]));
}

Napi::Value live_handle_count(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(live_handles()));
}

Napi::Value int_array(Napi::Env env, c10::IntArrayRef values) {
  auto arr = Napi::Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); ++i) arr.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(values[i])));
  return arr;
}

Napi::Value shape(const Napi::CallbackInfo& info) { return int_array(info.Env(), unwrap(info.Env(), info[0]).sizes()); }

Napi::Value strides(const Napi::CallbackInfo& info) { return int_array(info.Env(), unwrap(info.Env(), info[0]).strides()); }

Napi::Value dtype(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<int>(unwrap(info.Env(), info[0]).scalar_type()));
}

Napi::Value device(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), unwrap(info.Env(), info[0]).device().str());
}

// isContiguous(handle, memoryFormat) with memoryFormat a c10::MemoryFormat code
Napi::Value is_contiguous(const Napi::CallbackInfo& info) {
  auto fmt = static_cast<at::MemoryFormat>(arg_int(info, 1, "memoryFormat"));
  return Napi::Boolean::New(info.Env(), unwrap(info.Env(), info[0]).is_contiguous(fmt));
}

// Whether two handles view the same storage (for tests of views and in-place ops).
Napi::Value same_storage(const Napi::CallbackInfo& info) {
  const at::Tensor& a = unwrap(info.Env(), info[0]);
  const at::Tensor& b = unwrap(info.Env(), info[1]);
  return Napi::Boolean::New(info.Env(), a.has_storage() && b.has_storage() && a.storage().is_alias_of(b.storage()));
}

// A second handle to the same tensor: disposing one leaves the other valid.
Napi::Value share(const Napi::CallbackInfo& info) { return wrap(info.Env(), unwrap(info.Env(), info[0])); }

// describe(handle) -> libtorch's own summary, used for printing large tensors' headers.
Napi::Value describe(const Napi::CallbackInfo& info) {
  const at::Tensor& t = unwrap(info.Env(), info[0]);
  return Napi::String::New(info.Env(), t.toString() + c10::str(t.sizes()));
}

}  // namespace

void init_tensor(Napi::Env env, Napi::Object exports) {
  export_fn<from_array>(env, exports, "fromArray");
  export_fn<to_array>(env, exports, "toArray");
  export_fn<share_array>(env, exports, "shareArray");
  export_fn<dispose_fn>(env, exports, "dispose");
  export_fn<is_disposed_fn>(env, exports, "isDisposed");
  export_fn<live_handle_count>(env, exports, "liveHandles");
  export_fn<shape>(env, exports, "shape");
  export_fn<strides>(env, exports, "strides");
  export_fn<dtype>(env, exports, "dtype");
  export_fn<device>(env, exports, "device");
  export_fn<is_contiguous>(env, exports, "isContiguous");
  export_fn<same_storage>(env, exports, "sameStorage");
  export_fn<share>(env, exports, "share");
  export_fn<describe>(env, exports, "describe");
}

}  // namespace ncml
