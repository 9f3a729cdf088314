// File: amqp.hpp
//
// AmqpTransport carries RPC and events over RabbitMQ with Nameko 2.x's wire
// protocol (docs: nameko-wire.md), so Hypha services, Python Nameko services,
// `nameko shell` and standalone proxies call each other and share events.
//
// A program enables it once at startup; from then on a config with AMQP_URI
// runs over RabbitMQ, without code changes:
//
//   int main() {
//     hypha::enable_amqp_transport();
//     hypha::ServiceRunner runner(hypha::Config::load_file("config.yaml"));
//     runner.add_service<Greeter>();
//     runner.start();
//     return runner.wait_for_signal();
//   }
//
// Config keys (others are ignored here):
// | key                         | type        | default    | meaning                                              |
// |-----------------------------|-------------|------------|------------------------------------------------------|
// | AMQP_URI                    | string      | (required) | amqp://user:pass@host:port/vhost, amqps:// for TLS   |
// | AMQP_SSL                    | bool/object | (none)     | TLS options: ca_certs, certfile, keyfile, cert_reqs  |
// |                             |             |            | (0 or "CERT_NONE": no verification), check_hostname  |
// | HEARTBEAT                   | int         | 60         | consumer connection heartbeat, seconds (0: off)      |
// | max_workers                 | int         | 10         | prefetch per consumer (0 means 10, as in Nameko)     |
// | rpc_exchange                | string      | nameko-rpc | the RPC exchange                                     |
// | serializer                  | string      | json       | only json; anything else is a ConfigurationError     |
// | RPC_TIMEOUT                 | number      | 30         | default call deadline, seconds (0: none);            |
// |                             |             |            | CallOptions.timeout overrides it                     |
// | RPC_EXPIRE_REQUESTS         | bool        | false      | give requests an `expiration` a little shorter than  |
// |                             |             |            | their deadline (a tenth, at most 50 ms), so that the |
// |                             |             |            | broker drops work its caller gave up on              |
// | AUTO_DELETE_EVENT_EXCHANGES | bool        | false      | declare `<svc>.events` auto-delete (Nameko < 2.13)   |
// | DECLARE_EVENT_EXCHANGES     | bool        | true       | false: never declare event exchanges, only bind      |
// | EVENT_RETRY_DELAY_MS        | int         | 100        | first retry delay of a failed event; then doubling   |
// | AMQP_CONNECT_TIMEOUT        | number      | 10         | seconds to wait for the broker when starting a       |
// |                             |             |            | consumer or opening a connection                     |
// | AMQP_SERVICE_CHECK_TTL_MS   | int         | 1000       | how long "rpc-<svc> has consumers" is trusted        |
// | AMQP_PUBLISHER_CONNECTIONS  | int         | 2          | publisher connections in confirm mode                |
// | AMQP_CALLER_CONNECTIONS     | int         | 8          | while at most this many blocking calls are in        |
// |                             |             |            | flight, each runs on a connection of its own; more   |
// |                             |             |            | take the shared path (0: every call does)            |
//
// Design. One consumer connection with its own I/O thread per transport carries
// every consumer (the rpc-<svc> queues served, the event handler queues, and
// the transport's reply queue) on one channel, with manual acks and basic.qos
// prefetch = max_workers; declarations go on a second channel. Publishing uses
// a small pool of separate connections in confirm mode (confirm.select). Many
// threads publish on one connection, under its lock, with their confirms
// outstanding at once (confirms are pipelined). Requests and replies do not
// wait for their confirms: a reader thread per publisher connection reads the
// broker's acks and completes them (a request's error ends its call; a reply's
// confirm acks the request it answers). A thread that must wait (an event's
// dispatch) reads the acks itself when that reader does not. rabbitmq-c is not
// thread-safe, so a connection is only ever used under its lock.
// rabbitmq-c sends heartbeats only when called, so the consumer's I/O thread
// wakes at least four times per HEARTBEAT interval; a silent broker is noticed
// after about two intervals.
// After a connection loss or broker restart the consumer connection comes back
// with backoff, declares its topology again and resumes every consumer, without
// a process restart; publishers reconnect on their next use.
//
// RPC (client): while at most AMQP_CALLER_CONNECTIONS blocking calls are in
// flight, each runs on a connection lent to its thread for the call (kept
// between calls):
// the thread publishes the request and reads its confirm, a basic.return and
// the reply itself, from a reply queue of that connection's own, as a plain
// rabbitmq-c client or Nameko's standalone proxy does; no other thread is
// woken. call_async, and blocking calls when more are in flight, take the
// shared path, whose confirms and acks are shared by the calls in flight
// (64 threads calling, each on a connection of its own, did ~15% fewer calls
// per second): one reply queue per transport, `rpc.reply-<owner>-<uuid>`
// (owner: the first service this transport serves, else standalone_rpc_proxy;
// durable, x-expires 300000), bound to nameko-rpc with key <uuid>; requests go
// out mandatory with reply_to = <uuid> and a fresh correlation_id. A
// correlation table maps ids to waiting calls; each call has a real deadline
// (RpcTimeout). UnknownService when the broker returns the request (312
// NO_ROUTE), and also, without publishing, when `rpc-<svc>` does not exist or
// has no consumers (a passive queue.declare; a positive answer is cached for
// AMQP_SERVICE_CHECK_TTL_MS), so calls to a stopped service fail fast. While a
// call waits, its service is checked again every AMQP_SERVICE_CHECK_TTL_MS, so
// a call sent just before the service stopped ends with UnknownService too.
//
// RPC (server): `rpc-<svc>` bound with `<svc>.*`; the method is the routing
// key's last part. The reply goes to nameko-rpc with routing key = reply_to,
// and the request is acked only once the reply publish is confirmed. A
// malformed request (bad JSON, no args/kwargs, wrong content type, unknown
// method, wrong argument types) gets Nameko's error reply (MalformedRequest,
// MethodNotFound, IncorrectSignature) when it has reply_to, and is otherwise
// rejected without requeue and logged; the service never stops for it.
//
// Events: exchange `<src>.events` (durable topic), routing key = event type;
// queues per handler type exactly as Nameko names them. A handler that fails
// is retried: the message is republished to its own queue with header
// `x-hypha-retries` incremented (after EVENT_RETRY_DELAY_MS, doubling), and
// after max_retries it moves to `<queue>.dlq` (declared durable) with
// `x-hypha-error` saying why and `x-hypha-exchange`/`x-hypha-routing-key`
// saying where it was first published; it is never requeued in a loop.
// Event exchanges are declared at the setup of a container with an event
// dispatcher (as Nameko does; DECLARE_EVENT_EXCHANGES), else on the first
// dispatch, and by every handler's subscription. dispatch_all_settled (the
// transactional outbox's relay) publishes a batch of events before it waits
// for their confirms.
//
// Context: every ContextData key travels as header `nameko.<key>`
// (call_id_stack as an array of strings); incoming headers become context data
// with `nameko.` stripped. JSON is kombu's: ", " / ": " separators and \uXXXX
// escapes on output; NaN/Infinity and kombu 5.3 {"__type__", "__value__"}
// envelopes accepted on input.
//
// stop(): consumers are cancelled, deliveries in flight are settled (up to
// 15 s), then connections close; calls still waiting get an error.
#pragma once

#include <cstddef>
#include <memory>

#include "hypha/core/config.hpp"
#include "hypha/transport/transport.hpp"

namespace hypha {

/// enable_amqp_transport registers the AMQP transport with the Runtime, so that
/// a config with AMQP_URI uses it. Call once at startup, before creating any
/// Runtime or ServiceRunner. Idempotent and thread-safe.
void enable_amqp_transport();

/// AmqpTransport is the Transport over RabbitMQ. Thread-safe. Building one
/// checks the config (ConfigurationError) but does not connect; start() (or
/// the first use) does.
class AmqpTransport : public Transport {
 public:
  explicit AmqpTransport(const Config& config);
  ~AmqpTransport() override;

  Outcome call(std::string_view service, std::string_view method, Invocation&& inv, const ContextData& context,
               const CallOptions& options) override;
  RpcFuture call_async(std::string_view service, std::string_view method, Invocation inv,
                       const ContextData& context, const CallOptions& options) override;
  void dispatch(std::string_view source, std::string_view event_type, Json payload,
                const ContextData& context) override;
  void dispatch_all_settled(std::vector<EventToDispatch> events) override;
  void prepare_dispatch(std::string_view source) noexcept override;

  void start() override;
  void stop() override;
  void serve(std::shared_ptr<RpcEndpoint> endpoint) override;
  void unserve(const RpcEndpoint& endpoint) override;
  void subscribe(const EventSubscription& subscription, std::shared_ptr<EventEndpoint> endpoint) override;
  void unsubscribe(const EventEndpoint& endpoint) override;

  /// connected reports whether the consumer connection is up.
  bool connected() const noexcept;
  /// dead_lettered counts events this transport moved to a `.dlq` queue.
  std::size_t dead_lettered() const noexcept;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hypha
