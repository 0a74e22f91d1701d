// Builds the WHERE part of a filtered list query from optional conditions,
// always with bound parameters (never values spliced into SQL text).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "state/sql/db.h"

namespace wharf::state {

class WhereClause {
 public:
  // `column = value`. `column` is SQL written by the caller, never user input.
  void Equals(std::string column, std::string value);
  // `column IN (values...)`; an empty list matches nothing.
  void In(std::string column, const std::vector<std::string>& values);
  // A condition with its own `?` placeholders, e.g. a sub-select.
  void Condition(std::string sql, std::vector<std::string> params);

  // Prepares `head WHERE conditions tail`, binding the condition parameters and
  // then `tail_params` (e.g. LIMIT and OFFSET).
  Result<Statement> Prepare(Tx& tx, const std::string& head, const std::string& tail,
                            const std::vector<std::int64_t>& tail_params = {}) const;

 private:
  std::vector<std::string> conditions_;
  std::vector<std::string> params_;
};

}  // namespace wharf::state
