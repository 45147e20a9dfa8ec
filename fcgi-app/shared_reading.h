// Readings of the database shared by the requests of this aegir-web, for a
// short time: a list page that many users who see the whole panel load is
// read once and shown to all of them.
//
// A reading is shown only while it is both
//  - younger than its maximum age (a second): what another process wrote
//    (the scheduler, another aegir-web) shows within that time; and
//  - of the current write generation: every request to this aegir-web that
//    may write (any method but GET and HEAD that reaches its handler,
//    except a task's log lines that do not start it; one refused before,
//    for a bad CSRF token or no such page, wrote nothing) ends a
//    generation before its answer is sent,
//    so what a user has just done through this aegir-web shows on the
//    very next page.
// A reading is tagged with the generation seen before it started: a write
// that ended while it was being read makes it stale at once.
//
// One reader at a time per key: when a reading of the current generation
// is only too old, the first request to find it reads afresh and the others
// are shown it meanwhile (older by at most that one read), rather than each
// of aegir-web's threads reading the same page at once. After a write has
// ended, no one is shown an earlier reading: each request that finds none of
// the current generation reads.
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

  // The reading kept of `key`, whatever its age and generation, else null:
  // for a part of it that may be older (a reading's slow totals).
  std::shared_ptr<const V> Last(const std::string& key) const {
    std::lock_guard lock(mu_);
    auto it = readings_.find(key);
    return it == readings_.end() ? nullptr : it->second.value;
  }

  // The reading of `key`, or else `read()`'s, a Result<V> (kept when ok).
  // Unless `share`, read() is read for this caller alone (nothing is looked
  // up or kept).
  template <class Read>
  Result<std::shared_ptr<const V>> Get(const std::string& key, Read read, bool share = true) {
    uint64_t refreshing = 0;  // the serial of the reading this call reads afresh
    if (share) {
      std::lock_guard lock(mu_);
      auto it = readings_.find(key);
      if (it != readings_.end() && it->second.generation == WriteGeneration::Current()) {
        Reading& r = it->second;
        if (Fresh(r, Clock::now()) || r.refreshing) return r.value;
        r.refreshing = true;
        refreshing = r.serial;
      }
    }
    // Whatever happens to this read (an error, an exception), the next
    // request may read again.
    struct Release {
      SharedReadings* self;
      const std::string& key;
      uint64_t serial;
      ~Release() {
        if (serial == 0) return;
        std::lock_guard lock(self->mu_);
        auto it = self->readings_.find(key);
        if (it != self->readings_.end() && it->second.serial == serial) it->second.refreshing = false;
      }
    } release{this, key, refreshing};
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
  // Keeps `value`, read after the generation `generation` was current,
  // unless a reading of a later generation is kept already.
  void Keep(const std::string& key, uint64_t generation, std::shared_ptr<const V> value) {
    std::lock_guard lock(mu_);
    const auto now = Clock::now();
    if (auto kept = readings_.find(key); kept != readings_.end() && kept->second.generation > generation) return;
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
    readings_[key] = Reading{std::move(value), generation, now, false, ++serial_};
  }

  struct Reading {
    std::shared_ptr<const V> value;
    uint64_t generation = 0;
    Clock::time_point read_at;
    bool refreshing = false;  // a request is reading it afresh
    uint64_t serial = 0;      // which keeping of the key this is
  };
  bool Fresh(const Reading& r, Clock::time_point now) const {
    return r.generation == WriteGeneration::Current() && now - r.read_at < max_age_;
  }

  const Clock::duration max_age_;
  const size_t capacity_;
  mutable std::mutex mu_;
  std::map<std::string, Reading> readings_;
  uint64_t serial_ = 0;
};

}  // namespace aegir::web
