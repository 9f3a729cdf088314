// File: logging.hpp
//
// Structured logging with spdlog. Every line a worker writes carries its call
// id (call_id=greeter.hello.<uuid>), taken from the thread's current worker, so
// one call can be followed across services. Never log secrets: passwords and
// tokens are for hashing, not for logs.
//
//   hypha::log::info("registered user {}", username);
#pragma once

#include <memory>
#include <string_view>

#include <spdlog/spdlog.h>

namespace hypha::log {

/// logger returns the process's logger (stderr unless configured).
spdlog::logger& logger();

/// configure sets the level ("info", "debug", ...) and the output: stderr, or
/// a file path when `file` is not empty.
void configure(std::string_view level, std::string_view file = {});
/// parse_level reads a level name, any case ("warn" too); ConfigurationError
/// naming LOG_LEVEL for anything else.
spdlog::level::level_enum parse_level(std::string_view name);

template <class... Args>
void trace(spdlog::format_string_t<Args...> fmt, Args&&... args) { logger().trace(fmt, std::forward<Args>(args)...); }
template <class... Args>
void debug(spdlog::format_string_t<Args...> fmt, Args&&... args) { logger().debug(fmt, std::forward<Args>(args)...); }
template <class... Args>
void info(spdlog::format_string_t<Args...> fmt, Args&&... args) { logger().info(fmt, std::forward<Args>(args)...); }
template <class... Args>
void warn(spdlog::format_string_t<Args...> fmt, Args&&... args) { logger().warn(fmt, std::forward<Args>(args)...); }
template <class... Args>
void error(spdlog::format_string_t<Args...> fmt, Args&&... args) { logger().error(fmt, std::forward<Args>(args)...); }

}  // namespace hypha::log
