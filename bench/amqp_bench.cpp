// AMQP transport benchmarks (issue 6), on the broker named by AMQP_URI
// (bench/run.sh starts a private one on 127.0.0.1). Without AMQP_URI the
// binary prints why and runs nothing.
//
// Hypha over AMQP (a service served by one AmqpTransport, called through a
// second one, as two processes would; max_workers 64):
//   AmqpRpc              sequential RPC round trips, arg {"x": 1, "s": "hello"}
//   AmqpRpc/threads:64   64 threads calling at once (64 in flight, another way)
//   AmqpRpcInFlight64    one thread keeping 64 call_async calls in flight
//   AmqpEvent            events dispatched to one handler, in batches of 100,
//                        each timed until every event was handled; from one
//                        thread, and from 16 (confirms pipelined)
//   AmqpEventBatch       the same from one thread, each batch of 100 handed to
//                        dispatch_all_settled (the outbox relay's way)
// BENCH_CALLERS=N sets AMQP_CALLER_CONNECTIONS (0: blocking calls take the
// shared path, as before 2026-12-02 evening; see performance.md).
// Raw rabbitmq-c on the same broker, the ceiling. Same message settings as
// Nameko (and Hypha): persistent (delivery_mode 2) JSON messages on durable
// queues, publisher confirms on both the request and the reply; the replier
// acks a request only once its reply is confirmed.
//   RawAmqpRequestReply  publish a request, wait for its confirm and its reply
//   RawAmqpPipelined64   64 requests outstanding (confirms pipelined)
//   RawAmqpEventBatch    batches of 100 persistent events to a topic exchange,
//                        confirms pipelined, timed until consumed and acked
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <iterator>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_set>

#include "hypha/core/runner.hpp"
#include "hypha/dependencies/rpc_proxy.hpp"
#include "hypha/transport/amqp.hpp"
#include "in_flight.hpp"

namespace {

using hypha::Json;

std::string amqp_uri() {
  const char* uri = std::getenv("AMQP_URI");
  return uri == nullptr ? std::string() : std::string(uri);
}

// ---------------------------------------------------------------- Hypha ----

struct Point {
  int x = 0;
  std::string s;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Point, x, s)

std::atomic<std::int64_t> handled{0};

class BenchTarget {
 public:
  static constexpr std::string_view name = "bench_target";
  static void define(hypha::ServiceSpec<BenchTarget>& s) {
    s.rpc("echo", &BenchTarget::echo, {.params = {"point"}});
    s.event_handler("on_ping", &BenchTarget::on_ping, {.source = "bench_source", .event_type = "ping"});
  }
  Point echo(Point p) {
    p.x += 1;
    return p;
  }
  void on_ping(const Json&) { handled.fetch_add(1, std::memory_order_relaxed); }
};

hypha::Config hypha_config() {
  hypha::Config config;
  config.set("AMQP_URI", amqp_uri());
  config.set("max_workers", 64);
  if (const char* c = std::getenv("BENCH_CALLERS")) config.set("AMQP_CALLER_CONNECTIONS", std::atoi(c));
  return config;
}

std::unique_ptr<hypha::ServiceRunner> server_instance;
std::unique_ptr<hypha::AmqpTransport> client_instance;

std::mutex instances_mutex;

hypha::ServiceRunner& server() {
  std::lock_guard lock(instances_mutex);
  if (!server_instance) {
    server_instance = std::make_unique<hypha::ServiceRunner>(hypha_config());
    server_instance->add_service<BenchTarget>();
    server_instance->start();
  }
  return *server_instance;
}

// The calling side: a transport of its own, like a separate process.
hypha::AmqpTransport& client() {
  server();
  std::lock_guard lock(instances_mutex);
  if (!client_instance) {
    client_instance = std::make_unique<hypha::AmqpTransport>(hypha_config());
    client_instance->start();
  }
  return *client_instance;
}

hypha::ContextData caller_context() {
  hypha::ContextData context;
  context.call_id_stack.push_back(hypha::new_call_id("bench", "caller"));
  return context;
}

void AmqpRpc(benchmark::State& state) {
  const hypha::ContextData context = caller_context();
  hypha::RpcProxy proxy(&client(), "bench_target", &context);
  proxy.call("echo", Json{{"x", 1}, {"s", "hello"}});  // warm: reply queue, service check
  for (auto _ : state) {
    Json result = proxy.call("echo", Json{{"x", 1}, {"s", "hello"}});
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}

void AmqpRpcInFlight64(benchmark::State& state) {
  const hypha::ContextData context = caller_context();
  hypha::RpcProxy proxy(&client(), "bench_target", &context);
  proxy.call("echo", Json{{"x", 1}, {"s", "hello"}});
  hypha::bench::keep_in_flight(state, proxy, 64, "echo", Json{{"x", 1}, {"s", "hello"}});
}

std::atomic<std::int64_t> dispatched{0};

// wait_until_handled polls (the handler runs on another transport's threads)
// until `expected` events were handled in all, or fails the benchmark after 60 s.
void wait_until_handled(benchmark::State& state, std::int64_t expected) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (handled.load() < expected) {
    if (std::chrono::steady_clock::now() > deadline) {
      state.SkipWithError("events not all handled within 60 s");
      return;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
}

// AmqpEvent times delivery, not only dispatch: each iteration dispatches a
// batch (each dispatch waits for its broker confirm) and waits until the
// handler has seen every event dispatched so far. With several threads the
// confirms of their publishes are pipelined on the shared publishers.
void AmqpEvent(benchmark::State& state) {
  constexpr int kBatch = 100;
  const hypha::ContextData context = caller_context();
  auto& transport = client();
  if (state.thread_index() == 0) {
    // The handler's queue exists once the server started; one event to warm up.
    const std::int64_t before = handled.load();
    transport.dispatch("bench_source", "ping", Json{{"x", 1}, {"s", "hello"}}, context);
    dispatched.fetch_add(1);
    while (handled.load() - before < 1) std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  for (auto _ : state) {
    for (int i = 0; i < kBatch; ++i) {
      transport.dispatch("bench_source", "ping", Json{{"x", 1}, {"s", "hello"}}, context);
    }
    wait_until_handled(state, dispatched.fetch_add(kBatch) + kBatch);
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}

// AmqpEventBatch: the same, from one thread, each batch of 100 handed over at
// once with dispatch_all_settled (what the transactional outbox's relay does):
// 100 publishes, then one wait for their confirms.
void AmqpEventBatch(benchmark::State& state) {
  constexpr int kBatch = 100;
  const hypha::ContextData context = caller_context();
  auto& transport = client();
  for (auto _ : state) {
    std::vector<hypha::EventPublisher::EventToDispatch> batch;
    batch.reserve(kBatch);
    for (int i = 0; i < kBatch; ++i) batch.push_back({"bench_source", "ping", Json{{"x", 1}, {"s", "hello"}}, &context, {}});
    transport.dispatch_all_settled(std::move(batch));
    wait_until_handled(state, dispatched.fetch_add(kBatch) + kBatch);
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}

// ------------------------------------------------------------ raw rabbitmq-c ----

constexpr amqp_channel_t kChannel = 1;

amqp_bytes_t bytes(const std::string& s) { return amqp_bytes_t{s.size(), const_cast<char*>(s.data())}; }

void die_on(amqp_rpc_reply_t reply, const char* what) {
  if (reply.reply_type != AMQP_RESPONSE_NORMAL) throw std::runtime_error(std::string("raw amqp: ") + what + " failed");
}

// RawConnection: one rabbitmq-c connection, channel 1 in confirm mode, prefetch 64.
class RawConnection {
 public:
  explicit RawConnection(const std::string& uri) {
    std::string copy = uri;
    amqp_connection_info info;
    amqp_default_connection_info(&info);
    if (amqp_parse_url(copy.data(), &info) != AMQP_STATUS_OK) throw std::runtime_error("raw amqp: bad AMQP_URI");
    if (info.vhost == nullptr || info.vhost[0] == '\0') info.vhost = const_cast<char*>("/");  // as Hypha reads ".../"
    state_ = amqp_new_connection();
    amqp_socket_t* socket = amqp_tcp_socket_new(state_);
    if (socket == nullptr || amqp_socket_open(socket, info.host, info.port) != AMQP_STATUS_OK) {
      throw std::runtime_error("raw amqp: cannot connect");
    }
    die_on(amqp_login(state_, info.vhost, 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, info.user, info.password), "login");
    amqp_channel_open(state_, kChannel);
    die_on(amqp_get_rpc_reply(state_), "channel.open");
    amqp_confirm_select(state_, kChannel);
    die_on(amqp_get_rpc_reply(state_), "confirm.select");
    amqp_basic_qos(state_, kChannel, 0, 64, 0);
    die_on(amqp_get_rpc_reply(state_), "basic.qos");
  }
  ~RawConnection() {
    amqp_channel_close(state_, kChannel, AMQP_REPLY_SUCCESS);
    amqp_connection_close(state_, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(state_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  amqp_connection_state_t state() const { return state_; }

  void declare_queue(const std::string& name) {  // durable, as Nameko's rpc-<svc> queues
    amqp_queue_declare(state_, kChannel, bytes(name), 0, 1, 0, 0, amqp_empty_table);
    die_on(amqp_get_rpc_reply(state_), "queue.declare");
  }
  void delete_queue(const std::string& name) {
    amqp_queue_delete(state_, kChannel, bytes(name), 0, 0);
    die_on(amqp_get_rpc_reply(state_), "queue.delete");
  }
  void consume(const std::string& queue) {  // manual acks
    amqp_basic_consume(state_, kChannel, bytes(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
    die_on(amqp_get_rpc_reply(state_), "basic.consume");
  }
  void declare_topic_exchange(const std::string& name) {  // durable, as Nameko's <service>.events
    amqp_exchange_declare(state_, kChannel, bytes(name), amqp_cstring_bytes("topic"), 0, 1, 0, 0, amqp_empty_table);
    die_on(amqp_get_rpc_reply(state_), "exchange.declare");
  }
  void delete_exchange(const std::string& name) {
    amqp_exchange_delete(state_, kChannel, bytes(name), 0);
    die_on(amqp_get_rpc_reply(state_), "exchange.delete");
  }
  void bind(const std::string& queue, const std::string& exchange, const std::string& routing_key) {
    amqp_queue_bind(state_, kChannel, bytes(queue), bytes(exchange), bytes(routing_key), amqp_empty_table);
    die_on(amqp_get_rpc_reply(state_), "queue.bind");
  }
  // publish: persistent JSON to the default exchange; returns the confirm sequence number.
  std::uint64_t publish(const std::string& queue, const std::string& body, const std::string* reply_to,
                        const std::string& correlation_id) {
    return publish_to("", queue, body, reply_to, correlation_id);
  }
  std::uint64_t publish_to(const std::string& exchange, const std::string& routing_key, const std::string& body,
                           const std::string* reply_to, const std::string& correlation_id) {
    amqp_basic_properties_t props{};
    props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_CONTENT_ENCODING_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG |
                   AMQP_BASIC_PRIORITY_FLAG;
    props.content_type = amqp_cstring_bytes("application/json");
    props.content_encoding = amqp_cstring_bytes("utf-8");
    props.delivery_mode = 2;
    props.priority = 0;
    if (!correlation_id.empty()) {  // events have none
      props._flags |= AMQP_BASIC_CORRELATION_ID_FLAG;
      props.correlation_id = bytes(correlation_id);
    }
    if (reply_to != nullptr) {
      props._flags |= AMQP_BASIC_REPLY_TO_FLAG;
      props.reply_to = bytes(*reply_to);
    }
    if (amqp_basic_publish(state_, kChannel, bytes(exchange), bytes(routing_key), 0, 0, &props, bytes(body)) !=
        AMQP_STATUS_OK) {
      throw std::runtime_error("raw amqp: basic.publish failed");
    }
    return ++published_;
  }
  void ack(std::uint64_t tag) {
    if (amqp_basic_ack(state_, kChannel, tag, 0) != AMQP_STATUS_OK) throw std::runtime_error("raw amqp: ack failed");
  }

  // Event is what next() read: a delivery, or a confirm (up to and including `confirmed`).
  struct Event {
    bool delivery = false;
    bool timeout = false;
    std::uint64_t delivery_tag = 0;
    std::string reply_to;
    std::string correlation_id;
    std::uint64_t confirmed = 0;
    bool multiple = false;
  };
  Event next(timeval* timeout) {
    Event event;
    amqp_maybe_release_buffers(state_);
    amqp_envelope_t envelope;
    amqp_rpc_reply_t reply = amqp_consume_message(state_, &envelope, timeout, 0);
    if (reply.reply_type == AMQP_RESPONSE_NORMAL) {
      event.delivery = true;
      event.delivery_tag = envelope.delivery_tag;
      const auto& p = envelope.message.properties;
      if (p._flags & AMQP_BASIC_REPLY_TO_FLAG) {
        event.reply_to.assign(static_cast<const char*>(p.reply_to.bytes), p.reply_to.len);
      }
      if (p._flags & AMQP_BASIC_CORRELATION_ID_FLAG) {
        event.correlation_id.assign(static_cast<const char*>(p.correlation_id.bytes), p.correlation_id.len);
      }
      amqp_destroy_envelope(&envelope);
      return event;
    }
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && reply.library_error == AMQP_STATUS_TIMEOUT) {
      event.timeout = true;
      return event;
    }
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && reply.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
      amqp_frame_t frame;
      if (amqp_simple_wait_frame(state_, &frame) != AMQP_STATUS_OK) throw std::runtime_error("raw amqp: read failed");
      if (frame.frame_type == AMQP_FRAME_METHOD && frame.payload.method.id == AMQP_BASIC_ACK_METHOD) {
        const auto* ack = static_cast<const amqp_basic_ack_t*>(frame.payload.method.decoded);
        event.confirmed = ack->delivery_tag;
        event.multiple = ack->multiple != 0;
        return event;
      }
      if (frame.frame_type == AMQP_FRAME_METHOD && frame.payload.method.id == AMQP_BASIC_NACK_METHOD) {
        throw std::runtime_error("raw amqp: basic.nack");
      }
      if (frame.frame_type == AMQP_FRAME_METHOD &&
          (frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD ||
           frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD)) {
        throw std::runtime_error("raw amqp: the broker closed the channel");
      }
      return event;  // something else (e.g. a heartbeat): nothing to do
    }
    throw std::runtime_error("raw amqp: consume failed");
  }

 private:
  amqp_connection_state_t state_ = nullptr;
  std::uint64_t published_ = 0;
};

// ConfirmTracker: publishes confirmed so far (acks may be `multiple`).
class ConfirmTracker {
 public:
  // confirm records an ack; returns the sequence numbers newly confirmed as [from, to].
  std::pair<std::uint64_t, std::uint64_t> confirm(std::uint64_t tag, bool multiple) {
    if (multiple) {
      const std::uint64_t from = upto_ + 1;
      if (tag > upto_) upto_ = tag;
      drain();
      return {from, tag};
    }
    singles_.insert(tag);
    const std::uint64_t from = tag;
    drain();
    return {from, tag};
  }
  bool confirmed(std::uint64_t seq) const { return seq <= upto_ || singles_.count(seq) != 0; }

 private:
  void drain() {
    while (singles_.erase(upto_ + 1) != 0) ++upto_;
    for (auto it = singles_.begin(); it != singles_.end();) it = *it <= upto_ ? singles_.erase(it) : std::next(it);
  }
  std::uint64_t upto_ = 0;
  std::unordered_set<std::uint64_t> singles_;
};

// RawReplier: its own connection and thread. Consumes the request queue
// (manual acks, prefetch 64), publishes each reply (persistent, confirmed)
// to the request's reply_to queue, and acks a request once its reply is confirmed.
class RawReplier {
 public:
  RawReplier(const std::string& uri, std::string queue) : connection_(uri), queue_(std::move(queue)) {
    connection_.declare_queue(queue_);
    connection_.consume(queue_);
    thread_ = std::thread([this] { run(); });
  }
  ~RawReplier() {
    stop_ = true;
    thread_.join();
  }

 private:
  void run() {
    std::deque<std::pair<std::uint64_t, std::uint64_t>> pending;  // (reply sequence, request delivery tag)
    ConfirmTracker confirms;
    while (!stop_) {
      timeval tv{0, 50000};
      auto event = connection_.next(&tv);
      if (event.delivery) {
        const std::string body = R"({"result": {"x": 2, "s": "hello"}, "error": null})";
        pending.emplace_back(connection_.publish(event.reply_to, body, nullptr, event.correlation_id),
                             event.delivery_tag);
      } else if (event.confirmed != 0) {
        confirms.confirm(event.confirmed, event.multiple);
        while (!pending.empty() && confirms.confirmed(pending.front().first)) {
          connection_.ack(pending.front().second);
          pending.pop_front();
        }
      }
    }
  }

  RawConnection connection_;
  std::string queue_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// RawRequester: request queue + reply queue; `window` requests outstanding.
void raw_request_reply(benchmark::State& state, std::size_t window) {
  const std::string uri = amqp_uri();
  const std::string tag = std::to_string(::getpid()) + "-" + std::to_string(window);
  const std::string request_queue = "raw-bench-requests-" + tag;
  const std::string reply_queue = "raw-bench-replies-" + tag;
  RawConnection requester(uri);
  requester.declare_queue(reply_queue);
  auto replier = std::make_unique<RawReplier>(uri, request_queue);
  requester.consume(reply_queue);
  const std::string body = R"({"args": [{"x": 1, "s": "hello"}], "kwargs": {}})";

  ConfirmTracker confirms;
  std::deque<std::uint64_t> unconfirmed;  // sequence numbers of requests not yet confirmed
  std::size_t outstanding = 0;            // requests whose reply has not come
  std::uint64_t correlation = 0;
  auto send = [&] {
    unconfirmed.push_back(requester.publish(request_queue, body, &reply_queue, std::to_string(++correlation)));
    ++outstanding;
  };
  // wait_one reads until one reply has come; the request's confirm is tracked on the way.
  auto wait_one = [&] {
    for (;;) {
      auto event = requester.next(nullptr);
      if (event.delivery) {
        requester.ack(event.delivery_tag);
        --outstanding;
        return;
      }
      if (event.confirmed != 0) {
        confirms.confirm(event.confirmed, event.multiple);
        while (!unconfirmed.empty() && confirms.confirmed(unconfirmed.front())) unconfirmed.pop_front();
      }
    }
  };
  for (auto _ : state) {
    send();
    if (window == 1) {
      // Sequential: the request's confirm and its reply, both, before the next.
      wait_one();
      while (!unconfirmed.empty()) {
        auto event = requester.next(nullptr);
        if (event.confirmed != 0) {
          confirms.confirm(event.confirmed, event.multiple);
          while (!unconfirmed.empty() && confirms.confirmed(unconfirmed.front())) unconfirmed.pop_front();
        }
      }
    } else if (outstanding >= window) {
      wait_one();
    }
  }
  while (outstanding > 0) wait_one();
  state.SetItemsProcessed(state.iterations());
  replier.reset();
  requester.delete_queue(request_queue);
  requester.delete_queue(reply_queue);
}

void RawAmqpRequestReply(benchmark::State& state) { raw_request_reply(state, 1); }

void RawAmqpPipelined64(benchmark::State& state) { raw_request_reply(state, 64); }

// RawEventConsumer: its own connection and thread; consumes a queue (manual
// acks, prefetch 64) and acks each delivery, counting them.
class RawEventConsumer {
 public:
  RawEventConsumer(const std::string& uri, const std::string& queue) : connection_(uri) {
    connection_.consume(queue);
    thread_ = std::thread([this] { run(); });
  }
  ~RawEventConsumer() {
    stop_ = true;
    thread_.join();
  }
  std::int64_t consumed() const { return consumed_.load(); }

 private:
  void run() {
    while (!stop_) {
      timeval tv{0, 50000};
      auto event = connection_.next(&tv);
      if (!event.delivery) continue;
      connection_.ack(event.delivery_tag);
      consumed_.fetch_add(1);
    }
  }
  RawConnection connection_;
  std::atomic<bool> stop_{false};
  std::atomic<std::int64_t> consumed_{0};
  std::thread thread_;
};

// RawAmqpEventBatch: the ceiling for AmqpEventBatch. Batches of 100 persistent
// events to a durable topic exchange (as `<service>.events`), confirms
// pipelined (100 publishes, then their confirms), each batch timed until the
// consumer has acked it.
void RawAmqpEventBatch(benchmark::State& state) {
  constexpr int kBatch = 100;
  const std::string uri = amqp_uri();
  const std::string tag = std::to_string(::getpid());
  const std::string exchange = "raw-bench-" + tag + ".events";
  const std::string queue = "raw-bench-events-" + tag;
  RawConnection publisher(uri);
  publisher.declare_topic_exchange(exchange);
  publisher.declare_queue(queue);
  publisher.bind(queue, exchange, "ping");
  auto consumer = std::make_unique<RawEventConsumer>(uri, queue);
  const std::string body = R"({"x": 1, "s": "hello"})";
  ConfirmTracker confirms;
  std::uint64_t last = 0;
  std::int64_t sent = 0;
  for (auto _ : state) {
    for (int i = 0; i < kBatch; ++i) last = publisher.publish_to(exchange, "ping", body, nullptr, "");
    sent += kBatch;
    while (!confirms.confirmed(last)) {
      auto event = publisher.next(nullptr);
      if (event.confirmed != 0) confirms.confirm(event.confirmed, event.multiple);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (consumer->consumed() < sent) {
      if (std::chrono::steady_clock::now() > deadline) {
        state.SkipWithError("raw events not all consumed within 60 s");
        break;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  consumer.reset();
  publisher.delete_queue(queue);
  publisher.delete_exchange(exchange);
}

// Each Hypha benchmark runs right beside its raw ceiling, so that the ratio
// compares two runs of the same moment (this VM's speed drifts by minutes).
BENCHMARK(AmqpRpc)->UseRealTime();
BENCHMARK(RawAmqpRequestReply)->UseRealTime();
BENCHMARK(AmqpRpcInFlight64)->UseRealTime();
BENCHMARK(RawAmqpPipelined64)->UseRealTime();
BENCHMARK(AmqpRpc)->Threads(64)->UseRealTime();
BENCHMARK(AmqpEvent)->UseRealTime();
BENCHMARK(AmqpEvent)->Threads(16)->UseRealTime();
BENCHMARK(AmqpEventBatch)->UseRealTime();
BENCHMARK(RawAmqpEventBatch)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  if (amqp_uri().empty()) {
    std::printf("amqp_bench: AMQP_URI is not set; skipping the AMQP benchmarks "
                "(bench/run.sh starts a private broker on 127.0.0.1 and sets it)\n");
    return 0;
  }
  hypha::enable_amqp_transport();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  // Stop Hypha's threads before static destruction.
  if (client_instance) client_instance->stop();
  client_instance.reset();
  if (server_instance) server_instance->stop();
  server_instance.reset();
  return 0;
}
