// c10d behind N-API: a Gloo process group made from a TCPStore or FileStore,
// and the collectives data-parallel training needs (all-reduce, broadcast,
// barrier, all-gather). Every wait is bounded: Gloo enforces the group's
// timeout, the liveness monitor (liveness.h) gives up early on a silent peer,
// and a backstop deadline catches anything else. Failures become JavaScript
// errors carrying c10d's message, the lost ranks when known (`lostRanks`).
//
// Groups are kept in a map that is never destroyed: a process group whose peer
// died may block in its destructor until the timeout, and process exit must
// not wait for that. A failed group is abandoned, not destroyed, for the same reason.
#include "handle.h"

#ifdef NCML_HAVE_GLOO
#define USE_C10D_GLOO 1
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupWrapper.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <sstream>
#include <unordered_map>

#include "liveness.h"
#endif

namespace ncml {
namespace {

#ifdef NCML_HAVE_GLOO

using ms = std::chrono::milliseconds;

struct Group {
  int rank = 0;
  int size = 1;
  ms timeout{0};
  std::string where;  // the rendezvous, for messages
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroup> pg;    // checked (c10d's wrapper) when asked for, else Gloo itself
  c10::intrusive_ptr<c10d::ProcessGroup> gloo;  // for callers that guarantee matching calls
  std::unique_ptr<Liveness> liveness;
  bool failed = false;
};

struct Pending {
  std::vector<c10::intrusive_ptr<c10d::Work>> works;  // one per tensor
  std::vector<at::Tensor> tensors;  // kept alive until the work is done
  std::shared_ptr<Group> group;
  std::string what;
  bool average = false;
};

auto& groups = *new std::unordered_map<int64_t, std::shared_ptr<Group>>();
auto& pending = *new std::unordered_map<int64_t, Pending>();
auto& abandoned = *new std::vector<std::shared_ptr<Group>>();
int64_t next_group = 1;
int64_t next_work = 1;

std::string message_of(const std::exception& e) {
  if (auto* c = dynamic_cast<const c10::Error*>(&e)) return c->what_without_backtrace();
  return e.what();
}

std::string field_string(Napi::Env env, const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsString()) throw Napi::TypeError::New(env, std::string("process group option '") + key + "' must be a string");
  return v.As<Napi::String>().Utf8Value();
}

int64_t field_int(Napi::Env env, const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : NAN;
  if (!std::isfinite(d) || std::trunc(d) != d) {
    throw Napi::TypeError::New(env, std::string("process group option '") + key + "' must be an integer");
  }
  return static_cast<int64_t>(d);
}

bool field_bool(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  return v.IsBoolean() && v.As<Napi::Boolean>().Value();
}

// The group's checked process group, or plain Gloo when the caller passes checked = false.
c10d::ProcessGroup& backend(const Napi::CallbackInfo& info, Group& g, size_t i) {
  bool checked = info.Length() <= i || info[i].IsUndefined() || arg_bool(info, i, "checked");
  return checked ? *g.pg : *g.gloo;
}

std::shared_ptr<Group> group_of(const Napi::CallbackInfo& info) {
  int64_t id = arg_int(info, 0, "group");
  auto it = groups.find(id);
  if (it == groups.end()) {
    throw Napi::Error::New(info.Env(), "the process group was destroyed (or never created): call initProcessGroup first");
  }
  if (it->second->failed) {
    throw Napi::Error::New(info.Env(), "the process group failed earlier (a peer was lost or timed out): "
                                       "it cannot be used again; destroy it and exit");
  }
  return it->second;
}

std::string rank_list(const std::vector<int>& ranks) {
  std::ostringstream s;
  for (size_t i = 0; i < ranks.size(); ++i) s << (i ? (i + 1 == ranks.size() ? " and " : ", ") : "") << ranks[i];
  return s.str();
}

std::string seconds(ms d) {
  std::ostringstream s;
  s << static_cast<double>(d.count()) / 1000.0 << " s";
  return s.str();
}

// What the monitor knows about the lost ranks, as a sentence.
std::string explain_lost(const Group& g, const std::vector<int>& lost) {
  if (lost.empty()) return "every other rank still sends heartbeats";
  const Liveness& l = *g.liveness;
  if (l.storeLost() && lost.size() == 1 && lost[0] == l.storeHost()) {
    return "lost rank " + std::to_string(lost[0]) + ": the rendezvous store it served (" + g.where +
           ") is unreachable (" + l.storeError() + ")";
  }
  return std::string("lost rank") + (lost.size() > 1 ? "s " : " ") + rank_list(lost) + ": no heartbeat from " +
         (lost.size() > 1 ? "them" : "it") + " in the rendezvous store";
}

[[noreturn]] void throw_dist_error(Napi::Env env, const std::string& message, const std::vector<int>& lost) {
  Napi::Error err = Napi::Error::New(env, message);
  auto arr = Napi::Array::New(env, lost.size());
  for (size_t i = 0; i < lost.size(); ++i) arr.Set(static_cast<uint32_t>(i), Napi::Number::New(env, lost[i]));
  err.Set("lostRanks", arr);
  err.Set("distributed", Napi::Boolean::New(env, true));
  throw err;
}

[[noreturn]] void fail_group(Napi::Env env, Group& g, const std::string& what, const std::string& cause,
                             std::vector<int> lost, bool diagnose) {
  g.failed = true;
  g.liveness->announceQuit("failed in " + what);
  if (diagnose) lost = g.liveness->diagnose();
  std::string head = what + " failed on rank " + std::to_string(g.rank) + " of " + std::to_string(g.size) + ": ";
  throw_dist_error(env, head + cause + "; " + explain_lost(g, lost), lost);
}

// Waits for a work: Gloo's timeout bounds it, a silent peer ends it sooner, and a backstop ends it in any case.
void await_work(Napi::Env env, Group& g, c10d::Work& work, const std::string& what) {
  auto start = Clock::now();
  auto backstop = g.timeout + std::chrono::seconds(30);
  for (;;) {
    try {
      work.wait(ms(200));
      return;
    } catch (const std::exception& e) {
      if (work.isCompleted()) {
        try {
          work.wait();  // raced with completion: returns, or throws the collective's own error
          return;
        } catch (const std::exception& failure) {
          fail_group(env, g, what, message_of(failure), {}, true);
        }
      }
    }
    auto lost = g.liveness->lost();
    if (!lost.empty()) {
      fail_group(env, g, what,
                 "gave up waiting after " + seconds(std::chrono::duration_cast<ms>(Clock::now() - start)), lost,
                 false);
    }
    if (Clock::now() - start > backstop) {
      fail_group(env, g, what, "no result after " + seconds(backstop) + " (the timeout is " + seconds(g.timeout) + ")",
                 {}, true);
    }
  }
}

// Starts a collective. With checkCollectives, c10d's wrapper compares the ranks' calls first and
// throws here: a mismatch leaves the group usable; anything else means a peer failed.
template <typename F>
c10::intrusive_ptr<c10d::Work> start(Napi::Env env, Group& g, const std::string& what, F&& launch) {
  try {
    return launch();
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    std::string msg = message_of(e);
    if (msg.find("Detected mismatch between collectives") != std::string::npos) {
      throw_dist_error(env, what + " refused on rank " + std::to_string(g.rank) + ": " + msg, {});
    }
    fail_group(env, g, what, msg, {}, true);
  }
}

c10d::ReduceOp reduce_op(Napi::Env env, const std::string& op) {
  if (op == "sum" || op == "avg") return c10d::ReduceOp::SUM;  // Gloo has no AVG: sum, then divide
  if (op == "max") return c10d::ReduceOp::MAX;
  if (op == "min") return c10d::ReduceOp::MIN;
  if (op == "product") return c10d::ReduceOp::PRODUCT;
  throw Napi::RangeError::New(env, "unknown reduce op '" + op + "'; expected sum, avg, max, min or product");
}

void finish(Pending& p) {
  if (!p.average) return;
  at::NoGradGuard no_grad;
  for (auto& t : p.tensors) t.div_(p.group->size);
}

// Starts a work; waits for it unless `async`, in which case the work id is returned for wait().
Napi::Value start_or_wait(Napi::Env env, Pending p, bool async) {
  if (async) {
    int64_t id = next_work++;
    pending.emplace(id, std::move(p));
    return Napi::Number::New(env, static_cast<double>(id));
  }
  for (auto& w : p.works) await_work(env, *p.group, *w, p.what);
  finish(p);
  return env.Undefined();
}

// c10d reads a tensor list as one tensor's replicas on several devices; ncml's
// lists are independent tensors, so each gets its own collective.
std::vector<at::Tensor> collective_tensors(const Napi::CallbackInfo& info, size_t i, const std::string& what) {
  Napi::Env env = info.Env();
  auto tensors = arg_tensor_list(info, i, "tensors");
  if (tensors.empty()) throw Napi::RangeError::New(env, what + " needs at least one tensor");
  for (size_t k = 0; k < tensors.size(); ++k) {
    const auto& t = tensors[k];
    if (t.layout() != at::kStrided || !t.is_contiguous()) {
      throw Napi::TypeError::New(env, what + ": tensor " + std::to_string(k) +
                                          " is not a dense contiguous tensor; call .contiguous() first");
    }
  }
  return tensors;
}

c10::intrusive_ptr<c10d::Store> make_store(Napi::Env env, const Napi::Object& o, int rank, int size, ms timeout,
                                          int* host_rank, std::string* where) {
  std::string kind = field_string(env, o, "store");
  if (kind == "tcp") {
    std::string host = field_string(env, o, "host");
    int64_t port = field_int(env, o, "port");
    if (port < 1 || port > 65535) throw Napi::RangeError::New(env, "port must be in 1..65535, got " + std::to_string(port));
    c10d::TCPStoreOptions so;
    so.port = static_cast<std::uint16_t>(port);
    so.isServer = rank == 0;
    so.numWorkers = static_cast<size_t>(size);
    so.waitWorkers = true;
    so.timeout = timeout;
    *host_rank = 0;
    *where = "tcp://" + host + ":" + std::to_string(port);
    return c10::make_intrusive<c10d::TCPStore>(host, so);
  }
  if (kind == "file") {
    std::string path = field_string(env, o, "path");
    *host_rank = -1;
    *where = "file://" + path;
    auto store = c10::make_intrusive<c10d::FileStore>(path, size);
    store->setTimeout(timeout);
    return store;
  }
  throw Napi::RangeError::New(env, "unknown store '" + kind + "'; expected tcp or file");
}

std::shared_ptr<::gloo::transport::Device> make_device(Napi::Env env, const Napi::Object& o) {
  std::string iface = o.Get("interface").IsString() ? field_string(env, o, "interface") : "";
  std::string hostname = o.Get("hostname").IsString() ? field_string(env, o, "hostname") : "";
  if (!iface.empty()) return c10d::ProcessGroupGloo::createDeviceForInterface(iface);
  if (!hostname.empty()) return c10d::ProcessGroupGloo::createDeviceForHostname(hostname);
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

// distInit({store, host, port | path, rank, worldSize, timeoutMs, backend, heartbeatMs, lostAfterMs,
//           interface?, hostname?, checkCollectives?}) -> group id
Napi::Value dist_init(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "initProcessGroup options must be an object");
  auto o = info[0].As<Napi::Object>();
  std::string backend = field_string(env, o, "backend");
  if (backend == "nccl") {
    throw Napi::Error::New(env, "backend 'nccl' needs a CUDA libtorch with NCCL; this addon was built against a "
                                "libtorch without it: use backend 'gloo'");
  }
  if (backend != "gloo") throw Napi::RangeError::New(env, "unknown backend '" + backend + "'; expected gloo or nccl");
  int64_t rank = field_int(env, o, "rank");
  int64_t size = field_int(env, o, "worldSize");
  if (size < 1) throw Napi::RangeError::New(env, "worldSize must be at least 1, got " + std::to_string(size));
  if (rank < 0 || rank >= size) {
    throw Napi::RangeError::New(env, "rank must be in 0.." + std::to_string(size - 1) + ", got " + std::to_string(rank));
  }
  ms timeout(field_int(env, o, "timeoutMs"));
  ms heartbeat(field_int(env, o, "heartbeatMs"));
  ms lost_after(field_int(env, o, "lostAfterMs"));
  if (timeout.count() < 1 || heartbeat.count() < 1 || lost_after.count() < 1) {
    throw Napi::RangeError::New(env, "timeoutMs, heartbeatMs and lostAfterMs must be positive");
  }
  auto g = std::make_shared<Group>();
  g->rank = static_cast<int>(rank);
  g->size = static_cast<int>(size);
  g->timeout = timeout;
  int host_rank = -1;
  try {
    g->store = make_store(env, o, g->rank, g->size, timeout, &host_rank, &g->where);
    auto device = make_device(env, o);
    auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
    opts->devices.push_back(device);
    auto gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(c10::make_intrusive<c10d::PrefixStore>("gloo", g->store),
                                                            g->rank, g->size, opts);
    g->pg = gloo;
    g->gloo = gloo;
    if (field_bool(o, "checkCollectives")) {
      // c10d's debug wrapper: every collective first compares op, shapes and dtypes across ranks.
      auto helper_opts = c10d::ProcessGroupGloo::Options::create(timeout);
      helper_opts->devices.push_back(device);
      auto helper = c10::make_intrusive<c10d::ProcessGroupGloo>(
          c10::make_intrusive<c10d::PrefixStore>("gloo-check", g->store), g->rank, g->size, helper_opts);
      g->pg = c10::make_intrusive<c10d::ProcessGroupWrapper>(gloo, helper);
    }
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, "initProcessGroup (" + (g->where.empty() ? std::string("rendezvous") : g->where) +
                                    ", rank " + std::to_string(rank) + " of " + std::to_string(size) +
                                    "): " + message_of(e));
  }
  g->liveness = std::make_unique<Liveness>(g->store, g->rank, g->size, host_rank, heartbeat, lost_after);
  g->liveness->start();
  int64_t id = next_group++;
  groups.emplace(id, g);
  return Napi::Number::New(env, static_cast<double>(id));
}

// distAllReduce(group, tensors, op, async, checked?) -> undefined | work id
Napi::Value dist_all_reduce(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto g = group_of(info);
  Pending p{{}, collective_tensors(info, 1, "allReduce"), g, "allReduce", false};
  auto& pg = backend(info, *g, 4);
  std::string op = arg_string(info, 2, "op");
  c10d::AllreduceOptions opts;
  opts.reduceOp = reduce_op(env, op);
  p.average = op == "avg";
  if (p.average) {
    for (auto& t : p.tensors) {
      if (!at::isFloatingType(t.scalar_type())) {
        throw Napi::TypeError::New(env, std::string("allReduce avg needs floating-point tensors, got ") +
                                            c10::toString(t.scalar_type()));
      }
    }
  }
  for (auto& t : p.tensors) {
    std::vector<at::Tensor> one{t};
    p.works.push_back(start(env, *g, p.what, [&] { return pg.allreduce(one, opts); }));
  }
  return start_or_wait(env, std::move(p), arg_bool(info, 3, "async"));
}

// distBroadcast(group, tensors, src, async, checked?) -> undefined | work id
Napi::Value dist_broadcast(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto g = group_of(info);
  Pending p{{}, collective_tensors(info, 1, "broadcast"), g, "broadcast", false};
  auto& pg = backend(info, *g, 4);
  int64_t src = arg_int(info, 2, "src");
  if (src < 0 || src >= g->size) {
    throw Napi::RangeError::New(env, "broadcast src must be a rank in 0.." + std::to_string(g->size - 1) + ", got " +
                                         std::to_string(src));
  }
  c10d::BroadcastOptions opts;
  opts.rootRank = src;
  for (auto& t : p.tensors) {
    std::vector<at::Tensor> one{t};
    p.works.push_back(start(env, *g, p.what, [&] { return pg.broadcast(one, opts); }));
  }
  return start_or_wait(env, std::move(p), arg_bool(info, 3, "async"));
}

// distBarrier(group, checked?)
Napi::Value dist_barrier(const Napi::CallbackInfo& info) {
  auto g = group_of(info);
  auto& pg = backend(info, *g, 1);
  auto work = start(info.Env(), *g, "barrier", [&] { return pg.barrier(); });
  await_work(info.Env(), *g, *work, "barrier");
  return info.Env().Undefined();
}

// distAllGather(group, tensor, checked?) -> one tensor per rank
Napi::Value dist_all_gather(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto g = group_of(info);
  std::vector<at::Tensor> input{unwrap(env, info[1], "tensor")};
  if (input[0].layout() != at::kStrided || !input[0].is_contiguous()) {
    throw Napi::TypeError::New(env, "allGather: the tensor is not dense and contiguous; call .contiguous() first");
  }
  std::vector<std::vector<at::Tensor>> output(1);
  for (int r = 0; r < g->size; ++r) output[0].push_back(at::empty_like(input[0], at::MemoryFormat::Contiguous));
  auto& pg = backend(info, *g, 2);
  auto work = start(env, *g, "allGather", [&] { return pg.allgather(output, input); });
  await_work(env, *g, *work, "allGather");
  auto arr = Napi::Array::New(env, output[0].size());
  for (size_t r = 0; r < output[0].size(); ++r) arr.Set(static_cast<uint32_t>(r), wrap(env, output[0][r]));
  return arr;
}

// distWait(work id): waits for an async collective started earlier.
Napi::Value dist_wait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t id = arg_int(info, 0, "work");
  auto it = pending.find(id);
  if (it == pending.end()) throw Napi::Error::New(env, "this work was already waited for");
  Pending p = std::move(it->second);
  pending.erase(it);
  if (p.group->failed) {
    throw Napi::Error::New(env, "the process group failed while this " + p.what + " was in flight");
  }
  for (auto& w : p.works) await_work(env, *p.group, *w, p.what);
  finish(p);
  return env.Undefined();
}

// distDestroy(group): tells the others this rank leaves on purpose, then releases the group.
Napi::Value dist_destroy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t id = arg_int(info, 0, "group");
  auto it = groups.find(id);
  if (it == groups.end()) return env.Undefined();
  auto g = it->second;
  for (const auto& [wid, p] : pending) {
    if (p.group == g) throw Napi::Error::New(env, "wait for every async collective before destroying the process group");
  }
  groups.erase(it);
  if (g->failed) {
    g->liveness->stop();
    abandoned.push_back(g);
    return env.Undefined();
  }
  g->liveness->announceQuit("destroyed");
  g->liveness->stop();
  return env.Undefined();
}

Napi::Value dist_available(const Napi::CallbackInfo& info) {
  auto out = Napi::Object::New(info.Env());
  out.Set("gloo", true);
  out.Set("nccl", false);
  return out;
}

#else  // built without Gloo's headers

const char* kNoGloo =
    "this ncml addon was built without c10d's Gloo backend: Gloo's headers were not found at build time. "
    "Install them (Debian: apt-get install libgloo-dev) or point NCML_GLOO_INCLUDE at them, then rebuild "
    "(npm run build:native)";

Napi::Value unavailable(const Napi::CallbackInfo& info) { throw Napi::Error::New(info.Env(), kNoGloo); }

Napi::Value dist_available(const Napi::CallbackInfo& info) {
  auto out = Napi::Object::New(info.Env());
  out.Set("gloo", false);
  out.Set("nccl", false);
  out.Set("reason", kNoGloo);
  return out;
}

#endif

}  // namespace

void init_distributed(Napi::Env env, Napi::Object exports) {
  export_fn<dist_available>(env, exports, "distAvailable");
#ifdef NCML_HAVE_GLOO
  export_fn<dist_init>(env, exports, "distInit");
  export_fn<dist_all_reduce>(env, exports, "distAllReduce");
  export_fn<dist_broadcast>(env, exports, "distBroadcast");
  export_fn<dist_barrier>(env, exports, "distBarrier");
  export_fn<dist_all_gather>(env, exports, "distAllGather");
  export_fn<dist_wait>(env, exports, "distWait");
  export_fn<dist_destroy>(env, exports, "distDestroy");
#else
  for (const char* name : {"distInit", "distAllReduce", "distBroadcast", "distBarrier", "distAllGather", "distWait",
                           "distDestroy"}) {
    export_fn<unavailable>(env, exports, name);
  }
#endif
}

}  // namespace ncml
