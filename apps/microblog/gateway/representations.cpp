#include "gateway/representations.hpp"

#include "common/domain/timestamp.hpp"

namespace microblog::gateway {

using hypha::Json;

std::string user_href(std::string_view username) { return "/api/users/" + std::string(username); }

std::string micropost_href(std::string_view author, std::string_view id) {
  return user_href(author) + "/collection/" + std::string(id);
}

Json user_json(const Json& user, std::int64_t microposts, std::int64_t following, std::int64_t followers) {
  const std::string name = user.at("username").get<std::string>();
  const std::string href = user_href(name);
  return Json{{"username", name},
              {"href", href},
              {"collection", href + "/collection"},
              {"timeline", href + "/timeline"},
              {"following", href + "/following"},
              {"followers", href + "/followers"},
              {"microposts_count", microposts},
              {"following_count", following},
              {"followers_count", followers},
              {"created", format_rfc3339_ms(user.at("created_ms").get<std::int64_t>())}};
}

void write_short_user(hypha::JsonWriter& out, std::string_view username) {
  out.begin_object().key("href").string(user_href(username)).key("username").string(username).end_object();
}

void write_micropost(hypha::JsonWriter& out, const Json& post) {
  const auto& id = post.at("id").get_ref<const std::string&>();
  const auto& author = post.at("author").get_ref<const std::string&>();
  const Json& edited = post.at("edited_ms");
  // Members in name order, as a dumped Json object has them.
  out.begin_object().key("edited");
  if (edited.is_null()) {
    out.null();
  } else {
    out.string(format_rfc3339_ms(edited.get<std::int64_t>()));
  }
  out.key("href").string(micropost_href(author, id));
  out.key("id").string(id);
  out.key("referenced").begin_array();
  if (auto referenced = post.find("referenced"); referenced != post.end() && referenced->is_array()) {
    for (const auto& name : *referenced) out.string(name.get_ref<const std::string&>());
  }
  out.end_array();
  out.key("text").string(post.at("text").get_ref<const std::string&>());
  out.key("timestamp").string(format_rfc3339_ms(post.at("created_ms").get<std::int64_t>()));
  out.key("user");
  write_short_user(out, author);
  out.end_object();
}

std::string micropost_text(const Json& post) {
  hypha::JsonWriter out;
  write_micropost(out, post);
  return out.take();
}

std::string url_encode(std::string_view value) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xF]);
    }
  }
  return out;
}

std::string PageLinks::with(std::string_view key, std::string_view value) const {
  std::string url = path + "?";
  for (const auto& [k, v] : filters) url += k + "=" + url_encode(v) + "&";
  url += "size=" + std::to_string(size) + "&" + std::string(key) + "=" + std::string(value);
  return url;
}

}  // namespace microblog::gateway
