// identity.register with a request key: a request delivered twice (its first
// worker committed, then its process died before the broker heard of it)
// answers the user it registered, not "taken"; another request still is.
#include <gtest/gtest.h>

#include "common/testing/services_in_temp_dir.hpp"
#include "hypha/testing/entrypoint_hook.hpp"
#include "identity/application/identity_service.hpp"

namespace microblog::identity {
namespace {

using hypha::Json;

class IdentityRegisterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hypha::Config config;
    config.set("PASSWORD_HASH_OPSLIMIT", 1);  // the cheapest argon2id: the test is about keys, not hashing
    config.set("PASSWORD_HASH_MEMLIMIT_KB", 8192);
    services_ = std::make_unique<microblog::testing::ServicesInTempDir>("identity", config);
    services_->start<IdentityService>();
  }
  Json call(std::string_view method, Json args) {
    return hypha::testing::entrypoint_hook(services_->container("identity"), method)(std::move(args));
  }
  std::string error_of(std::string_view method, Json args) {
    try {
      call(method, std::move(args));
    } catch (const hypha::Error& e) {
      return e.info().exc_type;
    }
    return "no error";
  }
  std::unique_ptr<microblog::testing::ServicesInTempDir> services_;
};

TEST_F(IdentityRegisterTest, TheSameRequestKeyAnswersTheUserItRegistered) {
  const Json first = call("register", Json::array({"Alice", "correct horse battery", "key-1"}));
  EXPECT_EQ(call("register", Json::array({"Alice", "correct horse battery", "key-1"})), first);
  EXPECT_EQ(error_of("register", Json::array({"alice", "correct horse battery", "key-2"})), "Conflict");
  EXPECT_EQ(error_of("register", Json::array({"alice", "correct horse battery"})), "Conflict");
  EXPECT_EQ(call("login", Json::array({"alice", "correct horse battery"})).contains("access_token"), true);
}

TEST_F(IdentityRegisterTest, WithoutAKeyATakenNameIsAConflict) {
  call("register", Json::array({"bob", "correct horse battery"}));
  EXPECT_EQ(error_of("register", Json::array({"bob", "correct horse battery"})), "Conflict");
  EXPECT_EQ(error_of("register", Json::array({"bob", "correct horse battery", ""})), "Conflict");
}

}  // namespace
}  // namespace microblog::identity
