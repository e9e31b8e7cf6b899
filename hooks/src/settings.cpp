#include "settings.hpp"

#include <luminar/errors.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <limits>

namespace luminar {
namespace detail {
namespace {

[[noreturn]] void invalid(const char *variable, const std::string &value, const char *expected) {
  throw luminar::runtime_error(std::string("luminar: invalid ") + variable + "='" + value + "': expected " +
                               expected);
}

const char *env(const char *variable) {
  const char *value = std::getenv(variable);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

// Digits only (no sign, no spaces), within `max`; nullopt-like failure reported by caller.
bool parse_unsigned(const std::string &text, std::uint64_t max, std::uint64_t &out) {
  if (text.empty()) return false;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    if (value > (max - digit) / 10) return false;
    value = value * 10 + digit;
  }
  out = value;
  return true;
}

std::uint32_t count_variable(const char *variable, std::uint32_t fallback) {
  const char *value = env(variable);
  if (value == nullptr) return fallback;
  std::uint64_t n = 0;
  if (!parse_unsigned(value, 1u << 20, n) || n == 0) invalid(variable, value, "a positive integer");
  return static_cast<std::uint32_t>(n);
}

std::uint32_t flag_variable(const char *variable) {
  const char *value = env(variable);
  if (value == nullptr) return 0;
  const std::string text = value;
  if (text == "0") return 0;
  if (text == "1") return 1;
  invalid(variable, text, "0 or 1");
}

std::uint64_t stack_size_variable() {
  const char *value = env("LUMINAR_STACK_SIZE");
  if (value == nullptr) return 0;
  std::string digits = value;
  std::uint64_t unit = 1;
  const char suffix = digits.back();
  if (suffix == 'K' || suffix == 'k') unit = 1024;
  if (suffix == 'M' || suffix == 'm') unit = 1024 * 1024;
  if (unit != 1) digits.pop_back();
  std::uint64_t n = 0;
  const std::uint64_t max_bytes = std::uint64_t{1} << 40;
  if (!parse_unsigned(digits, max_bytes / unit, n) || n == 0)
    invalid("LUMINAR_STACK_SIZE", value, "a positive size in bytes, or with a K or M suffix (e.g. 65536, 256K, 1M)");
  return n * unit;
}

std::int32_t log_level_variable() {
  const char *value = env("LUMINAR_LOG");
  if (value == nullptr) return 3;
  static const char *const levels[] = {"trace", "debug", "info", "warn", "error"};
  for (std::int32_t i = 0; i < 5; ++i)
    if (std::string(value) == levels[i]) return i;
  invalid("LUMINAR_LOG", value, "one of trace, debug, info, warn, error");
}

std::string runtime_variable() {
  const char *value = env("LUMINAR_RUNTIME");
  if (value == nullptr) return "default";
  const std::string text = value;
  if (text.find('/') != std::string::npos) return text;  // a path
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) invalid("LUMINAR_RUNTIME", text, "a plugin name (letters, digits, '_', '-') or a path containing '/'");
  }
  return text;
}

std::vector<std::string> plugin_path_variable() {
  std::vector<std::string> dirs;
  const char *value = env("LUMINAR_PLUGIN_PATH");
  if (value == nullptr) return dirs;
  std::string text = value;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(':', start), text.size());
    if (end > start) dirs.push_back(text.substr(start, end - start));  // "a::b" skips the empty entry
    start = end + 1;
  }
  return dirs;
}

}  // namespace

void read_settings_from_environment(RuntimeSettings &out) {
  out.runtime = runtime_variable();
  out.plugin_path = plugin_path_variable();
  const char *trace = env("LUMINAR_TRACE");
  out.trace_path = trace != nullptr ? trace : "";

  LuminarRuntimeConfig &config = out.config;
  config = LuminarRuntimeConfig{};
  config.struct_size = sizeof(LuminarRuntimeConfig);
  config.threads = count_variable("LUMINAR_THREADS", 0);
  config.blocking_threads = count_variable("LUMINAR_BLOCKING_THREADS", 512);
  config.numa = flag_variable("LUMINAR_NUMA");
  config.stack_size = stack_size_variable();
  config.metrics = flag_variable("LUMINAR_METRICS");
  config.log_level = log_level_variable();
  config.trace_path = out.trace_path.empty() ? nullptr : out.trace_path.c_str();
}

}  // namespace detail
}  // namespace luminar
