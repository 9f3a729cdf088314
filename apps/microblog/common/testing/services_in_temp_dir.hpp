// File: common/testing/services_in_temp_dir.hpp
//
// ServicesInTempDir runs microblog services for a test: one process, the
// in-process transport, a fresh temporary DATA_DIR (real SQLite files),
// stopped and removed when it goes away. The fixture of the services'
// adapter tests.
//
//   services_ = std::make_unique<ServicesInTempDir>("search");
//   services_->start<SearchService, PostsStandIn>();
//   hypha::testing::entrypoint_hook(services_->container("search"), "search")(args);
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "hypha/core/runner.hpp"

namespace microblog::testing {

class ServicesInTempDir {
 public:
  /// The directory is <tmp>/microblog-<name>-<uuid>; `config` gets its DATA_DIR.
  explicit ServicesInTempDir(std::string_view name, hypha::Config config = {})
      : dir_(std::filesystem::temp_directory_path() / ("microblog-" + std::string(name) + "-" + hypha::new_uuid4())) {
    config.set("DATA_DIR", dir_.string());
    runner_ = std::make_unique<hypha::ServiceRunner>(config);
  }
  /// Stops the services, closes their files, then removes the directory.
  ~ServicesInTempDir() {
    runner_->stop();
    runner_.reset();
    std::filesystem::remove_all(dir_);
  }
  ServicesInTempDir(const ServicesInTempDir&) = delete;
  ServicesInTempDir& operator=(const ServicesInTempDir&) = delete;

  /// start adds the services, in order, and starts them all.
  template <class... Services>
  void start() {
    (runner_->add_service<Services>(), ...);
    runner_->start();
  }
  hypha::ServiceContainer& container(std::string_view service) { return *runner_->container(service); }
  const std::filesystem::path& dir() const noexcept { return dir_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<hypha::ServiceRunner> runner_;
};

}  // namespace microblog::testing
