#include "state/sql/where_clause.h"

namespace wharf::state {

void WhereClause::Equals(std::string column, std::string value) {
  conditions_.push_back(std::move(column) + " = ?");
  params_.push_back(std::move(value));
}

void WhereClause::In(std::string column, const std::vector<std::string>& values) {
  if (values.empty()) {
    conditions_.push_back("1 = 0");  // portable: PostgreSQL wants a boolean
    return;
  }
  std::string c = std::move(column) + " IN (";
  for (std::size_t i = 0; i < values.size(); ++i) {
    c += i == 0 ? "?" : ", ?";
    params_.push_back(values[i]);
  }
  conditions_.push_back(c + ")");
}

void WhereClause::Condition(std::string sql, std::vector<std::string> params) {
  conditions_.push_back("(" + std::move(sql) + ")");
  for (auto& p : params) params_.push_back(std::move(p));
}

Result<Statement> WhereClause::Prepare(Tx& tx, const std::string& head, const std::string& tail,
                                       const std::vector<std::int64_t>& tail_params) const {
  std::string sql = head;
  for (std::size_t i = 0; i < conditions_.size(); ++i) {
    sql += i == 0 ? " WHERE " : " AND ";
    sql += conditions_[i];
  }
  sql += tail;
  Result<Statement> st = tx.Prepare(sql);
  if (!st.ok()) return st;
  int index = 0;
  for (const auto& p : params_) st->Bind(++index, p);
  for (std::int64_t p : tail_params) st->Bind(++index, p);
  return st;
}

}  // namespace wharf::state
