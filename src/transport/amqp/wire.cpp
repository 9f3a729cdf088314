#include "wire.hpp"

#include "json_codec.hpp"

namespace hypha::amqp {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// check_content returns an error text when the message is not JSON in UTF-8.
std::optional<std::string> check_content(std::string_view content_type, std::string_view content_encoding) {
  if (content_type.empty()) return std::string("Message has no content type");
  if (lower(content_type) != kJsonContentType) {
    return "Unsupported content type `" + std::string(content_type) + "` (only application/json is accepted)";
  }
  const auto encoding = lower(content_encoding);
  if (!encoding.empty() && encoding != "utf-8" && encoding != "utf8") {
    return "Unsupported content encoding `" + std::string(content_encoding) + "`";
  }
  return std::nullopt;
}

}  // namespace

ExchangeSpec rpc_exchange(std::string_view name) { return ExchangeSpec{std::string(name), "topic", true, false}; }

QueueSpec rpc_queue(std::string_view service) { return QueueSpec{"rpc-" + std::string(service), true, false, false, 0}; }

std::string rpc_binding_key(std::string_view service) { return std::string(service) + ".*"; }

std::string rpc_routing_key(std::string_view service, std::string_view method) {
  return std::string(service) + "." + std::string(method);
}

QueueSpec reply_queue(std::string_view owner, std::string_view uuid) {
  return QueueSpec{"rpc.reply-" + std::string(owner) + "-" + std::string(uuid), true, false, false,
                   kReplyQueueExpiresMs};
}

std::string method_of_routing_key(std::string_view service, std::string_view routing_key) {
  if (routing_key.size() > service.size() + 1 && routing_key.starts_with(service) &&
      routing_key[service.size()] == '.') {
    return std::string(routing_key.substr(service.size() + 1));
  }
  auto dot = routing_key.rfind('.');
  return std::string(dot == std::string_view::npos ? routing_key : routing_key.substr(dot + 1));
}

ExchangeSpec event_exchange(std::string_view source, bool auto_delete) {
  return ExchangeSpec{std::string(source) + ".events", "topic", true, auto_delete};
}

QueueSpec event_queue(const EventSubscription& s) {
  const std::string base = "evt-" + s.source + "-" + s.event_type;
  switch (s.handler_type) {
    case HandlerType::kSingleton: return QueueSpec{base, true, false, !s.reliable_delivery, 0};
    case HandlerType::kBroadcast:
      // The instance id is new on every start, so a broadcast queue is always
      // the connection's own: exclusive and auto-deleted (Nameko's default).
      return QueueSpec{base + "--" + s.service + "." + s.method + "-" + s.instance_id, true, true, true, 0};
    case HandlerType::kServicePool:
    default: return QueueSpec{base + "--" + s.service + "." + s.method, true, false, !s.reliable_delivery, 0};
  }
}

QueueSpec dead_letter_queue(std::string_view queue) { return QueueSpec{std::string(queue) + ".dlq", true, false, false, 0}; }

std::string encode_request(const Invocation& inv) {
  std::string out = "{\"args\": ";
  append_json(out, inv.args.is_null() ? Json::array() : inv.args);
  out += ", \"kwargs\": ";
  append_json(out, inv.kwargs.is_null() ? Json::object() : inv.kwargs);
  out.push_back('}');
  return out;
}

std::string encode_error(const ErrorInfo& e) {
  std::string out = "{\"exc_type\": ";
  append_json_string(out, e.exc_type);
  out += ", \"exc_path\": ";
  append_json_string(out, e.exc_path);
  out += ", \"exc_args\": ";
  append_json(out, e.exc_args.is_array() ? e.exc_args : Json::array());
  out += ", \"value\": ";
  append_json_string(out, e.value);
  out.push_back('}');
  return out;
}

ErrorInfo unserializable_value_error(std::string_view what) {
  return ErrorInfo{"UnserializableValueError", "nameko.exceptions.UnserializableValueError", Json::array(),
                   "Unserializable value: `" + std::string(what) + "`"};
}

std::string encode_reply(const Outcome& outcome) {
  std::string out = "{\"result\": ";
  if (outcome.error) {
    out += "null, \"error\": ";
    try {
      out += encode_error(*outcome.error);
    } catch (const JsonEncodeError&) {
      out += encode_error(unserializable_value_error("error text that is not UTF-8"));
    }
  } else {
    try {
      std::string result;
      append_json(result, outcome.result);
      out += result;
      out += ", \"error\": null";
    } catch (const JsonEncodeError& e) {
      out += "null, \"error\": ";
      out += encode_error(unserializable_value_error(e.what()));
    }
  }
  out.push_back('}');
  return out;
}

Outcome decode_reply(std::string_view body) {
  auto malformed = [](std::string why) {
    return Outcome{nullptr, ErrorInfo{"RemoteError", "nameko.exceptions.RemoteError", Json::array({why}), why}};
  };
  Json reply;
  try {
    reply = decode_json(body);
  } catch (const JsonDecodeError& e) {
    return malformed(std::string("malformed RPC reply: ") + e.what());
  }
  if (!reply.is_object() || !reply.contains("result")) return malformed("malformed RPC reply: no `result`");
  Outcome outcome;
  auto error = reply.find("error");
  if (error != reply.end() && !error->is_null() && !(error->is_object() && error->empty())) {
    outcome.error = ErrorInfo::from_json(*error);
    return outcome;
  }
  outcome.result = std::move(reply["result"]);
  return outcome;
}

DecodedRequest decode_request(std::string_view content_type, std::string_view content_encoding, std::string_view body) {
  DecodedRequest out;
  if (auto problem = check_content(content_type, content_encoding)) {
    out.error = MalformedRequest(*problem).info();
    return out;
  }
  try {
    out.invocation = Invocation::from_payload(decode_json(body));
  } catch (const JsonDecodeError& e) {
    out.error = MalformedRequest(std::string("Message body is not valid JSON: ") + e.what()).info();
  } catch (const Error& e) {
    out.error = e.info();
  } catch (const std::exception& e) {
    out.error = MalformedRequest(e.what()).info();
  }
  return out;
}

std::optional<Json> decode_payload(std::string_view content_type, std::string_view content_encoding,
                                   std::string_view body, std::string& error) {
  if (auto problem = check_content(content_type, content_encoding)) {
    error = *problem;
    return std::nullopt;
  }
  try {
    return decode_json(body);
  } catch (const JsonDecodeError& e) {
    error = std::string("body is not valid JSON: ") + e.what();
    return std::nullopt;
  }
}

}  // namespace hypha::amqp
