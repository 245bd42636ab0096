// libtorch's operator profiler, summarized per operator: where a step's time goes.
#include <torch/csrc/autograd/profiler_legacy.h>

#include <map>
#include <unordered_map>

#include "handle.h"

namespace ncml {
namespace {

namespace prof = torch::autograd::profiler;

bool record_shapes = false;

std::string shapes_of(const prof::LegacyEvent& e) {
  std::string out;
  for (const auto& s : e.shapes()) out += c10::str(c10::IntArrayRef(s));
  return out;
}

// profilerStart(recordShapes): with shapes, operators are grouped by name and input shapes.
Napi::Value profiler_start(const Napi::CallbackInfo& info) {
  bool shapes = info.Length() > 0 && info[0].IsBoolean() && info[0].As<Napi::Boolean>().Value();
  record_shapes = shapes;
  prof::enableProfilerLegacy(torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::CPU, shapes));
  return info.Env().Undefined();
}

struct OpTotals {
  int64_t calls = 0;
  double total_us = 0;  // including ops called inside
  double self_us = 0;   // excluding them
};

// profilerStop() -> [{ name, calls, totalUs, selfUs }] sorted by selfUs, descending
Napi::Value profiler_stop(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto lists = prof::disableProfilerLegacy();
  std::map<std::string, OpTotals> totals;
  for (auto& events : lists) {
    struct Open {
      const prof::LegacyEvent* push;
      double child_us;
    };
    std::unordered_map<uint64_t, std::vector<Open>> stacks;  // by thread
    for (auto& e : events) {
      if (e.kindStr() == "push") {
        stacks[e.threadId()].push_back({&e, 0.0});
      } else if (e.kindStr() == "pop") {
        auto& stack = stacks[e.threadId()];
        if (stack.empty()) continue;
        Open open = stack.back();
        stack.pop_back();
        double us = open.push->cpuElapsedUs(e);
        std::string key = open.push->name();
        if (record_shapes) key += " " + shapes_of(*open.push);
        auto& t = totals[key];
        t.calls += 1;
        t.total_us += us;
        t.self_us += us - open.child_us;
        if (!stack.empty()) stack.back().child_us += us;
      }
    }
  }
  std::vector<std::pair<std::string, OpTotals>> sorted(totals.begin(), totals.end());
  std::sort(sorted.begin(), sorted.end(), [](auto& a, auto& b) { return a.second.self_us > b.second.self_us; });
  auto out = Napi::Array::New(env, sorted.size());
  for (size_t i = 0; i < sorted.size(); ++i) {
    auto row = Napi::Object::New(env);
    row.Set("name", sorted[i].first);
    row.Set("calls", static_cast<double>(sorted[i].second.calls));
    row.Set("totalUs", sorted[i].second.total_us);
    row.Set("selfUs", sorted[i].second.self_us);
    out.Set(static_cast<uint32_t>(i), row);
  }
  return out;
}

}  // namespace

void init_profiler(Napi::Env env, Napi::Object exports) {
  export_fn<profiler_start>(env, exports, "profilerStart");
  export_fn<profiler_stop>(env, exports, "profilerStop");
}

}  // namespace ncml
