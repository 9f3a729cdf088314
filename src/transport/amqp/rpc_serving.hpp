// Private to the AMQP transport: RpcServing answers the requests to the
// services of this process (include/hypha/transport/amqp.hpp, "RPC
// (server)"): it consumes rpc-<svc>, hands each request to the service's
// container, publishes the reply, and acks the request once the reply is
// confirmed. A malformed request gets Nameko's error reply.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "broker.hpp"
#include "hypha/transport/transport.hpp"

namespace hypha::amqp {

class RpcServing {
 public:
  explicit RpcServing(Broker& broker) : broker_(broker) {}

  void serve(std::shared_ptr<RpcEndpoint> endpoint);
  void unserve(const RpcEndpoint& endpoint);
  /// forget drops the record of what is served (at stop: the consumers are gone).
  void forget();

 private:
  // Where the reply to one request goes, and which delivery to settle after.
  struct ReplyTarget {
    std::string service;
    std::string reply_to;
    std::optional<std::string> correlation_id;
    std::uint64_t generation = 0;
    std::uint64_t tag = 0;
  };

  void on_request(const std::shared_ptr<RpcEndpoint>& endpoint, Delivery&& d);
  void finish_request(const std::shared_ptr<const ReplyTarget>& target, const Outcome& outcome);
  void send_reply(const std::shared_ptr<const ReplyTarget>& target, const Outcome& outcome);
  void requeue_unanswered(const ReplyTarget& target, const std::string& why);

  Broker& broker_;
  ConsumerIds<RpcEndpoint> served_;
};

}  // namespace hypha::amqp
