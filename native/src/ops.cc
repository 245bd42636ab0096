// Calls any ATen operator through libtorch's dispatcher, the one uniform route.
//
// JavaScript asks once for an operator by schema name and overload
// (`op("aten::add", "Tensor")`) and gets a small integer id; each `call(id, ...)`
// converts the JavaScript arguments by the operator's schema into a boxed stack
// and converts the results back. Autograd, autocast and device dispatch all
// happen inside the dispatcher, exactly as for PyTorch's own Python binding.
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/stack.h>
#include <torch/version.h>

#include <cmath>
#include <sstream>
#include <vector>

#include "handle.h"

namespace ncml {
namespace {

enum class ArgKind : uint8_t {
  Tensor,
  TensorList,
  OptTensorList,
  Int,
  IntList,
  Float,
  FloatList,
  Bool,
  BoolList,
  Scalar,
  String,
  Device,
  Generator,
};

enum class RetKind : uint8_t { Tensor, WrittenAlias, TensorList, Number, Bool, Scalar, None };

struct ArgSpec {
  ArgKind kind;
  bool optional;
  c10::optional<int> fixed_size;  // `int[2] stride=1` accepts one int for both
  c10::optional<c10::IValue> default_value;
  std::string name;
};

struct OpEntry {
  c10::OperatorHandle handle;
  std::string name;
  std::vector<ArgSpec> args;
  std::vector<RetKind> rets;
};

std::vector<OpEntry>& registry() {
  static std::vector<OpEntry> ops;
  return ops;
}

ArgKind list_kind(const c10::TypePtr& elem, const std::string& where) {
  switch (elem->kind()) {
    case c10::TypeKind::TensorType:
      return ArgKind::TensorList;
    case c10::TypeKind::IntType:
    case c10::TypeKind::SymIntType:
      return ArgKind::IntList;
    case c10::TypeKind::FloatType:
      return ArgKind::FloatList;
    case c10::TypeKind::BoolType:
      return ArgKind::BoolList;
    case c10::TypeKind::OptionalType:
      if (elem->expectRef<c10::OptionalType>().getElementType()->kind() == c10::TypeKind::TensorType) {
        return ArgKind::OptTensorList;
      }
      break;
    default:
      break;
  }
  throw std::invalid_argument(where + ": list of " + elem->str() + " is not supported by the binding");
}

ArgSpec spec_of(const c10::Argument& a, const std::string& op_name) {
  ArgSpec s{ArgKind::Tensor, false, a.N(), a.default_value(), a.name()};
  c10::TypePtr t = a.type();
  if (t->kind() == c10::TypeKind::OptionalType) {
    s.optional = true;
    t = t->expectRef<c10::OptionalType>().getElementType();
  }
  const std::string where = op_name + " argument '" + a.name() + "'";
  switch (t->kind()) {
    case c10::TypeKind::TensorType: s.kind = ArgKind::Tensor; break;
    case c10::TypeKind::IntType:
    case c10::TypeKind::SymIntType:
    case c10::TypeKind::ScalarTypeType:
    case c10::TypeKind::LayoutType:
    case c10::TypeKind::MemoryFormatType: s.kind = ArgKind::Int; break;
    case c10::TypeKind::FloatType: s.kind = ArgKind::Float; break;
    case c10::TypeKind::BoolType: s.kind = ArgKind::Bool; break;
    case c10::TypeKind::NumberType: s.kind = ArgKind::Scalar; break;
    case c10::TypeKind::StringType: s.kind = ArgKind::String; break;
    case c10::TypeKind::DeviceObjType: s.kind = ArgKind::Device; break;
    case c10::TypeKind::GeneratorType: s.kind = ArgKind::Generator; break;
    case c10::TypeKind::ListType:
      s.kind = list_kind(t->expectRef<c10::ListType>().getElementType(), where);
      break;
    default:
      throw std::invalid_argument(where + " has type " + t->str() + ", which the binding does not support");
  }
  return s;
}

RetKind ret_of(const c10::Argument& r, const std::string& op_name) {
  const c10::TypePtr& t = r.type();
  switch (t->kind()) {
    case c10::TypeKind::TensorType:
      // In-place and out= results are the input itself: JavaScript already holds it.
      return (r.alias_info() && r.alias_info()->isWrite()) ? RetKind::WrittenAlias : RetKind::Tensor;
    case c10::TypeKind::ListType:
      if (t->expectRef<c10::ListType>().getElementType()->kind() == c10::TypeKind::TensorType) {
        return RetKind::TensorList;
      }
      break;
    case c10::TypeKind::IntType:
    case c10::TypeKind::SymIntType:
    case c10::TypeKind::FloatType:
      return RetKind::Number;
    case c10::TypeKind::BoolType:
      return RetKind::Bool;
    case c10::TypeKind::NumberType:
      return RetKind::Scalar;
    case c10::TypeKind::NoneType:
      return RetKind::None;
    default:
      break;
  }
  throw std::invalid_argument(op_name + " returns " + t->str() + ", which the binding does not support");
}

[[noreturn]] void bad_arg(Napi::Env env, const OpEntry& op, const ArgSpec& s, const char* expected) {
  throw Napi::TypeError::New(env, op.name + ": argument '" + s.name + "' must be " + expected);
}

int64_t to_int(Napi::Env env, const OpEntry& op, const ArgSpec& s, const Napi::Value& v) {
  if (!v.IsNumber()) bad_arg(env, op, s, "an integer");
  double d = v.As<Napi::Number>().DoubleValue();
  // Beyond 2^63 the cast is undefined; beyond 2^53 a JavaScript number is no longer an exact integer.
  if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) > 9007199254740992.0) {
    bad_arg(env, op, s, "an integer within +-2^53");
  }
  return static_cast<int64_t>(d);
}

// JavaScript numbers have no int/float split; integral values become integer
// scalars (as Python ints do), so `intTensor.add(1)` stays an integer tensor.
c10::IValue to_scalar(Napi::Env env, const OpEntry& op, const ArgSpec& s, const Napi::Value& v) {
  if (v.IsBoolean()) return c10::IValue(v.As<Napi::Boolean>().Value());
  if (!v.IsNumber()) bad_arg(env, op, s, "a number or boolean");
  double d = v.As<Napi::Number>().DoubleValue();
  if (std::trunc(d) == d && std::fabs(d) <= 9007199254740992.0) return c10::IValue(static_cast<int64_t>(d));
  return c10::IValue(d);
}

c10::IValue to_ivalue(Napi::Env env, const OpEntry& op, const ArgSpec& s, const Napi::Value& v) {
  if (v.IsUndefined()) {
    if (s.default_value) return *s.default_value;
    if (s.optional) return c10::IValue();
    bad_arg(env, op, s, "given (it has no default)");
  }
  if (v.IsNull()) {
    if (s.optional) return c10::IValue();
    bad_arg(env, op, s, "given (it is not optional, null is not allowed)");
  }
  switch (s.kind) {
    case ArgKind::Tensor:
      return c10::IValue(unwrap(env, v, s.name.c_str()));
    case ArgKind::Int:
      return c10::IValue(to_int(env, op, s, v));
    case ArgKind::Float:
      if (!v.IsNumber()) bad_arg(env, op, s, "a number");
      return c10::IValue(v.As<Napi::Number>().DoubleValue());
    case ArgKind::Bool:
      if (!v.IsBoolean()) bad_arg(env, op, s, "a boolean");
      return c10::IValue(v.As<Napi::Boolean>().Value());
    case ArgKind::Scalar:
      return to_scalar(env, op, s, v);
    case ArgKind::String:
      if (!v.IsString()) bad_arg(env, op, s, "a string");
      return c10::IValue(v.As<Napi::String>().Utf8Value());
    case ArgKind::Device:
      if (!v.IsString()) bad_arg(env, op, s, "a device string such as 'cpu' or 'cuda:0'");
      return c10::IValue(c10::Device(v.As<Napi::String>().Utf8Value()));
    case ArgKind::Generator:
      bad_arg(env, op, s, "null (explicit generators are not supported; use manualSeed)");
    case ArgKind::IntList: {
      if (v.IsNumber() && s.fixed_size) {
        return c10::IValue(c10::List<int64_t>(std::vector<int64_t>(*s.fixed_size, to_int(env, op, s, v))));
      }
      if (!v.IsArray()) bad_arg(env, op, s, "an array of integers");
      auto arr = v.As<Napi::Array>();
      c10::List<int64_t> out;
      out.reserve(arr.Length());
      for (uint32_t i = 0; i < arr.Length(); ++i) out.push_back(to_int(env, op, s, arr[i]));
      return c10::IValue(std::move(out));
    }
    case ArgKind::FloatList: {
      if (!v.IsArray()) bad_arg(env, op, s, "an array of numbers");
      auto arr = v.As<Napi::Array>();
      c10::List<double> out;
      for (uint32_t i = 0; i < arr.Length(); ++i) {
        Napi::Value e = arr[i];
        if (!e.IsNumber()) bad_arg(env, op, s, "an array of numbers");
        out.push_back(e.As<Napi::Number>().DoubleValue());
      }
      return c10::IValue(std::move(out));
    }
    case ArgKind::BoolList: {
      if (!v.IsArray()) bad_arg(env, op, s, "an array of booleans");
      auto arr = v.As<Napi::Array>();
      c10::List<bool> out;
      for (uint32_t i = 0; i < arr.Length(); ++i) {
        Napi::Value e = arr[i];
        if (!e.IsBoolean()) bad_arg(env, op, s, "an array of booleans");
        out.push_back(e.As<Napi::Boolean>().Value());
      }
      return c10::IValue(std::move(out));
    }
    case ArgKind::TensorList: {
      if (!v.IsArray()) bad_arg(env, op, s, "an array of tensors");
      auto arr = v.As<Napi::Array>();
      c10::List<at::Tensor> out;
      out.reserve(arr.Length());
      for (uint32_t i = 0; i < arr.Length(); ++i) out.push_back(unwrap(env, arr[i], s.name.c_str()));
      return c10::IValue(std::move(out));
    }
    case ArgKind::OptTensorList: {
      if (!v.IsArray()) bad_arg(env, op, s, "an array of tensors or nulls");
      auto arr = v.As<Napi::Array>();
      c10::List<c10::optional<at::Tensor>> out;
      for (uint32_t i = 0; i < arr.Length(); ++i) {
        Napi::Value e = arr[i];
        if (e.IsNull() || e.IsUndefined()) {
          out.push_back(c10::nullopt);
        } else {
          out.push_back(unwrap(env, e, s.name.c_str()));
        }
      }
      return c10::IValue(std::move(out));
    }
  }
  bad_arg(env, op, s, "of a supported type");
}

Napi::Value from_ivalue(Napi::Env env, RetKind kind, c10::IValue&& v) {
  switch (kind) {
    case RetKind::Tensor:
      return wrap(env, std::move(v).toTensor());
    case RetKind::WrittenAlias:
    case RetKind::None:
      return env.Undefined();
    case RetKind::TensorList: {
      auto list = std::move(v).toTensorList();
      auto arr = Napi::Array::New(env, list.size());
      for (size_t i = 0; i < list.size(); ++i) arr.Set(static_cast<uint32_t>(i), wrap(env, list.get(i)));
      return arr;
    }
    case RetKind::Number:
      return Napi::Number::New(env, v.isInt() ? static_cast<double>(v.toInt()) : v.toDouble());
    case RetKind::Bool:
      return Napi::Boolean::New(env, v.toBool());
    case RetKind::Scalar:
      if (v.isBool()) return Napi::Boolean::New(env, v.toBool());
      if (v.isInt()) return Napi::Number::New(env, static_cast<double>(v.toInt()));
      return Napi::Number::New(env, v.toDouble());
  }
  return env.Undefined();
}

// op(name, overload) -> id
Napi::Value op(const Napi::CallbackInfo& info) {
  const std::string name = arg_string(info, 0, "name");
  const std::string overload = info.Length() > 1 ? arg_string(info, 1, "overload") : "";
  auto maybe = c10::Dispatcher::singleton().findSchema({name, overload});
  if (!maybe) {
    throw Napi::Error::New(info.Env(), "no operator " + name + (overload.empty() ? "" : "." + overload) +
                                           " in this libtorch (" TORCH_VERSION ")");
  }
  const c10::FunctionSchema& schema = maybe->schema();
  const std::string full = overload.empty() ? name : name + "." + overload;
  OpEntry entry{*maybe, full, {}, {}};
  for (const auto& a : schema.arguments()) entry.args.push_back(spec_of(a, full));
  for (const auto& r : schema.returns()) entry.rets.push_back(ret_of(r, full));
  registry().push_back(std::move(entry));
  return Napi::Number::New(info.Env(), static_cast<double>(registry().size() - 1));
}

const OpEntry& entry_at(const Napi::CallbackInfo& info) {
  int64_t id = arg_int(info, 0, "operator id");
  if (id < 0 || id >= static_cast<int64_t>(registry().size())) {
    throw Napi::RangeError::New(info.Env(), "unknown operator id " + std::to_string(id));
  }
  return registry()[id];
}

// call(id, ...args) -> result | result[]
Napi::Value call(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const OpEntry& op = entry_at(info);
  const size_t given = info.Length() - 1;
  if (given > op.args.size()) {
    throw Napi::TypeError::New(env, op.name + " takes " + std::to_string(op.args.size()) + " arguments, got " +
                                        std::to_string(given));
  }
  // Reused across calls (a fresh vector per call was a measurable share of a tiny op's cost),
  // and emptied on every exit so it never keeps a tensor alive.
  static torch::jit::Stack stack;
  struct Clear {
    torch::jit::Stack& s;
    ~Clear() { s.clear(); }
  } clear{stack};
  stack.clear();
  for (size_t i = 0; i < op.args.size(); ++i) {
    stack.push_back(to_ivalue(env, op, op.args[i], i < given ? info[i + 1] : env.Undefined()));
  }
  op.handle.callBoxed(stack);
  if (op.rets.size() == 1) return from_ivalue(env, op.rets[0], std::move(stack[0]));
  auto out = Napi::Array::New(env, op.rets.size());
  for (size_t i = 0; i < op.rets.size(); ++i) out.Set(static_cast<uint32_t>(i), from_ivalue(env, op.rets[i], std::move(stack[i])));
  return out;
}

Napi::Value schema(const Napi::CallbackInfo& info) {
  std::ostringstream s;
  s << entry_at(info).handle.schema();
  return Napi::String::New(info.Env(), s.str());
}

}  // namespace

void init_ops(Napi::Env env, Napi::Object exports) {
  export_fn<op>(env, exports, "op");
  export_fn<call>(env, exports, "call");
  export_fn<schema>(env, exports, "schema");
}

}  // namespace ncml
