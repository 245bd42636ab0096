// The ncml native addon: a thin, uniform binding of libtorch for Node.js.
#include "handle.h"

namespace ncml {

Napi::Object init(Napi::Env env, Napi::Object exports) {
  init_ops(env, exports);
  init_tensor(env, exports);
  init_autograd(env, exports);
  init_runtime(env, exports);
  init_profiler(env, exports);
  init_distributed(env, exports);
  kernels::init_concat_elu(env, exports);
  kernels::init_gated_residual(env, exports);
  incremental::init_incremental(env, exports);
  return exports;
}

NODE_API_MODULE(ncml, init)

}  // namespace ncml
