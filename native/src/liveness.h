// Peer liveness for a process group: each rank bumps a counter in the
// rendezvous store every interval from its own thread (so a rank busy in a
// long step or blocked in a collective still counts as alive) and watches the
// others' counters. A collective that fails or hangs can then say which rank
// is gone, which Gloo's own errors ("Connection closed by peer [addr]:port")
// cannot. A rank that leaves on purpose (destroyProcessGroup, or after its
// own failure) marks itself as quitting first, so it is never reported lost.
#pragma once

#ifdef NCML_HAVE_GLOO

#include <torch/csrc/distributed/c10d/Store.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ncml {

using Clock = std::chrono::steady_clock;

class Liveness {
 public:
  // storeHost: the rank whose process serves the store (0 for a TCPStore), or -1 (a FileStore).
  Liveness(c10::intrusive_ptr<c10d::Store> store, int rank, int size, int storeHost,
           std::chrono::milliseconds interval, std::chrono::milliseconds lostAfter);
  ~Liveness();

  void start();
  // Tells the others this rank is leaving on purpose (so it is never reported lost); the thread keeps running.
  void announceQuit(const std::string& why);
  // Stops the thread (announce first when leaving for good).
  void stop();

  // Ranks silent for longer than lostAfter (or the store host when the store is unreachable).
  std::vector<int> lost() const;
  // After a failure: waits four intervals and returns the ranks not seen beating in
  // the last 2.5 of them that did not quit; the store host when the store is gone.
  std::vector<int> diagnose();

  bool storeLost() const;
  std::string storeError() const;
  std::chrono::milliseconds interval() const { return interval_; }
  std::chrono::milliseconds lostAfter() const { return lostAfter_; }
  int storeHost() const { return storeHost_; }

 private:
  void run();
  bool hasQuit(int r);
  static std::string counterKey(int r);
  static std::string quitKey(int r);

  c10::intrusive_ptr<c10d::Store> store_;
  const int rank_;
  const int size_;
  const int storeHost_;
  const std::chrono::milliseconds interval_;
  const std::chrono::milliseconds lostAfter_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool storeLost_ = false;
  std::string storeError_;
  std::vector<std::vector<uint8_t>> counters_;  // each rank's counter as last read
  std::vector<bool> exists_;                     // only the monitor thread touches it
  std::vector<Clock::time_point> lastSeen_;
  Clock::time_point lastRound_;  // when the store last answered a whole round
  std::vector<bool> quit_;
  std::thread thread_;
};

}  // namespace ncml

#endif
