{
  "targets": [
    {
      "target_name": "ncml",
      "sources": [
        "native/src/addon.cc",
        "native/src/handle.cc",
        "native/src/ops.cc",
        "native/src/tensor.cc",
        "native/src/autograd.cc",
        "native/src/runtime.cc",
        "native/src/profiler.cc",
        "native/src/distributed.cc",
        "native/src/liveness.cc",
        "native/src/kernels/concat_elu.cc",
        "native/src/kernels/gated_residual.cc",
        "native/src/incremental/program.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(node scripts/libtorch.mjs include_dirs)"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "<!@(node scripts/libtorch.mjs defines)"
      ],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O3", "-fno-trapping-math", "-fno-math-errno", "-Wno-unused-parameter", "-Wno-deprecated-declarations", "-fopenmp", "-Wno-psabi"],
      "libraries": ["<!@(node scripts/libtorch.mjs libraries)", "-fopenmp"]
    }
  ]
}
