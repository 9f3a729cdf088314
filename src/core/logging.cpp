#include "hypha/core/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <cctype>
#include <string>

#include "hypha/core/errors.hpp"
#include "hypha/core/worker_context.hpp"

namespace hypha::log {
namespace {

// %Q in the pattern: the call id of the worker running on this thread.
class CallIdFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&, spdlog::memory_buf_t& dest) override {
    WorkerContext* worker = current_worker();
    if (worker == nullptr || worker->data.call_id_stack.empty()) {
      dest.push_back('-');
      return;
    }
    const std::string& id = worker->call_id();
    dest.append(id.data(), id.data() + id.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<CallIdFlag>(); }
};

std::shared_ptr<spdlog::logger> make_logger(spdlog::sink_ptr sink) {
  auto logger = std::make_shared<spdlog::logger>("hypha", std::move(sink));
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<CallIdFlag>('Q').set_pattern("%Y-%m-%dT%H:%M:%S.%eZ level=%l call_id=%Q %v");
  logger->set_formatter(std::move(formatter));
  logger->flush_on(spdlog::level::warn);
  return logger;
}

std::shared_ptr<spdlog::logger>& instance() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    spdlog::set_pattern("%v");
    return make_logger(std::make_shared<spdlog::sinks::stderr_sink_mt>());
  }();
  return logger;
}

}  // namespace

spdlog::logger& logger() { return *instance(); }

spdlog::level::level_enum parse_level(std::string_view name) {
  if (name.empty()) return spdlog::level::info;
  std::string lower;
  for (char c : name) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower == "warn") lower = "warning";
  for (int l = spdlog::level::trace; l <= spdlog::level::off; ++l) {
    const auto level = static_cast<spdlog::level::level_enum>(l);
    if (spdlog::level::to_string_view(level) == lower) return level;
  }
  // spdlog's own from_str turns an unknown name into "off": every line lost.
  throw ConfigurationError("key 'LOG_LEVEL': expected trace, debug, info, warning, error, critical or off, got '" +
                           std::string(name) + "'");
}

void configure(std::string_view level, std::string_view file) {
  spdlog::sink_ptr sink;
  if (file.empty()) {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  } else {
    sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(std::string(file));
  }
  auto logger = make_logger(std::move(sink));
  logger->set_level(parse_level(level));
  logger->flush_on(spdlog::level::info);
  instance() = std::move(logger);
}

}  // namespace hypha::log
