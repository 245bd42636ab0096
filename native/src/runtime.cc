// Process-wide engine settings: threads, seeds and RNG state, autocast, and a
// report of what libtorch was loaded and how it is configured.
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <ATen/autocast_mode.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <dlfcn.h>
#include <torch/version.h>

#include <thread>

#include "handle.h"

namespace ncml {
namespace {

Napi::Value set_num_threads(const Napi::CallbackInfo& info) {
  int64_t n = arg_int(info, 0, "threads");
  if (n < 1) throw Napi::RangeError::New(info.Env(), "threads must be at least 1, got " + std::to_string(n));
  at::set_num_threads(static_cast<int>(n));
  return info.Env().Undefined();
}

Napi::Value get_num_threads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}

// manualSeed(seed): seeds the CPU generator and, when present, every CUDA generator.
Napi::Value manual_seed(const Napi::CallbackInfo& info) {
  at::manual_seed(static_cast<uint64_t>(arg_int(info, 0, "seed")));
  return info.Env().Undefined();
}

// The default generator of a device (the CPU's when no device string is given).
static at::Generator default_generator(const Napi::CallbackInfo& info, size_t index) {
  if (info.Length() <= index || info[index].IsUndefined() || info[index].IsNull())
    return at::detail::getDefaultCPUGenerator();
  return at::globalContext().defaultGenerator(c10::Device(arg_string(info, index, "device")));
}

// getRngState(device?): a generator's full state as a uint8 tensor, for exact resume.
Napi::Value get_rng_state(const Napi::CallbackInfo& info) {
  auto gen = default_generator(info, 0);
  std::lock_guard<std::mutex> lock(gen.mutex());
  return wrap(info.Env(), gen.get_state());
}

// setRngState(state, device?)
Napi::Value set_rng_state(const Napi::CallbackInfo& info) {
  const at::Tensor& state = unwrap(info.Env(), info[0], "state");
  auto gen = default_generator(info, 1);
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(state);
  return info.Env().Undefined();
}

// setAutocast(enabled, dtype) -> previous enabled. Leaving autocast clears its cast cache.
Napi::Value set_autocast(const Napi::CallbackInfo& info) {
  bool prev = at::autocast::is_cpu_enabled();
  bool enabled = arg_bool(info, 0, "enabled");
  if (info.Length() > 1 && !info[1].IsUndefined()) at::autocast::set_autocast_cpu_dtype(arg_dtype(info, 1));
  at::autocast::set_cpu_enabled(enabled);
  if (!enabled) at::autocast::clear_cache();
  return Napi::Boolean::New(info.Env(), prev);
}

Napi::Value is_autocast(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::autocast::is_cpu_enabled());
}

std::string loaded_library_path() {
  Dl_info dl;
  if (dladdr(reinterpret_cast<void*>(&at::get_num_threads), &dl) && dl.dli_fname) return dl.dli_fname;
  return "unknown";
}

// info() -> what was built against and what is loaded
Napi::Value info_fn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto out = Napi::Object::New(env);
  out.Set("torchVersion", TORCH_VERSION);
  out.Set("library", loaded_library_path());
  out.Set("threads", at::get_num_threads());
  out.Set("interopThreads", at::get_num_interop_threads());
  out.Set("hardwareConcurrency", static_cast<double>(std::thread::hardware_concurrency()));
  out.Set("mkldnn", at::hasMKLDNN());
  out.Set("openmp", at::hasOpenMP());
  out.Set("lapack", at::hasLAPACK());
  out.Set("cudaDevices", at::detail::getCUDAHooks().getNumGPUs());
  out.Set("parallelInfo", at::get_parallel_info());
  out.Set("config", at::show_config());
  return out;
}

Napi::Value cuda_device_count(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::detail::getCUDAHooks().getNumGPUs());
}

}  // namespace

void init_runtime(Napi::Env env, Napi::Object exports) {
  export_fn<set_num_threads>(env, exports, "setNumThreads");
  export_fn<get_num_threads>(env, exports, "getNumThreads");
  export_fn<manual_seed>(env, exports, "manualSeed");
  export_fn<get_rng_state>(env, exports, "getRngState");
  export_fn<set_rng_state>(env, exports, "setRngState");
  export_fn<set_autocast>(env, exports, "setAutocast");
  export_fn<is_autocast>(env, exports, "isAutocast");
  export_fn<info_fn>(env, exports, "info");
  export_fn<cuda_device_count>(env, exports, "cudaDeviceCount");
}

}  // namespace ncml
