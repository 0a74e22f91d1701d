#include "controller/http/stream_slots.h"

#include <string>

namespace wharf::controller {

StreamSlots::Slot::~Slot() {
  if (owner_) owner_->Release();
}

Result<StreamSlots::Slot> StreamSlots::Acquire() {
  std::lock_guard lock(mu_);
  if (in_use_ >= capacity_) {
    return Status::Unavailable("too many open streams (" + std::to_string(capacity_) +
                               " log and routing streams are open); close one or try again later");
  }
  ++in_use_;
  return Slot(this);
}

std::size_t StreamSlots::in_use() const {
  std::lock_guard lock(mu_);
  return in_use_;
}

void StreamSlots::Release() {
  std::lock_guard lock(mu_);
  --in_use_;
}

}  // namespace wharf::controller
