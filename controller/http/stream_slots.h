// A bound on the API's long-lived streams (log and routing streams each hold a
// request thread for as long as the client stays): past `capacity` a new stream
// is refused with 503, so the threads left over always serve ordinary requests.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>

#include "common/status.h"

namespace wharf::controller {

class StreamSlots {
 public:
  // Held for the life of one stream; gives its slot back when destroyed.
  class Slot {
   public:
    explicit Slot(StreamSlots* owner) : owner_(owner) {}
    Slot(Slot&& other) noexcept : owner_(other.owner_) { other.owner_ = nullptr; }
    Slot& operator=(Slot&&) = delete;
    Slot(const Slot&) = delete;
    ~Slot();

   private:
    StreamSlots* owner_;
  };

  explicit StreamSlots(std::size_t capacity) : capacity_(capacity) {}

  // A slot, or kUnavailable naming the limit when every slot is taken.
  Result<Slot> Acquire();
  std::size_t in_use() const;
  std::size_t capacity() const { return capacity_; }

 private:
  void Release();

  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::size_t in_use_ = 0;
};

}  // namespace wharf::controller
