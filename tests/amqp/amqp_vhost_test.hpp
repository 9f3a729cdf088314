// File: amqp_vhost_test.hpp
//
// AmqpVhostTest is the fixture of tests against the shared test broker: the
// AMQP transport enabled, a fresh vhost of their own (uri_) and an empty
// Journal. Fixtures that need more extend SetUp and call this one first.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "amqp_test_services.hpp"
#include "amqp_test_support.hpp"
#include "hypha/transport/amqp.hpp"

namespace hypha::amqp_test {

class AmqpVhostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    enable_amqp_transport();
    uri_ = fresh_vhost_uri();
    Journal::instance().clear();
  }
  std::string uri_;
};

}  // namespace hypha::amqp_test
