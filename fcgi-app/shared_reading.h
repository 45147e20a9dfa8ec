// Readings of the database shared by the requests of this aegir-web, for a
// short time: a list page that many users who see the whole panel load is
// read once and shown to all of them.
//
// A reading is shown only while it is both
//  - younger than its maximum age (a second): what another process wrote
//    (the scheduler, another aegir-web) shows within that time; and
//  - of the current write generation: every request to this aegir-web that
//    may write (any method but GET and HEAD, except a task's log lines
//    that do not start it) ends a generation before its answer is sent,
//    so what a user has just done through this aegir-web shows on the
//    very next page.
// A reading is tagged with the generation seen before it started: a write
// that ended while it was being read makes it stale at once.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/status.h"

namespace aegir::web {

// The write generation of this process.
class WriteGeneration {
 public:
  static uint64_t Current() { return counter_.load(std::memory_order_acquire); }
  // A request that may have written has ended (called before its answer goes out).
  static void End() { counter_.fetch_add(1, std::memory_order_acq_rel); }

 private:
  static inline std::atomic<uint64_t> counter_{0};
};

// Readings of type V by key, at most `capacity` of them (the oldest goes).
template <class V>
class SharedReadings {
 public:
  using Clock = std::chrono::steady_clock;

  SharedReadings(Clock::duration max_age, size_t capacity) : max_age_(max_age), capacity_(capacity) {}

  // The reading of `key` if it may still be shown, else null.
  std::shared_ptr<const V> Find(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = readings_.find(key);
    if (it == readings_.end()) return nullptr;
    if (!Fresh(it->second, Clock::now())) {
      readings_.erase(it);
      return nullptr;
    }
    return it->second.value;
  }

  // Keeps `value`, read after the generation `generation` was current.
  void Keep(const std::string& key, uint64_t generation, std::shared_ptr<const V> value) {
    std::lock_guard lock(mu_);
    const auto now = Clock::now();
    if (readings_.size() >= capacity_ && !readings_.contains(key)) {
      // Stale ones go first, then the oldest.
      for (auto it = readings_.begin(); it != readings_.end();) {
        it = Fresh(it->second, now) ? std::next(it) : readings_.erase(it);
      }
      if (readings_.size() >= capacity_) {
        auto oldest = readings_.begin();
        for (auto it = readings_.begin(); it != readings_.end(); ++it) {
          if (it->second.read_at < oldest->second.read_at) oldest = it;
        }
        readings_.erase(oldest);
      }
    }
    readings_[key] = Reading{std::move(value), generation, now};
  }

  // The reading of `key`, or else `read()`'s, a Result<V> (kept when ok).
  // Unless `share`, read() is read for this caller alone (nothing is looked
  // up or kept).
  template <class Read>
  Result<std::shared_ptr<const V>> Get(const std::string& key, Read read, bool share = true) {
    if (share) {
      if (auto found = Find(key)) return found;
    }
    const uint64_t generation = WriteGeneration::Current();
    Result<V> fresh = read();
    if (!fresh.ok()) return fresh.status();
    auto value = std::make_shared<const V>(std::move(*fresh));
    if (share) Keep(key, generation, value);
    return value;
  }

  size_t size() const {
    std::lock_guard lock(mu_);
    return readings_.size();
  }

 private:
  struct Reading {
    std::shared_ptr<const V> value;
    uint64_t generation = 0;
    Clock::time_point read_at;
  };
  bool Fresh(const Reading& r, Clock::time_point now) const {
    return r.generation == WriteGeneration::Current() && now - r.read_at < max_age_;
  }

  const Clock::duration max_age_;
  const size_t capacity_;
  mutable std::mutex mu_;
  std::map<std::string, Reading> readings_;
};

}  // namespace aegir::web
