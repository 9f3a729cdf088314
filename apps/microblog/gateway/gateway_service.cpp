#include "gateway/gateway_service.hpp"

#include <optional>

#include "common/domain/ascii.hpp"
#include "common/domain/decimal.hpp"
#include "common/domain/page_query.hpp"
#include "contracts/errors.hpp"
#include "gateway/api_error.hpp"
#include "gateway/representations.hpp"
#include "gateway/request_body.hpp"
#include "hypha/core/context_data.hpp"
#include "identity/domain/username.hpp"

namespace microblog::gateway {
namespace {

using hypha::HttpResponse;
using hypha::Json;

std::optional<std::string_view> query(const hypha::HttpRequest& request, std::string_view key) {
  return request.query_value(key);
}

// ListQuery is a list request's paging: PageQuery's size/before/page, plus
// the `after` cursor that previous links use.
struct ListQuery {
  PageQuery page;
  std::optional<std::uint64_t> after;
};

ListQuery page_query(const hypha::HttpRequest& request) {
  auto parsed = PageQuery::parse(query(request, "size"), query(request, "before"), query(request, "page"));
  if (!parsed) throw ApiError::validation(parsed.error().message);
  ListQuery q{*parsed, std::nullopt};
  if (auto after = query(request, "after")) {
    q.after = parse_decimal_u64(*after);
    if (!q.after) throw ApiError::validation("after: must be a cursor from a previous link");
    q.after = PageQuery::clamp_cursor(*q.after);
    if (parsed->before() || parsed->page()) throw ApiError::validation("after: cannot be combined with before or page");
  }
  return q;
}

Json before_arg(const ListQuery& q) {
  return q.page.before() ? Json(std::to_string(*q.page.before())) : Json(nullptr);
}
Json offset_arg(const ListQuery& q) { return q.page.page() ? Json(q.page.offset()) : Json(nullptr); }

// list_args: the paging arguments every list RPC takes; `after` only when used.
Json list_args(Json leading, const ListQuery& q) {
  leading.push_back(q.page.size());
  leading.push_back(before_arg(q));
  leading.push_back(offset_arg(q));
  if (q.after) leading.push_back(std::to_string(*q.after));
  return leading;
}

// page_response wraps a service ListPage into the contract's Page, each item
// written by write_item. A link is present exactly when it leads to more items.
template <class WriteItem, class CursorOf>
HttpResponse page_response(const Json& list, const ListQuery& q, PageLinks links, WriteItem write_item,
                           CursorOf cursor_of) {
  links.size = q.page.size();
  const Json& items = list.at("items");
  std::optional<std::string> next;
  std::optional<std::string> previous;
  const bool has_more = list.value("has_more", false);
  const bool has_newer = list.value("has_newer", false);
  if (auto page = q.page.page()) {
    // next is a cursor, as from any first page: a walk that starts at page=1
    // also visits every item once while new ones arrive.
    if (has_more && !items.empty()) next = links.with("before", cursor_of(items.back()));
    if (*page > 1) previous = links.with("page", std::to_string(*page - 1));
  } else if (!items.empty()) {
    if (has_more) next = links.with("before", cursor_of(items.back()));
    if (has_newer) previous = links.with("after", cursor_of(items.front()));
  } else {
    // An empty page between cursors (its items were deleted) links on to what remains on either side.
    if (has_more && q.after) next = links.with("before", std::to_string(*q.after + 1));  // clamped: no overflow
    if (has_newer && q.page.before()) previous = links.with("after", std::to_string(*q.page.before() - 1));
  }
  hypha::JsonWriter out;
  const auto link = [&](const std::optional<std::string>& href) { href ? out.string(*href) : out.null(); };
  out.begin_object().key("next");
  link(next);
  out.key("previous");
  link(previous);
  out.key("result").begin_array();
  for (const auto& item : items) write_item(out, item);
  out.end_array().end_object();
  return HttpResponse::json_text(200, out.take());
}

std::string micropost_id(const Json& post) { return post.at("id").get<std::string>(); }

// created marks a response as the 201 of a new resource at `location`.
HttpResponse created(HttpResponse response, const std::string& location) {
  response.status = 201;
  response.headers["Location"] = location;
  return response;
}

}  // namespace

void GatewayService::define(hypha::ServiceSpec<GatewayService>& s) {
  using G = GatewayService;
  s.http("health", &G::health, {.method = "GET", .path = "/health"});
  // Registering and logging in hash a password (argon2id, ~0.1 s of CPU): slow routes.
  s.http("register_user", &G::register_user, {.method = "POST", .path = "/api/users", .slow = true});
  s.http("login", &G::login, {.method = "POST", .path = "/api/token", .slow = true});
  s.http("logout", &G::logout, {.method = "DELETE", .path = "/api/token"});
  s.http("get_user", &G::get_user, {.method = "GET", .path = "/api/users/<username>"});
  s.http("list_collection", &G::list_collection, {.method = "GET", .path = "/api/users/<username>/collection"});
  // Creating a micropost writes to two databases and can wait for their write
  // locks (a WAL restart holds one for ~20 ms): slow too, so that the wait
  // never holds up the reads that share its HTTP thread.
  s.http("create_micropost", &G::create_micropost,
         {.method = "POST", .path = "/api/users/<username>/collection", .slow = true});
  s.http("get_micropost", &G::get_micropost, {.method = "GET", .path = "/api/users/<username>/collection/<id>"});
  s.http("edit_micropost", &G::edit_micropost, {.method = "PUT,PATCH", .path = "/api/users/<username>/collection/<id>"});
  s.http("delete_micropost", &G::delete_micropost, {.method = "DELETE", .path = "/api/users/<username>/collection/<id>"});
  s.http("timeline", &G::timeline, {.method = "GET", .path = "/api/users/<username>/timeline"});
  s.http("list_following", &G::list_following, {.method = "GET", .path = "/api/users/<username>/following"});
  s.http("follow", &G::follow, {.method = "POST", .path = "/api/users/<username>/following"});
  s.http("unfollow", &G::unfollow, {.method = "DELETE", .path = "/api/users/<username>/following/<other>"});
  s.http("list_followers", &G::list_followers, {.method = "GET", .path = "/api/users/<username>/followers"});
  s.http("search", &G::search, {.method = "GET", .path = "/api/search"});
  contracts::register_error_types();
  s.dependency("identity", &G::identity_, hypha::rpc_proxy("identity"));
  s.dependency("posts", &G::posts_, hypha::rpc_proxy("posts"));
  s.dependency("social", &G::social_, hypha::rpc_proxy("social"));
  s.dependency("timeline", &G::timeline_, hypha::rpc_proxy("timeline"));
  s.dependency("search", &G::search_, hypha::rpc_proxy("search"));
}

std::string GatewayService::bearer_token(Request request) {
  auto header = request.header("Authorization");
  if (header.empty()) throw ApiError::unauthorized("missing bearer token");
  if (header.size() < 7 || !equals_ignoring_ascii_case(header.substr(0, 7), "Bearer ")) {
    throw ApiError::unauthorized("the Authorization header must be 'Bearer <token>'");
  }
  auto token = header.substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty() || token.size() > 512) throw ApiError::unauthorized("malformed bearer token");
  return std::string(token);
}

std::string GatewayService::authenticate(Request request) {
  return identity_.call_as<std::string>("verify_token", bearer_token(request));
}

// A client whose token expired or was revoked learns it on its next read,
// instead of silently reading as anonymous.
void GatewayService::check_sent_credentials(Request request) {
  if (!request.header("Authorization").empty()) authenticate(request);
}

Json GatewayService::resolve_user(const std::string& username) { return identity_.call("get_user", username); }

std::string GatewayService::authorize_owner(Request request, const std::string& username) {
  std::string acting = authenticate(request);
  // The token's user exists and `acting` is its canonical name: when the path
  // names the same user, no lookup is needed (one identity RPC less).
  if (equals_ignoring_ascii_case(acting, username)) return acting;
  std::string owner = resolve_user(username).at("username").get<std::string>();
  if (!equals_ignoring_ascii_case(acting, owner)) {
    throw ApiError::forbidden("you may only act on your own resources ('" + owner + "')");
  }
  return owner;
}

HttpResponse GatewayService::health(Request) {
  return respond([&] {
    // Cheap reads on every service the API needs: any unreachable one is a 503.
    try {
      identity_.call("existing_users", Json::array());
      posts_.call("count_by_author", "");
      social_.call("counts", "");
      timeline_.call("timeline", "", 1, nullptr, nullptr);
      search_.call("search", nullptr, nullptr, 1, nullptr, nullptr);
    } catch (const hypha::Error& e) {
      if (e.info().exc_type != "NotFound" && e.info().exc_type != "ValidationFailed") {
        return error_body(503, "unavailable", "a service is unavailable: " + e.info().exc_type);
      }
    }
    return HttpResponse::json(200, Json{{"status", "ok"}});
  });
}

HttpResponse GatewayService::register_user(Request request) {
  return respond([&] {
    JsonBody body(request, {"username", "password"});
    std::string username = body.string_field("username");
    std::string password = body.string_field("password");
    Json user = identity_.call("register", username, password, hypha::new_uuid4());  // a key: see posts.create
    Json representation = user_json(user, 0, 0, 0);
    return created(HttpResponse::json(201, representation), representation.at("href").get<std::string>());
  });
}

HttpResponse GatewayService::login(Request request) {
  return respond([&] {
    JsonBody body(request, {"username", "password"});
    Json token = identity_.call("login", body.string_field("username"), body.string_field("password"));
    auto response = HttpResponse::json(200, token);
    response.headers["Cache-Control"] = "no-store";  // RFC 6749 5.1: no cache keeps a token
    response.headers["Pragma"] = "no-cache";
    return response;
  });
}

HttpResponse GatewayService::logout(Request request) {
  return respond([&] {
    std::string token = bearer_token(request);
    identity_.call("verify_token", token);  // 401 for an unknown token
    identity_.call("revoke_token", token);
    return HttpResponse::empty(204);
  });
}

HttpResponse GatewayService::get_user(Request request, std::string username) {
  return respond([&] {
    check_sent_credentials(request);
    Json user = resolve_user(username);
    const std::string name = user.at("username").get<std::string>();
    std::int64_t microposts = posts_.call("count_by_author", name).get<std::int64_t>();
    std::int64_t following = 0, followers = 0;
    try {
      Json counts = social_.call("counts", name);
      following = counts.value("following_count", 0);
      followers = counts.value("followers_count", 0);
    } catch (const hypha::Error& e) {
      if (!hypha::is_unavailable(e.info())) throw;  // counts without the social service are 0
    }
    return HttpResponse::json(200, user_json(user, microposts, following, followers));
  });
}

HttpResponse GatewayService::list_collection(Request request, std::string username) {
  return respond([&] {
    check_sent_credentials(request);
    ListQuery q = page_query(request);
    std::string name = resolve_user(username).at("username").get<std::string>();
    Json list = posts_.call_json("list_by_author", list_args(Json::array({name}), q));
    return page_response(list, q, PageLinks{user_href(name) + "/collection", {}, q.page.size()}, write_micropost,
                         micropost_id);
  });
}

HttpResponse GatewayService::create_micropost(Request request, std::string username) {
  return respond([&] {
    std::string owner = authorize_owner(request, username);
    JsonBody body(request, {"text"});
    // A request key per HTTP request: posts answers a redelivery of the same call without writing twice.
    Json post = posts_.call("create", owner, body.string_field("text"), hypha::new_uuid4());
    record_in_timeline("record_post", post);
    return created(HttpResponse::json_text(201, micropost_text(post)),
                   micropost_href(post.at("author").get<std::string>(), micropost_id(post)));
  });
}

HttpResponse GatewayService::get_micropost(Request request, std::string username, std::string id) {
  return respond([&] {
    check_sent_credentials(request);
    return HttpResponse::json_text(200, micropost_text(posts_.call("get", username, id)));
  });
}

HttpResponse GatewayService::edit_micropost(Request request, std::string username, std::string id) {
  return respond([&] {
    std::string acting = authenticate(request);
    std::string owner = resolve_user(username).at("username").get<std::string>();
    posts_.call("get", owner, id);  // 404 before 403 for a post that does not exist
    if (!equals_ignoring_ascii_case(acting, owner)) throw ApiError::forbidden("only the author may edit a micropost");
    JsonBody body(request, {"text"});
    Json post = posts_.call("edit", owner, id, acting, body.string_field("text"));
    record_in_timeline("record_post", post);
    return HttpResponse::json_text(200, micropost_text(post));
  });
}

HttpResponse GatewayService::delete_micropost(Request request, std::string username, std::string id) {
  return respond([&] {
    std::string acting = authenticate(request);
    std::string owner = resolve_user(username).at("username").get<std::string>();
    posts_.call("get", owner, id);
    if (!equals_ignoring_ascii_case(acting, owner)) throw ApiError::forbidden("only the author may delete a micropost");
    posts_.call("delete", owner, id, acting);
    record_in_timeline("record_deletion", id, owner);
    return HttpResponse::empty(204);
  });
}

HttpResponse GatewayService::timeline(Request request, std::string username) {
  return respond([&] {
    std::string owner = authorize_owner(request, username);
    ListQuery q = page_query(request);
    Json list = timeline_.call_json("timeline", list_args(Json::array({owner}), q));
    return page_response(list, q, PageLinks{user_href(owner) + "/timeline", {}, q.page.size()}, write_micropost,
                         micropost_id);
  });
}

HttpResponse GatewayService::user_list(Request request, const std::string& username, const char* method,
                                       const char* path_suffix) {
  return respond([&] {
    check_sent_credentials(request);
    ListQuery q = page_query(request);
    std::string name = resolve_user(username).at("username").get<std::string>();
    Json list = social_.call_json(method, list_args(Json::array({name}), q));
    return page_response(
        list, q, PageLinks{user_href(name) + path_suffix, {}, q.page.size()},
        [](hypha::JsonWriter& out, const Json& u) { write_short_user(out, u.at("username").get_ref<const std::string&>()); },
        [](const Json& u) { return u.at("cursor").get<std::string>(); });
  });
}

HttpResponse GatewayService::list_following(Request request, std::string username) {
  return user_list(request, username, "following", "/following");
}

HttpResponse GatewayService::list_followers(Request request, std::string username) {
  return user_list(request, username, "followers", "/followers");
}

HttpResponse GatewayService::follow(Request request, std::string username) {
  return respond([&] {
    std::string owner = authorize_owner(request, username);
    JsonBody body(request, {"username"});
    const std::string wanted = body.string_field("username");
    // A name no user can have is a bad value (400, naming the field), not an unknown user (404).
    if (auto valid = identity::Username::parse(wanted); !valid) throw ApiError::validation(valid.error().message);
    std::string target = resolve_user(wanted).at("username").get<std::string>();
    Json result = social_.call("follow", owner, target);
    hypha::JsonWriter representation;
    write_short_user(representation, target);
    auto response = HttpResponse::json_text(200, representation.take());
    if (result.value("created", false)) return created(std::move(response), user_href(target));
    return response;
  });
}

HttpResponse GatewayService::unfollow(Request request, std::string username, std::string other) {
  return respond([&] {
    std::string owner = authorize_owner(request, username);
    std::string target = resolve_user(other).at("username").get<std::string>();
    social_.call("unfollow", owner, target);
    return HttpResponse::empty(204);
  });
}

HttpResponse GatewayService::search(Request request) {
  return respond([&] {
    check_sent_credentials(request);
    ListQuery q = page_query(request);
    auto text = query(request, "text");
    auto username = query(request, "username");
    Json list = search_.call_json("search", list_args(Json::array({text ? Json(std::string(*text)) : Json(nullptr),
                                                                   username ? Json(std::string(*username)) : Json(nullptr)}),
                                                      q));
    PageLinks links{"/api/search", {}, q.page.size()};
    if (text) links.filters.emplace_back("text", std::string(*text));
    if (username) links.filters.emplace_back("username", std::string(*username));
    return page_response(list, q, links, write_micropost, micropost_id);
  });
}

}  // namespace microblog::gateway
