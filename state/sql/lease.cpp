#include "state/sql/lease.h"

#include "state/sql/db_engine.h"

namespace wharf::state {

Lease::Lease(Database& db, std::string_view name) : name_(name), impl_(db.conn_->NewLease(name)) {}

Lease::~Lease() = default;

bool Lease::Held() { return impl_ == nullptr || impl_->Held(); }

}  // namespace wharf::state
