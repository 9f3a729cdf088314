// File: dependencies/config.hpp
//
// ConfigView gives a worker a read-only view of the process config (Nameko's
// Config provider). The smallest provider: a template for writing your own.
//
//   hypha::ConfigView config_;  // in define():
//   s.dependency("config", &S::config_, hypha::config_view());
//   auto greeting = config_->get_string("GREETING", "hello");
#pragma once

#include "hypha/core/config.hpp"
#include "hypha/core/extension.hpp"

namespace hypha {

class ConfigView {
 public:
  ConfigView() = default;
  explicit ConfigView(const Config* config) : config_(config) {}
  const Config& operator*() const noexcept { return *config_; }
  const Config* operator->() const noexcept { return config_; }

 private:
  const Config* config_ = nullptr;
};

ProviderFactory<ConfigView> config_view();

}  // namespace hypha
