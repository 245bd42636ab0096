#include "liveness.h"

#ifdef NCML_HAVE_GLOO

#include <c10/util/Exception.h>

namespace ncml {

namespace {

std::string message_of(const std::exception& e) {
  if (auto* c = dynamic_cast<const c10::Error*>(&e)) return c->what_without_backtrace();
  return e.what();
}

}  // namespace

Liveness::Liveness(c10::intrusive_ptr<c10d::Store> store, int rank, int size, int storeHost,
                   std::chrono::milliseconds interval, std::chrono::milliseconds lostAfter)
    : store_(std::move(store)),
      rank_(rank),
      size_(size),
      storeHost_(storeHost),
      interval_(interval),
      lostAfter_(lostAfter),
      counters_(size),
      exists_(size, false),
      lastSeen_(size, Clock::now()),
      quit_(size, false) {}

Liveness::~Liveness() { stop(); }

std::string Liveness::counterKey(int r) { return "ncml/alive/" + std::to_string(r); }
std::string Liveness::quitKey(int r) { return "ncml/quit/" + std::to_string(r); }

void Liveness::start() {
  auto now = Clock::now();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    std::fill(lastSeen_.begin(), lastSeen_.end(), now);
    lastRound_ = now;
  }
  thread_ = std::thread([this] { run(); });
}

void Liveness::announceQuit(const std::string& why) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (storeLost_) return;
  }
  try {
    store_->set(quitKey(rank_), std::vector<uint8_t>(why.begin(), why.end()));
  } catch (const std::exception&) {
    // The store host may be gone already; nobody is left to tell.
  }
}

void Liveness::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Liveness::hasQuit(int r) {
  try {
    return store_->check({quitKey(r)});
  } catch (const std::exception&) {
    return false;
  }
}

void Liveness::run() {
  for (;;) {
    try {
      store_->add(counterKey(rank_), 1);
      for (int r = 0; r < size_; ++r) {
        if (r == rank_) continue;
        // Read without writing (a FileStore appends every write to its file): check, as get()
        // would block on a key not written yet, then get.
        if (!exists_[r]) exists_[r] = store_->check({counterKey(r)});
        std::vector<uint8_t> v = exists_[r] ? store_->get(counterKey(r)) : std::vector<uint8_t>();
        auto now = Clock::now();
        bool stale;
        {
          std::lock_guard<std::mutex> lock(mutex_);
          if (exists_[r] && v != counters_[r]) {
            counters_[r] = std::move(v);
            lastSeen_[r] = now;
          }
          stale = !quit_[r] && now - lastSeen_[r] > 2 * interval_;
        }
        if (stale && hasQuit(r)) {
          std::lock_guard<std::mutex> lock(mutex_);
          quit_[r] = true;
        }
      }
      std::lock_guard<std::mutex> lock(mutex_);
      lastRound_ = Clock::now();
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> lock(mutex_);
      storeLost_ = true;
      storeError_ = message_of(e);
      return;
    }
    std::unique_lock<std::mutex> lock(mutex_);
    if (wake_.wait_for(lock, interval_, [this] { return stop_; })) return;
  }
}

std::vector<int> Liveness::lost() const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto now = Clock::now();
  // An unreachable or unresponsive store makes every peer look silent: blame its host only.
  if (storeLost_ || now - lastRound_ > lostAfter_) {
    if (storeHost_ >= 0 && storeHost_ != rank_) return {storeHost_};
    return {};
  }
  std::vector<int> out;
  for (int r = 0; r < size_; ++r) {
    if (r != rank_ && !quit_[r] && now - lastSeen_[r] > lostAfter_) out.push_back(r);
  }
  return out;
}

std::vector<int> Liveness::diagnose() {
  auto t0 = Clock::now();
  auto deadline = t0 + 4 * interval_;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (storeLost_ || stop_) break;
    }
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(interval_ / 4);
  }
  std::vector<int> candidates;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (int r = 0; r < size_; ++r) {
      // A live rank beats every interval; one unseen for the last 2.5 is gone (a dying
      // process may still beat for a moment after its sockets closed, hence not "since t0").
      if (r != rank_ && !quit_[r] && Clock::now() - lastSeen_[r] > 2 * interval_ + interval_ / 2) {
        candidates.push_back(r);
      }
    }
  }
  std::vector<int> out;
  for (int r : candidates) {
    if (!hasQuit(r)) out.push_back(r);
  }
  return out;
}

bool Liveness::storeLost() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return storeLost_;
}

std::string Liveness::storeError() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return storeError_;
}

}  // namespace ncml

#endif
