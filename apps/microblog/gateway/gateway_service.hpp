// File: gateway/gateway_service.hpp
//
// The gateway: the microblog's only HTTP face (the REST API of
// microblog-api.md). It owns no domain data: it authenticates bearer tokens
// through identity, calls the services over RPC, and maps their results and
// errors to the contract's representations and status codes.
#pragma once

#include <string>

#include "hypha/core/service_definition.hpp"
#include "hypha/dependencies/rpc_proxy.hpp"

namespace microblog::gateway {

class GatewayService {
 public:
  static constexpr std::string_view name = "gateway";
  static void define(hypha::ServiceSpec<GatewayService>& s);

  using Request = const hypha::HttpRequest&;
  using Response = hypha::HttpResponse;

  Response health(Request request);
  Response register_user(Request request);
  Response login(Request request);
  Response logout(Request request);
  Response get_user(Request request, std::string username);
  Response list_collection(Request request, std::string username);
  Response create_micropost(Request request, std::string username);
  Response get_micropost(Request request, std::string username, std::string id);
  Response edit_micropost(Request request, std::string username, std::string id);
  Response delete_micropost(Request request, std::string username, std::string id);
  Response timeline(Request request, std::string username);
  Response list_following(Request request, std::string username);
  Response follow(Request request, std::string username);
  Response unfollow(Request request, std::string username, std::string other);
  Response list_followers(Request request, std::string username);
  Response search(Request request);

  hypha::RpcProxy identity_;
  hypha::RpcProxy posts_;
  hypha::RpcProxy social_;
  hypha::RpcProxy timeline_;
  hypha::RpcProxy search_;

 private:
  /// record_in_timeline makes the author's own timeline show a write before the
  /// answer (read-your-writes); if timeline is down, the event catches it up.
  template <class... Args>
  void record_in_timeline(const char* method, const Args&... args) {
    try {
      timeline_.call(method, args...);
    } catch (const hypha::Error&) {
      // The micropost event still reaches the timeline.
    }
  }
  std::string authenticate(Request request);
  std::string bearer_token(Request request);
  /// check_sent_credentials: a public read needs no token, but one that is
  /// sent must be valid (401 otherwise), as GitHub and Mastodon answer.
  void check_sent_credentials(Request request);
  /// resolve_user returns the user's internal form, or raises 404.
  hypha::Json resolve_user(const std::string& username);
  /// authorize_owner: authenticated as `username` (401/404/403), returns the canonical name.
  std::string authorize_owner(Request request, const std::string& username);
  Response user_list(Request request, const std::string& username, const char* method, const char* path_suffix);
};

}  // namespace microblog::gateway
