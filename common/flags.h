// Command-line flag parsing for every Wharf program (wharf, wharfd, wharf-router),
// cf style: flags may appear anywhere among the positional arguments,
// "--flag value", "--flag=value", "-f value" and "-fvalue" are accepted, and
// "--" ends flag parsing. Each program declares its flags once as FlagSpecs;
// its usage text is rendered from the same specs (RenderFlagTable).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace wharf {

enum class FlagKind {
  kBool,        // present or not
  kString,      // one value; the last occurrence wins
  kInt,         // one whole number (may be negative; commands check ranges)
  kStringList,  // repeatable; every occurrence is kept in order
};

struct FlagSpec {
  std::string name;        // long name without "--"; the key in ParsedArgs ("hostname")
  char short_name = 0;     // 'n' for "-n", 0 for none
  FlagKind kind = FlagKind::kBool;
  std::string value_name;  // shown in help: "HOST"
  std::string description;  // may span lines ('\n'); RenderFlagTable aligns them
  bool long_form = true;   // false for flags cf only spells short ("-f" in delete)
};

struct PositionalSpec {
  std::string name;  // "APP_NAME"
  bool required = true;
};

// One command of a program (`wharf push`), or a whole program (wharfd).
struct CommandSpec {
  std::string name;
  std::vector<std::string> aliases;
  std::string group;        // heading in `wharf help`
  std::string summary;      // one line, shown in `wharf help`
  std::string usage;        // "wharf delete APP_NAME [-f] [-r]"
  std::string description;  // extra paragraphs for `wharf help COMMAND` (may be empty)
  std::vector<PositionalSpec> positionals;  // required ones first
  std::vector<FlagSpec> flags;
};

class ParsedArgs {
 public:
  std::vector<std::string> positionals;
  bool help = false;  // -h / --help was given; nothing else is validated then

  bool Has(std::string_view flag) const { return values_.contains(std::string(flag)); }
  // The last value of a string/int flag.
  std::optional<std::string> Value(std::string_view flag) const;
  std::vector<std::string> Values(std::string_view flag) const;
  std::optional<std::int64_t> Int(std::string_view flag) const;
  // Positional `i` or "" when absent (optional positionals).
  std::string Positional(std::size_t i) const { return i < positionals.size() ? positionals[i] : ""; }

  void Add(const std::string& flag, std::string value) { values_[flag].push_back(std::move(value)); }

 private:
  std::map<std::string, std::vector<std::string>> values_;
};

// Parses `args` (the words after the command name). A failure is a usage
// error: its message says what is wrong ("unknown flag '--foo'",
// "the required argument APP_NAME was not provided") without any prefix.
Result<ParsedArgs> ParseArgs(const CommandSpec& spec, std::span<const std::string> args);

// "-n, --hostname" / "--path" / "-f" as help shows a flag.
std::string FlagDisplayName(const FlagSpec& flag);

// The flags as a two-column table, one flag a row: `indent`, the flag with its
// value name ("-n, --hostname HOST"), padding to the widest such column plus
// `gap` spaces, and the description; its further lines are indented to the
// description column. Every row ends with '\n'.
std::string RenderFlagTable(const std::vector<FlagSpec>& flags, std::size_t indent, std::size_t gap);

}  // namespace wharf
