// File: invocation.hpp
//
// Invocation is the input of one worker: positional and keyword arguments as
// JSON (Nameko's {"args": [...], "kwargs": {...}}), plus the HTTP request and
// response for `http` entrypoints. Entrypoints build it; the typed invoker of
// the handler converts it into the handler's parameter types.
#pragma once

#include "hypha/core/json.hpp"

namespace hypha {

struct HttpRequest;
struct HttpResponse;

struct Invocation {
  Json args;    ///< array of positional arguments, or null for none
  Json kwargs;  ///< object of keyword arguments, or null for none
  const HttpRequest* request = nullptr;  ///< set for http entrypoints
  HttpResponse* response = nullptr;      ///< where http handlers' answers go

  /// from_payload reads {"args": [...], "kwargs": {...}}; throws
  /// MalformedRequest when the payload is not of that shape.
  static Invocation from_payload(Json payload);
  /// positional builds an invocation from positional arguments.
  static Invocation positional(Json args) {
    Invocation inv;
    inv.args = std::move(args);
    return inv;
  }
};

}  // namespace hypha
