#include "rpc_serving.hpp"

#include "field_table.hpp"
#include "hypha/core/logging.hpp"
#include "json_codec.hpp"
#include "request_stamp.hpp"

namespace hypha::amqp {

void RpcServing::serve(std::shared_ptr<RpcEndpoint> endpoint) {
  const std::string service = endpoint->service_name();
  broker_.claim_owner(service);
  ConsumerSpec spec;
  spec.queue = rpc_queue(service);
  spec.bindings.push_back(Binding{rpc_exchange(broker_.settings.rpc_exchange), rpc_binding_key(service), true});
  spec.prefetch = broker_.settings.prefetch;
  const RpcEndpoint* key = endpoint.get();
  served_.keep(key, broker_.add_consumer(std::move(spec), [this, endpoint = std::move(endpoint)](Delivery&& d) {
    on_request(endpoint, std::move(d));
  }));
}

void RpcServing::unserve(const RpcEndpoint& endpoint) {
  if (auto id = served_.take(endpoint)) broker_.consumer.remove(*id);
}

void RpcServing::forget() { served_.clear(); }

// Runs on the I/O thread: decode, then hand the call to the container.
void RpcServing::on_request(const std::shared_ptr<RpcEndpoint>& endpoint, Delivery&& d) {
  const Message& m = d.message;
  if (!m.reply_to || m.reply_to->empty()) {
    log::error("amqp: request {} on rpc-{} has no reply_to; rejected", d.routing_key, endpoint->service_name());
    broker_.consumer.settle(d.generation, d.tag, Settle::kDrop);
    return;
  }
  auto target = std::make_shared<const ReplyTarget>(
      ReplyTarget{endpoint->service_name(), *m.reply_to, m.correlation_id, d.generation, d.tag});
  auto answer_error = [&](ErrorInfo error) {
    broker_.scheduler.soon([this, target, error = std::move(error)] { send_reply(target, Outcome{nullptr, error}); });
  };
  if (m.correlation_id && too_late_to_start(*m.correlation_id, d.consuming_since)) {
    log::info("amqp: request {} was published over {} ms before rpc-{} was consumed; refused without running it "
              "(its caller may have given up)", d.routing_key, kStartWithin.count(), endpoint->service_name());
    return answer_error(UnknownService(endpoint->service_name()).info());
  }
  // As Nameko: the method is looked up first, then the body read.
  const std::string method = method_of_routing_key(endpoint->service_name(), d.routing_key);
  if (!endpoint->has_method(method)) return answer_error(MethodNotFound(method).info());
  DecodedRequest request = decode_request(m.content_type, m.content_encoding, m.body);
  if (request.error) {
    log::warn("amqp: malformed request {}: {}", d.routing_key, request.error->value);
    return answer_error(*request.error);
  }
  endpoint->submit(method, std::move(request.invocation), headers_to_context(m.headers),
                   [this, target](Outcome outcome) {
                     // A publish may block (reconnecting): never on the consumer's I/O thread.
                     if (broker_.consumer.on_loop_thread()) {
                       broker_.scheduler.soon(
                           [this, target, outcome = std::move(outcome)] { finish_request(target, outcome); });
                     } else {
                       finish_request(target, outcome);
                     }
                   });
}

void RpcServing::finish_request(const std::shared_ptr<const ReplyTarget>& target, const Outcome& outcome) {
  if (outcome.error) {
    const auto& e = *outcome.error;
    const bool stopping = e.exc_path == "nameko.exceptions.ContainerBeingKilled";
    const bool not_serving = e.exc_path == "nameko.exceptions.UnknownService" && e.exc_args.size() == 1 &&
                             e.exc_args[0] == target->service;
    if (stopping || not_serving) {
      // This instance is going away: another one takes the request (Nameko requeues too).
      broker_.consumer.settle(target->generation, target->tag, Settle::kRequeue);
      return;
    }
  }
  send_reply(target, outcome);
}

// send_reply publishes the reply without waiting; the request is acked when
// the reply is confirmed, and goes back to its queue when it is not.
void RpcServing::send_reply(const std::shared_ptr<const ReplyTarget>& target, const Outcome& outcome) {
  Message reply = json_message(encode_reply(outcome));
  reply.correlation_id = target->correlation_id;
  try {
    broker_.publishers.acquire()->publish_async(broker_.settings.rpc_exchange, target->reply_to, false, reply,
                                                [this, target](PublishResult result) {
                                                  if (result.error) {
                                                    requeue_unanswered(*target, result.error->what());
                                                    return;
                                                  }
                                                  broker_.consumer.settle(target->generation, target->tag,
                                                                          Settle::kAck);
                                                });
  } catch (const std::exception& e) {
    requeue_unanswered(*target, e.what());
  }
}

void RpcServing::requeue_unanswered(const ReplyTarget& target, const std::string& why) {
  log::error("amqp: cannot send the reply to {}: {}; the request goes back to the queue", target.reply_to, why);
  broker_.consumer.settle(target.generation, target.tag, Settle::kRequeue);
}

}  // namespace hypha::amqp
