// The incremental NCPN's executor (src/models/ncpn/incremental-program.ts):
// runs a per-step program, a flat list of instructions over row views of
// registered buffers, in one call. Every instruction reads and writes rows
// m = 0 .. B*P-1: example b = m % B at position p = m / B, at
// base + b * sB + p * sP, so one instruction covers a whole image row
// (P = width) or one pixel (P = 1) of every example. The program is checked before anything runs: every view must
// stay inside its buffer, so a bad program is an exception, never a crash.
//
// Instructions (ints; a view is 5 ints: buffer, offset, P, sB, sP; ch = channels per row):
//   1 GEMM    N hasInit nseg C [init] (K A wBuffer wOffset)*nseg   C = init + sum A_s W_s, W_s [K, N]
//   2 CELU    ch src dst          dst = [elu(src), elu(-src)]  (concat_elu: 2ch outputs)
//   3 GATE    ch x c out          out = x + c[:ch] * sigmoid(c[ch:])
//   4 ELU     ch src dst
//   5 COPY    ch src dst
//   6 FILL    ch value dst
//   7 LNORM   ch src dst gBuffer gOffset bBuffer bOffset   LayerNorm over ch, eps 1e-5
//   8 ATTEND  heads d n q kvBuffer kvOffset ksB ksP ksT out accumulate
//             per row and head: softmax over keys t < n of q.k_t / sqrt(d), times v_t, where
//             k_t = kv + b*ksB + p*ksP + t*ksT and v_t = k_t + heads*d; added to out when accumulate
//   9 RESID   ch x y out          out = (x + y) / sqrt(2)
#include <chrono>
#include <cmath>
#include <unordered_map>
#include <vector>

#include "../handle.h"
#include "../kernels/vector_math.h"
#include "gemm.h"

namespace ncml::incremental {
namespace {

enum Op : int32_t { GEMM = 1, CELU = 2, GATE = 3, ELU = 4, COPY = 5, FILL = 6, LNORM = 7, ATTEND = 8, RESID = 9 };

constexpr int kOps = 10;
const char* const kOpNames[kOps] = {"", "gemm", "concat_elu", "gate", "elu", "copy", "fill", "layer_norm", "attention", "residual"};

// Per-instruction time and multiply-adds, when profiling is on (incrementalProfile).
struct OpStats {
  int64_t calls = 0;
  int64_t ns = 0;
  double madds = 0;
};

struct Executor {
  std::vector<at::Tensor> buffers;
  int64_t batch;
  at::ScalarType dtype;
  bool profiling = false;
  OpStats stats[kOps];
  int64_t runs = 0;
  int64_t run_ns = 0;
};

std::unordered_map<int64_t, Executor> executors;
int64_t next_id = 1;

// exp(v) and exp(v) - 1 for v <= 0: the fused kernels' polynomials in float32, libm in float64.
inline float exp_neg(float v) { return kernels::exp_nonpositive(v); }
inline double exp_neg(double v) { return std::exp(v); }
inline float expm1_neg(float v) { return kernels::expm1_nonpositive(v) + 0.0f; }
inline double expm1_neg(double v) { return std::expm1(v) + 0.0; }

template <typename T>
inline T sigmoid(T b) {
  T e = exp_neg(-std::fabs(b));
  T r = T(1) / (T(1) + e);
  return b >= T(0) ? r : e * r;
}

// Row kernels: restrict pointers and plain loops, so GCC vectorizes them (float32; float64 calls libm).
template <typename T>
__attribute__((target_clones("arch=x86-64-v3", "default"))) void celu_row(const T* __restrict x, T* __restrict first,
                                                                           int64_t ch) {
  T* __restrict second = first + ch;
  for (int64_t i = 0; i < ch; ++i) {
    T v = x[i];
    T e = expm1_neg(-std::fabs(v));
    first[i] = v > T(0) ? v : e;
    second[i] = v < T(0) ? -v : e;
  }
}

template <typename T>
__attribute__((target_clones("arch=x86-64-v3", "default"))) void elu_row(const T* __restrict x, T* __restrict y,
                                                                          int64_t ch) {
  for (int64_t i = 0; i < ch; ++i) {
    T v = x[i];
    T e = expm1_neg(-std::fabs(v));
    y[i] = v > T(0) ? v : e;
  }
}

template <typename T>
__attribute__((target_clones("arch=x86-64-v3", "default"))) void gate_row(const T* __restrict x, const T* __restrict a,
                                                                           T* __restrict y, int64_t ch) {
  const T* __restrict b = a + ch;
  for (int64_t i = 0; i < ch; ++i) y[i] = x[i] + a[i] * sigmoid(b[i]);
}

template <typename T>
__attribute__((target_clones("arch=x86-64-v3", "default"))) void resid_row(const T* __restrict x, const T* __restrict y,
                                                                            T* __restrict o, int64_t ch) {
  const T s = T(M_SQRT1_2);
  for (int64_t i = 0; i < ch; ++i) o[i] = (x[i] + y[i]) * s;
}

template <typename T>
void celu_rows(RowView<T> src, RowView<T> dst, int64_t M, int64_t ch) {
  for (int64_t m = 0; m < M; ++m) celu_row(src.row(m), dst.row(m), ch);
}

template <typename T>
void elu_rows(RowView<T> src, RowView<T> dst, int64_t M, int64_t ch) {
  for (int64_t m = 0; m < M; ++m) elu_row(src.row(m), dst.row(m), ch);
}

template <typename T>
void gate_rows(RowView<T> xs, RowView<T> cs, RowView<T> outs, int64_t M, int64_t ch) {
  for (int64_t m = 0; m < M; ++m) gate_row(xs.row(m), cs.row(m), outs.row(m), ch);
}

template <typename T>
void resid_rows(RowView<T> xs, RowView<T> ys, RowView<T> outs, int64_t M, int64_t ch) {
  for (int64_t m = 0; m < M; ++m) resid_row(xs.row(m), ys.row(m), outs.row(m), ch);
}

template <typename T>
void copy_rows(RowView<T> src, RowView<T> dst, int64_t M, int64_t ch) {
  for (int64_t m = 0; m < M; ++m) std::memmove(dst.row(m), src.row(m), ch * sizeof(T));
}

template <typename T>
void fill_rows(RowView<T> dst, int64_t M, int64_t ch, T value) {
  for (int64_t m = 0; m < M; ++m) std::fill_n(dst.row(m), ch, value);
}

template <typename T>
void layer_norm_rows(RowView<T> src, RowView<T> dst, int64_t M, int64_t ch, const T* gamma, const T* beta) {
  for (int64_t m = 0; m < M; ++m) {
    const T* x = src.row(m);
    T* y = dst.row(m);
    double mean = 0;
    for (int64_t i = 0; i < ch; ++i) mean += x[i];
    mean /= ch;
    double var = 0;
    for (int64_t i = 0; i < ch; ++i) var += (x[i] - mean) * (x[i] - mean);
    var /= ch;
    const double rstd = 1.0 / std::sqrt(var + 1e-5);
    for (int64_t i = 0; i < ch; ++i) y[i] = static_cast<T>((x[i] - mean) * rstd) * gamma[i] + beta[i];
  }
}

struct KeyView {
  int64_t sB, sP, sT, n;
};

// One query row against n keys, every head at once: products over all F channels (vectorized), then
// per-head sums, a softmax per head, and the values weighted per channel by their head's probability.
template <typename T>
__attribute__((target_clones("arch=x86-64-v3", "default"))) void attend_row(
    const T* __restrict q, const T* keys, int64_t sT, int64_t n, int64_t heads, int64_t d, T* __restrict out,
    bool accumulate, T* __restrict prod, T* __restrict scores, T* __restrict weight) {
  const int64_t f = heads * d;
  const T scale = T(1) / std::sqrt(T(d));
  for (int64_t t = 0; t < n; ++t) {
    const T* __restrict k = keys + t * sT;
    for (int64_t j = 0; j < f; ++j) prod[j] = q[j] * k[j];
    for (int64_t h = 0; h < heads; ++h) {
      T a = 0;
      for (int64_t i = 0; i < d; ++i) a += prod[h * d + i];
      scores[t * heads + h] = a * scale;
    }
  }
  T* top = prod;  // reused: per-head maximum, then per-head 1 / sum
  for (int64_t h = 0; h < heads; ++h) top[h] = -INFINITY;
  for (int64_t t = 0; t < n; ++t)
    for (int64_t h = 0; h < heads; ++h) top[h] = std::max(top[h], scores[t * heads + h]);
  T* inv = prod + heads;
  for (int64_t h = 0; h < heads; ++h) inv[h] = 0;
  for (int64_t t = 0; t < n; ++t) {
    for (int64_t h = 0; h < heads; ++h) {
      T e = exp_neg(scores[t * heads + h] - top[h]);
      scores[t * heads + h] = e;
      inv[h] += e;
    }
  }
  for (int64_t h = 0; h < heads; ++h) inv[h] = T(1) / inv[h];
  if (!accumulate)
    for (int64_t j = 0; j < f; ++j) out[j] = 0;
  for (int64_t t = 0; t < n; ++t) {
    const T* __restrict v = keys + t * sT + f;
    for (int64_t h = 0; h < heads; ++h) {
      const T p = scores[t * heads + h] * inv[h];
      for (int64_t i = 0; i < d; ++i) weight[h * d + i] = p;
    }
    for (int64_t j = 0; j < f; ++j) out[j] += weight[j] * v[j];
  }
}

template <typename T>
void attend_rows(RowView<T> q, const T* kv, KeyView kvw, int64_t heads, int64_t d, RowView<T> out, bool accumulate,
                 int64_t M) {
  const int64_t f = heads * d;
  std::vector<T> prod(std::max(f, 2 * heads)), scores(kvw.n * heads), weight(f);
  for (int64_t m = 0; m < M; ++m) {
    const T* keys = kv + (m % q.B) * kvw.sB + (m / q.B) * kvw.sP;
    attend_row(q.row(m), keys, kvw.sT, kvw.n, heads, d, out.row(m), accumulate, prod.data(), scores.data(),
               weight.data());
  }
}

// Reads and checks a program against the executor's buffers, then runs it.
template <typename T>
class Runner {
 public:
  Runner(Napi::Env env, Executor& ex, const int32_t* code, size_t length, T* out, int64_t out_numel)
      : env_(env), ex_(ex), code_(code), length_(length) {
    for (const auto& b : ex.buffers) {
      base_.push_back(static_cast<T*>(b.data_ptr()));
      numel_.push_back(b.numel());
    }
    if (out) {
      base_.push_back(out);
      numel_.push_back(out_numel);
    }
  }

  void run() {
    // Two passes: check everything first, so a bad program changes no buffer.
    for (int pass = 0; pass < 2; ++pass) {
      execute_ = pass == 1;
      pos_ = 0;
      if (!execute_ || !ex_.profiling) {
        while (pos_ < length_) step();
        continue;
      }
      const auto start = std::chrono::steady_clock::now();
      while (pos_ < length_) {
        const int64_t op = code_[pos_];
        madds_ = 0;
        const auto t0 = std::chrono::steady_clock::now();
        step();
        const auto t1 = std::chrono::steady_clock::now();
        OpStats& st = ex_.stats[op];
        st.calls += 1;
        st.ns += std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
        st.madds += madds_;
      }
      ex_.runs += 1;
      ex_.run_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
    }
  }

 private:
  Napi::Env env_;
  Executor& ex_;
  double madds_ = 0;
  const int32_t* code_;
  size_t length_;
  size_t pos_ = 0;
  bool execute_ = false;
  std::vector<T*> base_;
  std::vector<int64_t> numel_;
  std::vector<Segment<T>> segs_;

  [[noreturn]] void fail(const std::string& what) {
    throw Napi::RangeError::New(env_, "incremental program: " + what + " (at word " + std::to_string(pos_) + ")");
  }

  int64_t next() {
    if (pos_ >= length_) fail("truncated");
    return code_[pos_++];
  }

  int64_t nonneg(const char* what) {
    int64_t v = next();
    if (v < 0) fail(std::string(what) + " must be >= 0, got " + std::to_string(v));
    return v;
  }

  int64_t buffer() {
    int64_t b = next();
    if (b < 0 || b >= static_cast<int64_t>(base_.size())) fail("no buffer " + std::to_string(b));
    return b;
  }

  void check_span(int64_t b, int64_t end, const char* what) {
    if (end > numel_[b]) {
      fail(std::string(what) + " reaches element " + std::to_string(end) + " of buffer " + std::to_string(b) +
           " (" + std::to_string(numel_[b]) + " elements)");
    }
  }

  // A view whose rows read `len` elements each; P must equal `positions` when that is > 0.
  RowView<T> view(int64_t positions, int64_t len, const char* what) {
    int64_t b = buffer();
    int64_t off = nonneg("offset");
    int64_t P = next();
    int64_t sB = nonneg("batch stride");
    int64_t sP = nonneg("position stride");
    if (P < 1) fail(std::string(what) + ": positions must be >= 1");
    if (positions > 0 && P != positions) {
      fail(std::string(what) + ": " + std::to_string(P) + " positions, expected " + std::to_string(positions));
    }
    check_span(b, off + (ex_.batch - 1) * sB + (P - 1) * sP + len, what);
    return {base_[b] + off, P, sB, sP, ex_.batch};
  }

  void step() {
    const int64_t op = next();
    switch (op) {
      case GEMM: return gemm_op();
      case CELU:
      case ELU:
      case COPY: {
        int64_t ch = nonneg("channels");
        RowView<T> src = view(0, ch, "input");
        RowView<T> dst = view(src.P, op == CELU ? 2 * ch : ch, "output");
        if (!execute_) return;
        const int64_t M = ex_.batch * src.P;
        if (op == CELU) celu_rows(src, dst, M, ch);
        else if (op == ELU) elu_rows(src, dst, M, ch);
        else copy_rows(src, dst, M, ch);
        return;
      }
      case GATE:
      case RESID: {
        int64_t ch = nonneg("channels");
        RowView<T> x = view(0, ch, "input");
        RowView<T> y = view(x.P, op == GATE ? 2 * ch : ch, "input");
        RowView<T> out = view(x.P, ch, "output");
        if (!execute_) return;
        const int64_t M = ex_.batch * x.P;
        if (op == GATE) gate_rows(x, y, out, M, ch);
        else resid_rows(x, y, out, M, ch);
        return;
      }
      case FILL: {
        int64_t ch = nonneg("channels");
        int64_t value = next();
        RowView<T> dst = view(0, ch, "fill");
        if (execute_) fill_rows(dst, ex_.batch * dst.P, ch, static_cast<T>(value));
        return;
      }
      case LNORM: {
        int64_t ch = nonneg("channels");
        RowView<T> src = view(0, ch, "layer norm input");
        RowView<T> dst = view(src.P, ch, "layer norm output");
        int64_t gb = buffer(), go = nonneg("offset");
        check_span(gb, go + ch, "layer norm weight");
        int64_t bb = buffer(), bo = nonneg("offset");
        check_span(bb, bo + ch, "layer norm bias");
        if (execute_) layer_norm_rows(src, dst, ex_.batch * src.P, ch, base_[gb] + go, base_[bb] + bo);
        return;
      }
      case ATTEND: return attend_op();
      default: fail("unknown instruction " + std::to_string(op));
    }
  }

  void gemm_op() {
    int64_t N = nonneg("columns");
    bool has_init = next() != 0;
    int64_t nseg = nonneg("segments");
    if (nseg < 1 || nseg > 8) fail("gemm needs 1 to 8 segments, got " + std::to_string(nseg));
    RowView<T> c = view(0, N, "gemm output");
    RowView<T> init{};
    if (has_init) init = view(c.P, N, "gemm init");
    segs_.clear();
    for (int64_t s = 0; s < nseg; ++s) {
      int64_t K = next();
      if (K < 1) fail("K must be >= 1");
      RowView<T> a = view(c.P, K, "gemm input");
      int64_t wb = buffer(), wo = nonneg("weight offset");
      check_span(wb, wo + K * N, "gemm weight");
      segs_.push_back({a, K, base_[wb] + wo});
    }
    if (execute_) {
      Gemm<T> g{c, has_init, init, ex_.batch * c.P, N, segs_.data(), static_cast<int>(nseg)};
      gemm(g);
      for (const auto& sg : segs_) madds_ += static_cast<double>(g.M) * N * sg.K;
    }
  }

  void attend_op() {
    int64_t heads = nonneg("heads"), d = nonneg("head size"), n = nonneg("keys");
    if (n < 1 || heads < 1 || d < 1) fail("attention needs keys, heads and a head size >= 1");
    const int64_t f = heads * d;
    RowView<T> q = view(0, f, "attention query");
    int64_t kb = buffer(), ko = nonneg("key offset");
    KeyView kv{nonneg("key batch stride"), nonneg("key position stride"), nonneg("key stride"), n};
    check_span(kb, ko + (ex_.batch - 1) * kv.sB + (q.P - 1) * kv.sP + (n - 1) * kv.sT + 2 * f, "attention keys");
    RowView<T> out = view(q.P, f, "attention output");
    bool accumulate = next() != 0;
    if (execute_) {
      attend_rows(q, base_[kb] + ko, kv, heads, d, out, accumulate, ex_.batch * q.P);
      madds_ += 2.0 * ex_.batch * q.P * n * f;
    }
  }
};

// incrementalCreate(buffers, batch) -> executor id. Buffers: contiguous CPU float32 or float64 tensors, one dtype.
Napi::Value create(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<at::Tensor> buffers = arg_tensor_list(info, 0, "buffers");
  int64_t batch = arg_int(info, 1, "batch");
  if (batch < 1) throw Napi::RangeError::New(env, "incrementalCreate: batch must be >= 1");
  if (buffers.empty()) throw Napi::RangeError::New(env, "incrementalCreate: no buffers");
  const at::ScalarType dtype = buffers[0].scalar_type();
  if (dtype != at::kFloat && dtype != at::kDouble) {
    throw Napi::TypeError::New(env, "incrementalCreate: buffers must be float32 or float64");
  }
  for (const auto& b : buffers) {
    if (!b.device().is_cpu() || !b.is_contiguous() || b.scalar_type() != dtype) {
      throw Napi::TypeError::New(env, "incrementalCreate: every buffer must be a contiguous CPU tensor of one dtype");
    }
  }
  int64_t id = next_id++;
  Executor ex;
  ex.buffers = std::move(buffers);
  ex.batch = batch;
  ex.dtype = dtype;
  executors.emplace(id, std::move(ex));
  return Napi::Number::New(env, static_cast<double>(id));
}

Executor& find(Napi::Env env, const Napi::CallbackInfo& info) {
  int64_t id = arg_int(info, 0, "executor");
  auto it = executors.find(id);
  if (it == executors.end()) throw Napi::Error::New(env, "incremental executor " + std::to_string(id) + " was released");
  return it->second;
}

// incrementalRun(id, program: Int32Array, outColumns) -> a new [batch, outColumns] tensor (the program's buffer
// number `buffers.length`), or null when outColumns is 0.
Napi::Value run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Executor& ex = find(env, info);
  if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    throw Napi::TypeError::New(env, "incrementalRun: the program must be an Int32Array");
  }
  auto program = info[1].As<Napi::Int32Array>();
  int64_t out_cols = arg_int(info, 2, "outColumns");
  if (out_cols < 0) throw Napi::RangeError::New(env, "incrementalRun: outColumns must be >= 0");
  at::Tensor out;
  if (out_cols > 0) out = at::empty({ex.batch, out_cols}, at::TensorOptions().dtype(ex.dtype));
  at::NoGradGuard no_grad;
  if (ex.dtype == at::kFloat) {
    Runner<float>(env, ex, program.Data(), program.ElementLength(), out_cols ? out.data_ptr<float>() : nullptr,
                  out_cols ? out.numel() : 0)
        .run();
  } else {
    Runner<double>(env, ex, program.Data(), program.ElementLength(), out_cols ? out.data_ptr<double>() : nullptr,
                   out_cols ? out.numel() : 0)
        .run();
  }
  return out_cols > 0 ? wrap(env, out) : env.Null();
}

// incrementalProfile(id, on): turns per-instruction timing on or off and returns what was collected
// so far ({runs, ms, ops: {name: {calls, ms, madds}}}), resetting it.
Napi::Value profile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Executor& ex = find(env, info);
  bool on = arg_bool(info, 1, "on");
  Napi::Object out = Napi::Object::New(env);
  out.Set("runs", Napi::Number::New(env, static_cast<double>(ex.runs)));
  out.Set("ms", Napi::Number::New(env, ex.run_ns / 1e6));
  Napi::Object ops = Napi::Object::New(env);
  for (int k = 1; k < kOps; ++k) {
    const OpStats& st = ex.stats[k];
    if (st.calls == 0) continue;
    Napi::Object o = Napi::Object::New(env);
    o.Set("calls", Napi::Number::New(env, static_cast<double>(st.calls)));
    o.Set("ms", Napi::Number::New(env, st.ns / 1e6));
    o.Set("madds", Napi::Number::New(env, st.madds));
    ops.Set(kOpNames[k], o);
    ex.stats[k] = OpStats{};
  }
  out.Set("ops", ops);
  ex.runs = 0;
  ex.run_ns = 0;
  ex.profiling = on;
  return out;
}

// nativeCalls() -> how many calls JavaScript has made into the addon (this one included).
Napi::Value calls(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(native_calls));
}

Napi::Value release(const Napi::CallbackInfo& info) {
  executors.erase(arg_int(info, 0, "executor"));
  return info.Env().Undefined();
}

}  // namespace

void init_incremental(Napi::Env env, Napi::Object exports) {
  export_fn<create>(env, exports, "incrementalCreate");
  export_fn<run>(env, exports, "incrementalRun");
  export_fn<profile>(env, exports, "incrementalProfile");
  export_fn<release>(env, exports, "incrementalRelease");
  export_fn<calls>(env, exports, "nativeCalls");
}

}  // namespace ncml::incremental
