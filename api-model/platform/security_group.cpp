#include "api-model/platform/security_group.h"

#include <algorithm>
#include <array>
#include <bit>
#include <optional>
#include <string_view>

#include "api-model/json_fields.h"

namespace wharf::api {

using nlohmann::json;

namespace {

constexpr std::string_view kWhitespace = " \t\r\n";
constexpr std::array<std::string_view, 7> kRuleFields = {"protocol", "destination", "ports", "type",
                                                         "code",     "log",         "description"};

std::string_view Trim(std::string_view s) {
  const std::size_t begin = s.find_first_not_of(kWhitespace);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(kWhitespace) - begin + 1);
}

// User text quoted for an error, cut short so a pasted blob does not fill the message.
std::string Quote(std::string_view s) {
  constexpr std::size_t kMax = 64;
  if (s.size() <= kMax) return "'" + std::string(s) + "'";
  return "'" + std::string(s.substr(0, kMax)) + "...'";
}

Status RuleError(std::size_t index, std::string_view message) {
  return Status::InvalidArgument("rules[" + std::to_string(index) + "]: " + std::string(message));
}

Status FieldError(std::size_t index, std::string_view field, std::string_view message) {
  return Status::InvalidArgument("rules[" + std::to_string(index) + "]." + std::string(field) + ": " +
                                 std::string(message));
}

// Present and not null: Cloud Foundry reads a null field as an absent one.
const json* Field(const json& rule, std::string_view key) {
  auto it = rule.find(key);
  if (it == rule.end() || it->is_null()) return nullptr;
  return &*it;
}

// 1 to `max_digits` decimal digits and nothing else ("+1", " 1" and "" are not numbers).
std::optional<std::uint32_t> ParseDigits(std::string_view s, std::size_t max_digits) {
  if (s.empty() || s.size() > max_digits) return std::nullopt;
  std::uint32_t value = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint32_t>(c - '0');
  }
  return value;
}

// Dotted-quad IPv4. A leading zero in an octet is refused: some parsers read "010" as octal (8).
std::optional<std::uint32_t> ParseAddress(std::string_view s) {
  std::uint32_t address = 0;
  for (int octet = 0; octet < 4; ++octet) {
    const std::size_t dot = s.find('.');
    const std::string_view part = octet < 3 ? s.substr(0, dot) : s;
    if (octet < 3 && dot == std::string_view::npos) return std::nullopt;
    std::optional<std::uint32_t> value = ParseDigits(part, 3);
    if (!value || *value > 255 || (part.size() > 1 && part[0] == '0')) return std::nullopt;
    address = address << 8 | *value;
    if (octet < 3) s.remove_prefix(dot + 1);
  }
  return address;
}

std::string AddressText(std::uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string(a >> 16 & 0xff) + "." + std::to_string(a >> 8 & 0xff) + "." +
         std::to_string(a & 0xff);
}

// One destination item (trimmed); "" or the error after "rules[i].destination: ".
std::string ParseDestinationItem(std::string_view item, AddressRange& out) {
  const std::string invalid = Quote(item) + " is not an IPv4 address, CIDR or address range";
  if (std::size_t slash = item.find('/'); slash != std::string_view::npos) {
    std::optional<std::uint32_t> address = ParseAddress(Trim(item.substr(0, slash)));
    if (!address) return invalid;
    const std::string_view prefix_text = Trim(item.substr(slash + 1));
    std::optional<std::uint32_t> prefix = ParseDigits(prefix_text, 2);
    if (!prefix || *prefix > 32) {
      const bool number = !prefix_text.empty() && prefix_text.find_first_not_of("0123456789") == std::string_view::npos;
      return number ? Quote(item) + " has a prefix length outside 0-32" : invalid;
    }
    // The host bits are masked off, as Cloud Foundry does: 10.1.2.3/8 is 10.0.0.0-10.255.255.255.
    const std::uint32_t mask = *prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - *prefix);
    out = {*address & mask, (*address & mask) | ~mask};
    return "";
  }
  if (std::size_t dash = item.find('-'); dash != std::string_view::npos) {
    std::optional<std::uint32_t> first = ParseAddress(Trim(item.substr(0, dash)));
    std::optional<std::uint32_t> last = ParseAddress(Trim(item.substr(dash + 1)));
    if (!first || !last) return invalid;
    if (*first > *last) return "range " + Quote(item) + " starts after it ends";
    out = {*first, *last};
    return "";
  }
  std::optional<std::uint32_t> address = ParseAddress(item);
  if (!address) return invalid;
  out = {*address, *address};
  return "";
}

std::optional<int> ParsePort(std::string_view s) {
  std::optional<std::uint32_t> value = ParseDigits(Trim(s), 5);
  if (!value || *value < 1 || *value > 65535) return std::nullopt;
  return static_cast<int>(*value);
}

// One port item (trimmed); "" or the error after "rules[i].ports: ".
std::string ParsePortItem(std::string_view item, PortRange& out) {
  if (std::size_t dash = item.find('-'); dash != std::string_view::npos) {
    std::optional<int> first = ParsePort(item.substr(0, dash));
    std::optional<int> last = ParsePort(item.substr(dash + 1));
    if (!first || !last) return Quote(item) + " is not a port range (1-65535)";
    if (*first > *last) return "range " + Quote(item) + " starts after it ends";
    out = {*first, *last};
    return "";
  }
  std::optional<int> port = ParsePort(item);
  if (!port) return Quote(item) + " is not a port (1-65535)";
  out = {*port, *port};
  return "";
}

// A comma-separated list of items, whitespace around each allowed. `noun` names the items in the
// limit's error ("destinations").
template <typename Range>
Status ParseList(std::string_view text, std::size_t index, std::string_view field, std::string_view noun,
                 std::string (*parse_item)(std::string_view, Range&), std::vector<Range>& out) {
  if (Trim(text).empty()) return FieldError(index, field, "is empty");
  const std::size_t count = static_cast<std::size_t>(std::count(text.begin(), text.end(), ',')) + 1;
  if (count > kMaxRuleListItems) {
    return FieldError(index, field,
                      std::to_string(count) + " " + std::string(noun) + ", at most " +
                          std::to_string(kMaxRuleListItems) + " are allowed per rule");
  }
  out.clear();
  std::string_view rest = text;
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::string_view item = Trim(rest.substr(0, comma));
    if (item.empty()) return FieldError(index, field, "empty item in the list " + Quote(text));
    Range range;
    std::string error = parse_item(item, range);
    if (!error.empty()) return FieldError(index, field, error);
    out.push_back(range);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return Status::Ok();
}

// "type" or "code" of an icmp rule: -1 (any) or 0..255.
Status ReadIcmpField(const json& rule, std::size_t index, std::string_view field, int& out) {
  const json* value = Field(rule, field);
  if (value == nullptr) return FieldError(index, field, "is missing (required for icmp; -1 means any)");
  if (!value->is_number_integer()) return FieldError(index, field, "must be an integer");
  // Read unsigned values as such: 2^64-1 read as int64 would be -1, "any".
  const bool ok = value->is_number_unsigned() ? value->get<std::uint64_t>() <= 255
                                              : value->get<std::int64_t>() >= -1 && value->get<std::int64_t>() <= 255;
  if (!ok) {
    return FieldError(index, field,
                      value->dump() + " is not an ICMP " + std::string(field) + " (-1 for any, or 0-255)");
  }
  out = static_cast<int>(value->get<std::int64_t>());
  return Status::Ok();
}

Result<SecurityGroupRule> ParseRule(const json& j, std::size_t index) {
  if (!j.is_object()) return RuleError(index, "must be a JSON object");
  // Unknown fields are refused: a typo ("port") would otherwise silently open nothing.
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (std::find(kRuleFields.begin(), kRuleFields.end(), it.key()) == kRuleFields.end()) {
      return RuleError(index, "unknown field " + Quote(it.key()));
    }
  }
  SecurityGroupRule rule;

  const json* protocol = Field(j, "protocol");
  if (protocol == nullptr) return FieldError(index, "protocol", "is missing (tcp, udp, icmp or all)");
  if (!protocol->is_string()) return FieldError(index, "protocol", "must be a string");
  rule.protocol = protocol->get<std::string>();
  const bool transport = rule.protocol == "tcp" || rule.protocol == "udp";
  if (!transport && rule.protocol != "icmp" && rule.protocol != "all") {
    return FieldError(index, "protocol", Quote(rule.protocol) + " is not tcp, udp, icmp or all");
  }
  // Fields that do not apply to the protocol are refused rather than ignored.
  for (std::string_view field : {"ports", "type", "code"}) {
    const bool applies = field == "ports" ? transport : rule.protocol == "icmp";
    if (!applies && Field(j, field) != nullptr) {
      return FieldError(index, field,
                        "not allowed for protocol " + rule.protocol +
                            (field == "ports" ? " (only for tcp and udp)" : " (only for icmp)"));
    }
  }

  const json* destination = Field(j, "destination");
  if (destination == nullptr) return FieldError(index, "destination", "is missing");
  if (!destination->is_string()) return FieldError(index, "destination", "must be a string");
  rule.destination = destination->get<std::string>();
  WHARF_RETURN_IF_ERROR(
      ParseList(rule.destination, index, "destination", "destinations", ParseDestinationItem, rule.destinations));

  if (transport) {
    const json* ports = Field(j, "ports");
    if (ports == nullptr) return FieldError(index, "ports", "is missing (required for tcp and udp)");
    if (!ports->is_string()) return FieldError(index, "ports", "must be a string (\"443\", \"80,443\", \"8000-8100\")");
    rule.ports = ports->get<std::string>();
    WHARF_RETURN_IF_ERROR(ParseList(rule.ports, index, "ports", "port items", ParsePortItem, rule.port_ranges));
  } else if (rule.protocol == "icmp") {
    WHARF_RETURN_IF_ERROR(ReadIcmpField(j, index, "type", rule.icmp_type));
    WHARF_RETURN_IF_ERROR(ReadIcmpField(j, index, "code", rule.icmp_code));
  }

  if (const json* log = Field(j, "log")) {
    if (!log->is_boolean()) return FieldError(index, "log", "must be true or false");
    rule.log = log->get<bool>();
  }
  if (const json* description = Field(j, "description")) {
    if (!description->is_string()) return FieldError(index, "description", "must be a string");
    rule.description = description->get<std::string>();
  }
  return rule;
}

std::string PortText(const PortRange& range) {
  if (range.first == range.last) return std::to_string(range.first);
  return std::to_string(range.first) + "-" + std::to_string(range.last);
}

template <typename Range, typename ToText>
std::string JoinRanges(const std::vector<Range>& ranges, ToText to_text) {
  std::string out;
  for (const Range& range : ranges) {
    if (!out.empty()) out += ",";
    out += to_text(range);
  }
  return out;
}

}  // namespace

Result<std::vector<SecurityGroupRule>> ParseSecurityGroupRules(const json& rules) {
  if (!rules.is_array()) return Status::InvalidArgument("rules must be a JSON array");
  if (rules.size() > kMaxSecurityGroupRules) {
    return Status::InvalidArgument("rules: " + std::to_string(rules.size()) + " rules, at most " +
                                   std::to_string(kMaxSecurityGroupRules) + " are allowed per security group");
  }
  std::vector<SecurityGroupRule> out;
  out.reserve(rules.size());
  for (std::size_t i = 0; i < rules.size(); ++i) {
    WHARF_ASSIGN_OR_RETURN(SecurityGroupRule rule, ParseRule(rules[i], i));
    out.push_back(std::move(rule));
  }
  return out;
}

json SecurityGroupRulesJson(const std::vector<SecurityGroupRule>& rules) {
  json out = json::array();
  for (const SecurityGroupRule& rule : rules) {
    json j = {{"protocol", rule.protocol},
              {"destination", !rule.destination.empty() ? rule.destination : JoinRanges(rule.destinations, RangeText)}};
    if (rule.protocol == "tcp" || rule.protocol == "udp") {
      j["ports"] = !rule.ports.empty() ? rule.ports : JoinRanges(rule.port_ranges, PortText);
    } else if (rule.protocol == "icmp") {
      j["type"] = rule.icmp_type;
      j["code"] = rule.icmp_code;
    }
    if (rule.log) j["log"] = true;
    if (!rule.description.empty()) j["description"] = rule.description;
    out.push_back(std::move(j));
  }
  return out;
}

Result<PortRange> ParsePortRange(std::string_view text) {
  PortRange out;
  const std::string error = ParsePortItem(Trim(text), out);
  if (!error.empty()) return Status::InvalidArgument(error);
  return out;
}

std::string RangeText(const AddressRange& range) {
  if (range.first == range.last) return AddressText(range.first);
  // A CIDR block: its size is a power of two and its first address is aligned to it.
  const std::uint64_t size = static_cast<std::uint64_t>(range.last) - range.first + 1;
  if (range.first < range.last && std::has_single_bit(size) && (range.first & (size - 1)) == 0) {
    return AddressText(range.first) + "/" + std::to_string(32 - std::countr_zero(size));
  }
  return AddressText(range.first) + "-" + AddressText(range.last);
}

// ---- wire structs ----

Result<SecurityGroupSpaceRef> SecurityGroupSpaceRef::FromJson(const nlohmann::json& j) {
  SecurityGroupSpaceRef r;
  return FieldReader(j, "security group space")
      .Required("org", r.org)
      .Required("space", r.space)
      .Optional("space_guid", r.space_guid)
      .Optional("lifecycle", r.lifecycle)
      .Finish(r);
}

nlohmann::json SecurityGroupSpaceRef::ToJson() const {
  return {{"org", org}, {"space", space}, {"space_guid", space_guid}, {"lifecycle", lifecycle}};
}

namespace {
struct GloballyEnabled {
  bool running = false;
  bool staging = false;
  static Result<GloballyEnabled> FromJson(const nlohmann::json& j) {
    GloballyEnabled g;
    return FieldReader(j, "globally_enabled").Optional("running", g.running).Optional("staging", g.staging).Finish(g);
  }
};
}  // namespace

Result<SecurityGroup> SecurityGroup::FromJson(const nlohmann::json& j) {
  SecurityGroup g;
  GloballyEnabled enabled;
  nlohmann::json rules = nlohmann::json::array();
  Result<SecurityGroup> read = FieldReader(j, "security group")
                                   .Required("guid", g.guid)
                                   .Required("name", g.name)
                                   .Optional("globally_enabled", enabled)
                                   .Optional("spaces", g.spaces)
                                   .Optional("created_at", g.created_at)
                                   .Optional("updated_at", g.updated_at)
                                   .Finish(g);
  if (!read.ok()) return read.status();
  g.running_default = enabled.running;
  g.staging_default = enabled.staging;
  if (j.contains("rules")) {
    auto parsed = ParseSecurityGroupRules(j.at("rules"));
    if (!parsed.ok()) return parsed.status().WithContext("security group '" + g.name + "'");
    g.rules = std::move(parsed).value();
  }
  return g;
}

nlohmann::json SecurityGroup::ToJson() const {
  nlohmann::json bound = nlohmann::json::array();
  for (const auto& s : spaces) bound.push_back(s.ToJson());
  return {{"guid", guid},
          {"name", name},
          {"rules", SecurityGroupRulesJson(rules)},
          {"globally_enabled", {{"running", running_default}, {"staging", staging_default}}},
          {"spaces", bound},
          {"created_at", created_at},
          {"updated_at", updated_at}};
}

}  // namespace wharf::api
