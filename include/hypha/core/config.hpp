// File: config.hpp
//
// Config is the resolved configuration of a process: a JSON object read from
// YAML with `${VAR}` and `${VAR:default}` substitution (Nameko's rules: plain
// scalars only, the substituted text is parsed again as YAML, defaults may nest;
// `!env_var` forces substitution in a quoted scalar, `!raw_env_var` keeps the
// text a string). It remembers where each key came from, so errors name the
// file, line and key.
//
//   auto config = hypha::Config::load_file("config.yaml");
//   int workers = config.get_int("max_workers", 10, 1, 10000);
//
// Keys Hypha reads (others are the application's):
// | key                   | type   | default          | meaning                               |
// |-----------------------|--------|------------------|---------------------------------------|
// | max_workers           | int    | 10 (1 to 65535)  | concurrent workers per container      |
// | parent_calls_tracked  | int    | 10               | call_id_stack keeps this many parents |
// | WEB_SERVER_ADDRESS    | string | 127.0.0.1:8000   | HTTP listen address                   |
// | HTTP_THREADS          | int    | cores, at least 2 | HTTP server threads                  |
// | HTTP_SLOW_THREADS     | int    | 4                | threads for `slow` HTTP routes        |
// | HTTP_MAX_BODY_BYTES   | int    | 65536            | larger request bodies get 413         |
// | WORKER_THREADS        | int    | max(8, 2 x cores, max_workers), at most 1024 | executor threads for async work |
// | RPC_TIMEOUT           | number | 30 (AMQP)        | default RPC deadline, seconds; in process a call has a deadline only when given one (with_timeout) |
// | EVENT_RETRY_DELAY_MS  | int    | 100              | first retry delay of a failed event   |
// | DATA_DIR              | string | var/hypha        | where SQLite databases live           |
// | SQLITE_EXCLUSIVE      | bool   | see sqlite.hpp   | one process owns the data directory   |
// | LOG_LEVEL             | string | info             | trace, debug, info, warning (warn), error, critical, off; any case |
// | LOG_FILE              | string | (stderr)         | write the log to this file instead    |
// | AMQP_URI              | string | (none)           | use the AMQP transport                |
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "hypha/core/json.hpp"

namespace hypha {

/// EnvLookup returns an environment variable's value, or nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

/// process_env looks variables up in the process environment.
std::optional<std::string> process_env(std::string_view name);

/// substitute_env expands ${VAR} and ${VAR:default} (defaults may nest).
/// Throws ConfigurationError on an unterminated reference.
std::string substitute_env(std::string_view text, const EnvLookup& env = process_env);

class Config {
 public:
  Config() : values_(Json::object()) {}
  explicit Config(Json values, std::string source = "<config>");

  /// load_file reads a YAML file; throws ConfigurationError naming the file and
  /// line of a syntax error.
  static Config load_file(const std::string& path, const EnvLookup& env = process_env);
  /// load_string reads YAML text; `source` names it in errors.
  static Config load_string(std::string_view yaml, std::string source = "<string>",
                            const EnvLookup& env = process_env);

  const Json& values() const noexcept { return values_; }
  const std::string& source() const noexcept { return source_; }

  /// has reports whether a top-level key is set.
  bool has(std::string_view key) const;
  /// get returns a top-level value, or null.
  const Json& get(std::string_view key) const;
  /// set overrides a top-level value (command-line flags); `origin` is what
  /// errors about it name ("--set"), instead of the file's line.
  void set(std::string_view key, Json value, std::string origin = {});

  /// Typed getters: the default when absent; ConfigurationError naming
  /// "file:line: key 'k': ..." when present but of the wrong type or range.
  std::int64_t get_int(std::string_view key, std::int64_t fallback, std::int64_t min, std::int64_t max) const;
  double get_number(std::string_view key, double fallback) const;
  std::string get_string(std::string_view key, std::string_view fallback) const;
  bool get_bool(std::string_view key, bool fallback) const;

  /// location names where a key was set ("config.yaml:4"), or the source.
  std::string location(std::string_view key) const;

 private:
  [[noreturn]] void fail(std::string_view key, std::string_view problem) const;

  Json values_;
  std::string source_;
  std::map<std::string, int, std::less<>> lines_;  // top-level key -> 1-based line
  std::map<std::string, std::string, std::less<>> origins_;  // keys set later -> where from
  friend struct ConfigLoader;
};

}  // namespace hypha
