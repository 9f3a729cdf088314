#include "connection.hpp"

#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>

#include <charconv>
#include <chrono>
#include <filesystem>
#include <thread>

#include "field_table.hpp"
#include "hypha/core/errors.hpp"
#include "hypha/core/logging.hpp"

namespace hypha::amqp {
namespace {

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int v = 0;
      auto r = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (r.ec == std::errc() && r.ptr == s.data() + i + 3) {
        out.push_back(static_cast<char>(v));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

std::string server_error_text(const amqp_rpc_reply_t& reply, int& code, bool& connection_level) {
  connection_level = false;
  code = 0;
  if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
    const auto* m = static_cast<const amqp_connection_close_t*>(reply.reply.decoded);
    connection_level = true;
    code = m->reply_code;
    return std::to_string(m->reply_code) + " " + to_string(m->reply_text);
  }
  if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
    const auto* m = static_cast<const amqp_channel_close_t*>(reply.reply.decoded);
    code = m->reply_code;
    return std::to_string(m->reply_code) + " " + to_string(m->reply_text);
  }
  return "unexpected method " + std::to_string(reply.reply.id);
}

}  // namespace

ConnectionParams ConnectionParams::parse(std::string_view uri, const Json& ssl) {
  ConnectionParams p;
  auto fail = [&](const std::string& why) -> ConnectionParams {
    throw ConfigurationError("key 'AMQP_URI': " + why + " (expected amqp://user:password@host:port/vhost)");
  };
  const auto scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) return fail("no scheme");
  const std::string_view scheme = uri.substr(0, scheme_end);
  if (scheme == "amqps") {
    p.ssl = true;
    p.port = 5671;
  } else if (scheme != "amqp" && scheme != "pyamqp" && scheme != "librabbitmq") {
    return fail("unsupported scheme '" + std::string(scheme) + "'");
  }
  std::string_view rest = uri.substr(scheme_end + 3);
  if (auto q = rest.find('?'); q != std::string_view::npos) rest = rest.substr(0, q);
  std::string_view authority = rest;
  std::string_view path;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    authority = rest.substr(0, slash);
    path = rest.substr(slash + 1);
  }
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    if (auto colon = userinfo.find(':'); colon != std::string_view::npos) {
      p.user = percent_decode(userinfo.substr(0, colon));
      p.password = percent_decode(userinfo.substr(colon + 1));
    } else {
      p.user = percent_decode(userinfo);
    }
  }
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return fail("bad IPv6 host");
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') port = authority.substr(close + 2);
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (!host.empty()) p.host = percent_decode(host);
  if (!port.empty()) {
    auto r = std::from_chars(port.data(), port.data() + port.size(), p.port);
    if (r.ec != std::errc() || r.ptr != port.data() + port.size() || p.port <= 0 || p.port > 65535) {
      return fail("bad port '" + std::string(port) + "'");
    }
  }
  p.vhost = percent_decode(path);
  if (p.vhost.empty()) p.vhost = "/";

  if (ssl.is_boolean() && ssl.get<bool>()) p.ssl = true;
  if (ssl.is_object()) {
    p.ssl = true;
    auto text = [&](const char* key) {
      auto it = ssl.find(key);
      return it != ssl.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    p.ca_cert = text("ca_certs");
    p.cert_file = text("certfile");
    p.key_file = text("keyfile");
    if (auto it = ssl.find("cert_reqs"); it != ssl.end()) {
      // Python's ssl.CERT_NONE is 0; accept the name too.
      if ((it->is_number_integer() && it->get<int>() == 0) || (it->is_string() && it->get<std::string>() == "CERT_NONE")) {
        p.verify_peer = false;
        p.verify_hostname = false;
      }
    }
    if (auto it = ssl.find("check_hostname"); it != ssl.end() && it->is_boolean()) p.verify_hostname = it->get<bool>();
  }
  return p;
}

std::string ConnectionParams::describe() const {
  return std::string(ssl ? "amqps" : "amqp") + "://" + user + "@" + host + ":" + std::to_string(port) + "/" + vhost;
}

Message to_message(const amqp_basic_properties_t& props, const amqp_bytes_t& body) {
  Message m;
  m.body = to_string(body);
  const auto flags = props._flags;
  if (flags & AMQP_BASIC_CONTENT_TYPE_FLAG) m.content_type = to_string(props.content_type);
  if (flags & AMQP_BASIC_CONTENT_ENCODING_FLAG) m.content_encoding = to_string(props.content_encoding);
  if (flags & AMQP_BASIC_CORRELATION_ID_FLAG) m.correlation_id = to_string(props.correlation_id);
  if (flags & AMQP_BASIC_REPLY_TO_FLAG) m.reply_to = to_string(props.reply_to);
  if (flags & AMQP_BASIC_EXPIRATION_FLAG) m.expiration = to_string(props.expiration);
  if (flags & AMQP_BASIC_DELIVERY_MODE_FLAG) m.delivery_mode = props.delivery_mode;
  if (flags & AMQP_BASIC_PRIORITY_FLAG) m.priority = props.priority;
  if (flags & AMQP_BASIC_HEADERS_FLAG) m.headers = table_to_json(props.headers);
  return m;
}

void Connection::open(const ConnectionParams& params, int heartbeat, std::chrono::milliseconds timeout,
                      std::string_view connection_name) {
  close();
  state_ = amqp_new_connection();
  if (state_ == nullptr) throw AmqpError("cannot allocate an AMQP connection", true);
  amqp_socket_t* socket = nullptr;
  if (params.ssl) {
    socket = amqp_ssl_socket_new(state_);
    if (socket != nullptr) {
      amqp_ssl_socket_set_verify_peer(socket, params.verify_peer ? 1 : 0);
      amqp_ssl_socket_set_verify_hostname(socket, params.verify_hostname ? 1 : 0);
      std::string ca = params.ca_cert;
      if (ca.empty() && params.verify_peer && std::filesystem::exists("/etc/ssl/certs/ca-certificates.crt")) {
        ca = "/etc/ssl/certs/ca-certificates.crt";
      }
      if (!ca.empty() && amqp_ssl_socket_set_cacert(socket, ca.c_str()) != AMQP_STATUS_OK) {
        abandon();
        throw AmqpError("cannot load CA certificates from " + ca, true);
      }
      if (!params.cert_file.empty() &&
          amqp_ssl_socket_set_key(socket, params.cert_file.c_str(),
                                  (params.key_file.empty() ? params.cert_file : params.key_file).c_str()) !=
              AMQP_STATUS_OK) {
        abandon();
        throw AmqpError("cannot load client certificate " + params.cert_file, true);
      }
    }
  } else {
    socket = amqp_tcp_socket_new(state_);
  }
  if (socket == nullptr) {
    abandon();
    throw AmqpError("cannot create a socket", true);
  }
  timeval tv = to_timeval(timeout);
  int status = amqp_socket_open_noblock(socket, params.host.c_str(), params.port, &tv);
  if (status != AMQP_STATUS_OK) {
    abandon();
    throw AmqpError("cannot connect to " + params.describe() + ": " + amqp_error_string2(status), true);
  }
  amqp_set_handshake_timeout(state_, &tv);
  amqp_set_rpc_timeout(state_, &tv);
  FieldTable properties(Json{{"product", "hypha"},
                             {"connection_name", std::string(connection_name)},
                             {"capabilities", Json{{"consumer_cancel_notify", true},
                                                   {"publisher_confirms", true},
                                                   {"basic.nack", true},
                                                   {"connection.blocked", false}}}});
  amqp_rpc_reply_t reply = amqp_login_with_properties(state_, params.vhost.c_str(), 0, AMQP_DEFAULT_FRAME_SIZE,
                                                      heartbeat, &properties.table(), AMQP_SASL_METHOD_PLAIN,
                                                      params.user.c_str(), params.password.c_str());
  if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
    std::string why;
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION) {
      why = amqp_error_string2(reply.library_error);
    } else {
      int code = 0;
      bool connection_level = false;
      why = server_error_text(reply, code, connection_level);
    }
    abandon();
    throw AmqpError("cannot log in to " + params.describe() + ": " + why, true);
  }
}

void Connection::close() noexcept {
  if (state_ == nullptr) return;
  // A short timeout: the broker may be gone, and closing must not hang.
  timeval tv{1, 0};
  amqp_set_rpc_timeout(state_, &tv);
  amqp_connection_close(state_, AMQP_REPLY_SUCCESS);
  abandon();
}

void Connection::abandon() noexcept {
  if (state_ == nullptr) return;
  amqp_destroy_connection(state_);
  state_ = nullptr;
}

int Connection::fd() const noexcept { return state_ == nullptr ? -1 : amqp_get_sockfd(state_); }

void Connection::check_status(int status, std::string_view what) {
  if (status == AMQP_STATUS_OK) return;
  throw AmqpError(std::string(what) + ": " + amqp_error_string2(status), true);
}

void Connection::check(const amqp_rpc_reply_t& reply, std::string_view what) {
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL: return;
    case AMQP_RESPONSE_NONE: throw AmqpError(std::string(what) + ": no reply", true);
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      throw AmqpError(std::string(what) + ": " + amqp_error_string2(reply.library_error), true);
    case AMQP_RESPONSE_SERVER_EXCEPTION: {
      int code = 0;
      bool connection_level = false;
      std::string text = server_error_text(reply, code, connection_level);
      if (connection_level) {
        amqp_connection_close_ok_t ok{};
        amqp_send_method(state_, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
      }
      // A channel.close has been answered by the caller, which knows the channel.
      throw AmqpError(std::string(what) + ": " + text, connection_level, code);
    }
  }
}

void Connection::answer_close(const amqp_frame_t& frame) {
  if (frame.frame_type != AMQP_FRAME_METHOD) return;
  if (frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD) {
    amqp_channel_close_ok_t ok{};
    amqp_send_method(state_, frame.channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
  } else if (frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD) {
    amqp_connection_close_ok_t ok{};
    amqp_send_method(state_, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
  }
}

namespace {

// channel_closed_ok acknowledges a server channel.close seen as an rpc reply.
void channel_close_ok(amqp_connection_state_t state, amqp_channel_t channel, const amqp_rpc_reply_t& reply) {
  if (reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION && reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
    amqp_channel_close_ok_t ok{};
    amqp_send_method(state, channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
  }
}

}  // namespace

#define HYPHA_AMQP_RPC(channel, call, what)             \
  do {                                                   \
    if ((call) == nullptr) {                             \
      amqp_rpc_reply_t reply_ = amqp_get_rpc_reply(state_); \
      channel_close_ok(state_, channel, reply_);         \
      check(reply_, what);                               \
    }                                                    \
  } while (0)

void Connection::open_channel(amqp_channel_t channel) {
  HYPHA_AMQP_RPC(channel, amqp_channel_open(state_, channel), "channel.open");
}

void Connection::confirm_select(amqp_channel_t channel) {
  HYPHA_AMQP_RPC(channel, amqp_confirm_select(state_, channel), "confirm.select");
}

void Connection::qos(amqp_channel_t channel, std::uint16_t prefetch) {
  HYPHA_AMQP_RPC(channel, amqp_basic_qos(state_, channel, 0, prefetch, 0), "basic.qos");
}

void Connection::declare_exchange(amqp_channel_t channel, const ExchangeSpec& e) {
  HYPHA_AMQP_RPC(channel,
                 amqp_exchange_declare(state_, channel, bytes(e.name), bytes(e.type), 0, e.durable ? 1 : 0,
                                       e.auto_delete ? 1 : 0, 0, amqp_empty_table),
                 "exchange.declare " + e.name);
}

// declare_queue declares a queue. A durable queue that another connection
// is declaring at the same moment (two instances of a service starting
// together) can be refused with 404 NOT_FOUND ("home node ... of durable
// queue ... is down or inaccessible") until the broker has made it: that
// refusal closes the channel, which is reopened for another try, a few
// times, a little later each time.
std::uint32_t Connection::declare_queue(amqp_channel_t channel, const QueueSpec& q) {
  Json args = Json::object();
  if (q.x_expires_ms > 0) args["x-expires"] = q.x_expires_ms;  // 'I': signed 32-bit, as py-amqp sends it
  FieldTable table(args);
  constexpr int kTries = 6;
  for (int tried = 1;; ++tried) {
    amqp_queue_declare_ok_t* ok = amqp_queue_declare(state_, channel, bytes(q.name), 0, q.durable ? 1 : 0,
                                                     q.exclusive ? 1 : 0, q.auto_delete ? 1 : 0, table.table());
    if (ok != nullptr) return ok->consumer_count;
    amqp_rpc_reply_t reply = amqp_get_rpc_reply(state_);
    channel_close_ok(state_, channel, reply);
    const bool not_found = reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION &&
                           reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD &&
                           static_cast<const amqp_channel_close_t*>(reply.reply.decoded)->reply_code == AMQP_NOT_FOUND;
    if (!not_found || tried == kTries) check(reply, "queue.declare " + q.name);
    log::warn("amqp: queue.declare {} refused with 404 (declared elsewhere at the same moment?): try {} of {}", q.name,
              tried + 1, kTries);
    std::this_thread::sleep_for(std::chrono::milliseconds(25 * tried));  // 25 ms, then 50, ... (375 ms in all)
    open_channel(channel);
  }
}

std::optional<QueueCounts> Connection::passive_declare(amqp_channel_t channel, std::string_view queue) {
  amqp_queue_declare_ok_t* ok = amqp_queue_declare(state_, channel, bytes(queue), 1, 0, 0, 0, amqp_empty_table);
  if (ok != nullptr) return QueueCounts{ok->message_count, ok->consumer_count};
  amqp_rpc_reply_t reply = amqp_get_rpc_reply(state_);
  channel_close_ok(state_, channel, reply);
  if (reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION && reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD &&
      static_cast<const amqp_channel_close_t*>(reply.reply.decoded)->reply_code == AMQP_NOT_FOUND) {
    return std::nullopt;
  }
  check(reply, "queue.declare (passive) " + std::string(queue));
  throw AmqpError("queue.declare (passive): unexpected reply", true);
}

void Connection::bind_queue(amqp_channel_t channel, std::string_view queue, std::string_view exchange,
                            std::string_view routing_key) {
  HYPHA_AMQP_RPC(channel,
                 amqp_queue_bind(state_, channel, bytes(queue), bytes(exchange), bytes(routing_key), amqp_empty_table),
                 "queue.bind " + std::string(queue));
}

void Connection::consume(amqp_channel_t channel, std::string_view queue, std::string_view tag, bool no_ack) {
  HYPHA_AMQP_RPC(channel,
                 amqp_basic_consume(state_, channel, bytes(queue), bytes(tag), 0, no_ack ? 1 : 0, 0, amqp_empty_table),
                 "basic.consume " + std::string(queue));
}

void Connection::cancel(amqp_channel_t channel, std::string_view tag) {
  HYPHA_AMQP_RPC(channel, amqp_basic_cancel(state_, channel, bytes(tag)), "basic.cancel");
}

#undef HYPHA_AMQP_RPC

void Connection::ack(amqp_channel_t channel, std::uint64_t tag, bool multiple) {
  check_status(amqp_basic_ack(state_, channel, tag, multiple ? 1 : 0), "basic.ack");
}

void Connection::reject(amqp_channel_t channel, std::uint64_t tag, bool requeue) {
  check_status(amqp_basic_reject(state_, channel, tag, requeue ? 1 : 0), "basic.reject");
}

void Connection::publish(amqp_channel_t channel, std::string_view exchange, std::string_view routing_key,
                         bool mandatory, const Message& m) {
  amqp_basic_properties_t props{};
  props._flags = AMQP_BASIC_HEADERS_FLAG;
  if (!m.content_type.empty()) {
    props._flags |= AMQP_BASIC_CONTENT_TYPE_FLAG;
    props.content_type = bytes(m.content_type);
  }
  if (!m.content_encoding.empty()) {
    props._flags |= AMQP_BASIC_CONTENT_ENCODING_FLAG;
    props.content_encoding = bytes(m.content_encoding);
  }
  if (m.delivery_mode) {
    props._flags |= AMQP_BASIC_DELIVERY_MODE_FLAG;
    props.delivery_mode = *m.delivery_mode;
  }
  if (m.priority) {
    props._flags |= AMQP_BASIC_PRIORITY_FLAG;
    props.priority = *m.priority;
  }
  if (m.correlation_id) {
    props._flags |= AMQP_BASIC_CORRELATION_ID_FLAG;
    props.correlation_id = bytes(*m.correlation_id);
  }
  if (m.reply_to) {
    props._flags |= AMQP_BASIC_REPLY_TO_FLAG;
    props.reply_to = bytes(*m.reply_to);
  }
  if (m.expiration) {
    props._flags |= AMQP_BASIC_EXPIRATION_FLAG;
    props.expiration = bytes(*m.expiration);
  }
  FieldTable headers(m.headers);
  props.headers = headers.table();
  check_status(amqp_basic_publish(state_, channel, bytes(exchange), bytes(routing_key), mandatory ? 1 : 0, 0, &props,
                                  bytes(m.body)),
               "basic.publish");
}

}  // namespace hypha::amqp
