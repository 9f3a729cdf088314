#include "amqp_test_support.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "field_table.hpp"
#include "hypha/core/context_data.hpp"

namespace hypha::amqp_test {
namespace {

std::string broker_dir() {
  if (const char* dir = std::getenv("HYPHA_AMQP_BROKER_DIR")) return dir;
  return HYPHA_AMQP_BROKER_DIR;
}

std::string run(const std::string& command) {
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
  std::string out;
  char buf[256];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
  if (::pclose(pipe) != 0) throw std::runtime_error("command failed: " + command + "\n" + out);
  return out;
}

}  // namespace

std::string broker_uri() {
  std::ifstream in(broker_dir() + "/uri");
  std::string uri;
  std::getline(in, uri);
  return uri;
}

std::string fresh_vhost_uri() {
  const std::string base = broker_uri();
  if (base.empty()) throw std::runtime_error("no test broker (run through ctest, which starts one)");
  const std::string claims = broker_dir() + "/claims";
  for (int i = 0; i < HYPHA_AMQP_VHOSTS; ++i) {
    const std::string claim = claims + "/" + std::to_string(i);
    int fd = ::open(claim.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
    if (fd >= 0) {
      ::close(fd);
      return base + "hypha-t" + std::to_string(i);
    }
  }
  // The pool is used up (a test binary run by hand many times): make one more.
  std::ostringstream prefix;
  prefix << "hypha-x" << ::getpid() << "-" << std::chrono::steady_clock::now().time_since_epoch().count() << "-";
  std::ostringstream command;
  command << HYPHA_AMQP_BROKER_SCRIPT << " add-vhosts " << broker_dir() << "/broker " << prefix.str() << " 1 2>&1";
  run(command.str());
  return base + prefix.str() + "0";
}

Config config_for(const std::string& uri, const Json& extra) {
  Json values = Json::object();
  values["AMQP_URI"] = uri;
  values["RPC_TIMEOUT"] = 10;
  values["AMQP_CONNECT_TIMEOUT"] = 10;
  values["EVENT_RETRY_DELAY_MS"] = 10;
  values["AMQP_SERVICE_CHECK_TTL_MS"] = 200;
  for (auto it = extra.begin(); it != extra.end(); ++it) values[it.key()] = *it;
  return Config(values, "<amqp test>");
}

Outcome call(Transport& transport, std::string_view service, std::string_view method, Json args, Json kwargs,
             std::optional<std::chrono::milliseconds> timeout, const ContextData& context) {
  Invocation inv;
  inv.args = std::move(args);
  inv.kwargs = std::move(kwargs);
  return transport.call(service, method, std::move(inv), context, CallOptions{timeout});
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

RawClient::RawClient(const std::string& uri) {
  connection_.open(amqp::ConnectionParams::parse(uri), 0, 10s, "hypha test client");
  connection_.open_channel(1);
  connection_.open_channel(2);
}

RawClient::~RawClient() { connection_.close(); }

void RawClient::declare_exchange(const amqp::ExchangeSpec& exchange) { connection_.declare_exchange(2, exchange); }
void RawClient::declare_queue(const amqp::QueueSpec& queue) { connection_.declare_queue(2, queue); }
void RawClient::bind(const std::string& queue, const std::string& exchange, const std::string& routing_key) {
  connection_.bind_queue(2, queue, exchange, routing_key);
}

std::string RawClient::sniff(const std::vector<std::string>& exchanges) {
  const std::string queue = "sniffer-" + std::to_string(::getpid()) + "-" + std::to_string(++sniffers_);
  declare_queue(amqp::QueueSpec{queue, false, true, true, 0});
  for (const auto& exchange : exchanges) bind(queue, exchange, "#");
  consume(queue);
  return queue;
}

void RawClient::consume(const std::string& queue) {
  if (amqp_basic_consume(connection_.state(), 1, amqp::bytes(queue), amqp_empty_bytes, 0, 1, 0, amqp_empty_table) ==
      nullptr) {
    connection_.check(amqp_get_rpc_reply(connection_.state()), "basic.consume");
  }
}

void RawClient::publish(const std::string& exchange, const std::string& routing_key, const amqp::Message& message,
                        bool mandatory) {
  connection_.publish(2, exchange, routing_key, mandatory, message);
}

std::optional<RawDelivery> RawClient::next(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    timeval tv{static_cast<time_t>(left.count() / 1000000), static_cast<suseconds_t>(left.count() % 1000000)};
    amqp_maybe_release_buffers(connection_.state());
    amqp_envelope_t envelope;
    amqp_rpc_reply_t reply = amqp_consume_message(connection_.state(), &envelope, &tv, 0);
    if (reply.reply_type == AMQP_RESPONSE_NORMAL) {
      RawDelivery d;
      d.exchange = amqp::to_string(envelope.exchange);
      d.routing_key = amqp::to_string(envelope.routing_key);
      const auto& p = envelope.message.properties;
      d.message = amqp::to_message(p, envelope.message.body);
      d.has_content_type = p._flags & AMQP_BASIC_CONTENT_TYPE_FLAG;
      d.has_content_encoding = p._flags & AMQP_BASIC_CONTENT_ENCODING_FLAG;
      d.has_headers = p._flags & AMQP_BASIC_HEADERS_FLAG;
      d.has_delivery_mode = p._flags & AMQP_BASIC_DELIVERY_MODE_FLAG;
      d.has_priority = p._flags & AMQP_BASIC_PRIORITY_FLAG;
      d.has_correlation_id = p._flags & AMQP_BASIC_CORRELATION_ID_FLAG;
      d.has_reply_to = p._flags & AMQP_BASIC_REPLY_TO_FLAG;
      d.has_expiration = p._flags & AMQP_BASIC_EXPIRATION_FLAG;
      d.has_other_properties =
          p._flags & (AMQP_BASIC_MESSAGE_ID_FLAG | AMQP_BASIC_TIMESTAMP_FLAG | AMQP_BASIC_TYPE_FLAG |
                      AMQP_BASIC_USER_ID_FLAG | AMQP_BASIC_APP_ID_FLAG | AMQP_BASIC_CLUSTER_ID_FLAG);
      amqp_destroy_envelope(&envelope);
      return d;
    }
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && reply.library_error == AMQP_STATUS_TIMEOUT) {
      return std::nullopt;
    }
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && reply.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
      amqp_frame_t frame;
      timeval zero{0, 0};
      amqp_simple_wait_frame_noblock(connection_.state(), &frame, &zero);  // basic.return, acks: not of interest
      if (frame.frame_type == AMQP_FRAME_METHOD && frame.payload.method.id == AMQP_BASIC_RETURN_METHOD) {
        amqp_message_t content;
        amqp_read_message(connection_.state(), frame.channel, &content, 0);
        amqp_destroy_message(&content);
      }
      continue;
    }
    connection_.check(reply, "consuming");
  }
}

// queue_counts: nullopt for a missing queue (whose 404 closed channel 2: reopened).
std::optional<amqp::QueueCounts> RawClient::queue_counts(const std::string& queue) {
  auto counts = connection_.passive_declare(2, queue);
  if (!counts) connection_.open_channel(2);
  return counts;
}

std::optional<std::uint32_t> RawClient::message_count(const std::string& queue) {
  auto counts = queue_counts(queue);
  return counts ? std::optional<std::uint32_t>(counts->messages) : std::nullopt;
}

std::optional<std::uint32_t> RawClient::consumer_count(const std::string& queue) {
  auto counts = queue_counts(queue);
  return counts ? std::optional<std::uint32_t>(counts->consumers) : std::nullopt;
}

NamekoCaller::NamekoCaller(const std::string& uri) : raw_(uri), uuid_(new_uuid4()) {
  const amqp::QueueSpec queue = amqp::reply_queue("standalone_rpc_proxy", uuid_);
  raw_.declare_exchange(amqp::rpc_exchange());
  raw_.declare_queue(queue);
  raw_.bind(queue.name, "nameko-rpc", uuid_);
  raw_.consume(queue.name);
}

amqp::Message NamekoCaller::request(std::string body, const std::string& correlation_id, Json headers) const {
  amqp::Message m;
  m.body = std::move(body);
  m.content_type = "application/json";
  m.content_encoding = "utf-8";
  m.delivery_mode = 2;
  m.priority = 0;
  m.correlation_id = correlation_id;
  m.reply_to = uuid_;
  m.headers = std::move(headers);
  return m;
}

void NamekoCaller::send(const std::string& routing_key, const amqp::Message& message) {
  raw_.publish("nameko-rpc", routing_key, message, true);
}

}  // namespace hypha::amqp_test
