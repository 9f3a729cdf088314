#include "hypha/core/errors.hpp"

#include <cxxabi.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string_view>
#include <typeinfo>

namespace hypha {
namespace {

ErrorInfo info_with_message(std::string type, std::string path, std::string message) {
  ErrorInfo info;
  info.exc_type = std::move(type);
  info.exc_path = std::move(path);
  info.exc_args = Json::array({message});
  info.value = std::move(message);
  return info;
}

std::string demangle(const char* name) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(abi::__cxa_demangle(name, nullptr, nullptr, &status), std::free);
  return status == 0 && out ? std::string(out.get()) : std::string(name);
}

// is_abi_namespace: an inline namespace that versions a library's ABI
// (std::__cxx11, nlohmann::json_abi_v3_11_2). It is the compiler's, not the
// type's: callers should see one path whichever library version threw.
bool is_abi_namespace(std::string_view part) { return part.starts_with("__") || part.starts_with("json_abi_v"); }

// "std::invalid_argument" -> type "invalid_argument", path "std.invalid_argument";
// "nlohmann::json_abi_v3_11_2::detail::type_error" -> "nlohmann.detail.type_error";
// "std::ios_base::failure[abi:cxx11]" -> "std.ios_base.failure". Only "::"
// outside template arguments separates parts.
void split_type_name(const std::string& full, std::string& type, std::string& path) {
  std::string name = full;
  for (auto tag = name.find("[abi:"); tag != std::string::npos; tag = name.find("[abi:", tag)) {
    const auto end = name.find(']', tag);
    name.erase(tag, end == std::string::npos ? std::string::npos : end - tag + 1);
  }
  path.clear();
  std::size_t part_start = 0;
  int depth = 0;
  auto add_part = [&](std::size_t end) {
    const std::string_view part(name.data() + part_start, end - part_start);
    if (is_abi_namespace(part)) return;
    if (!path.empty()) path.push_back('.');
    path.append(part);
  };
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '<') ++depth;
    if (name[i] == '>') --depth;
    if (depth == 0 && name[i] == ':' && i + 1 < name.size() && name[i + 1] == ':') {
      add_part(i);
      part_start = ++i + 1;
    }
  }
  add_part(name.size());
  auto dot = path.rfind('.');
  type = dot == std::string::npos ? path : path.substr(dot + 1);
}

struct Registry {
  std::shared_mutex mutex;
  std::map<std::string, std::function<void(ErrorInfo)>, std::less<>> raisers;
};

Registry& registry() {
  static Registry* r = [] {
    auto* reg = new Registry();
    reg->raisers["nameko.exceptions.MethodNotFound"] = [](ErrorInfo info) {
      throw MethodNotFound(info.exc_args.size() == 1 && info.exc_args[0].is_string() ? info.exc_args[0].get<std::string>() : info.value);
    };
    reg->raisers["nameko.exceptions.IncorrectSignature"] = [](ErrorInfo info) { throw IncorrectSignature(info.value); };
    reg->raisers["nameko.exceptions.MalformedRequest"] = [](ErrorInfo info) { throw MalformedRequest(info.value); };
    return reg;
  }();
  return *r;
}

}  // namespace

Json ErrorInfo::to_json() const {
  return Json{{"exc_type", exc_type}, {"exc_path", exc_path}, {"exc_args", exc_args}, {"value", value}};
}

ErrorInfo ErrorInfo::from_json(const Json& j) {
  ErrorInfo info;
  if (!j.is_object()) {
    info.exc_type = "RemoteError";
    info.exc_path = "nameko.exceptions.RemoteError";
    info.value = j.is_string() ? j.get<std::string>() : j.dump();
    info.exc_args = Json::array({info.value});
    return info;
  }
  auto text = [&](const char* key) -> std::string {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return {};
    return it->is_string() ? it->get<std::string>() : it->dump();
  };
  info.exc_type = text("exc_type");
  info.exc_path = text("exc_path");
  info.value = text("value");
  auto args = j.find("exc_args");
  info.exc_args = (args != j.end() && args->is_array()) ? *args : Json::array();
  return info;
}

Error::Error(ErrorInfo info) : std::runtime_error(info.value), info_(std::move(info)) {}
Error::Error(std::string exc_type, std::string exc_path, std::string message)
    : Error(info_with_message(std::move(exc_type), std::move(exc_path), std::move(message))) {}

// what() reads "<exc_type> <value>", as Nameko's RemoteError does.
RemoteError::RemoteError(ErrorInfo info) : Error(info, info.exc_type + " " + info.value) {}

MethodNotFound::MethodNotFound(std::string method)
    : BadRequest("MethodNotFound", "nameko.exceptions.MethodNotFound", std::move(method)) {}
IncorrectSignature::IncorrectSignature(std::string message)
    : BadRequest("IncorrectSignature", "nameko.exceptions.IncorrectSignature", std::move(message)) {}
MalformedRequest::MalformedRequest(std::string message)
    : BadRequest("MalformedRequest", "nameko.exceptions.MalformedRequest", std::move(message)) {}
UnknownService::UnknownService(std::string service)
    : Error(ErrorInfo{"UnknownService", "nameko.exceptions.UnknownService", Json::array({service}),
                      "Unknown service `" + service + "`"}) {}
RpcTimeout::RpcTimeout(std::string message) : Error("RpcTimeout", "nameko.exceptions.RpcTimeout", std::move(message)) {}
ServiceStopping::ServiceStopping(std::string service)
    : Error("ContainerBeingKilled", "nameko.exceptions.ContainerBeingKilled", "service `" + service + "` is stopping") {}
bool is_unavailable(const ErrorInfo& error) {
  // By exc_type, as Nameko's RemoteError keeps it when a service lets a callee's error through.
  return error.exc_type == "UnknownService" || error.exc_type == "RpcTimeout" ||
         error.exc_type == "ContainerBeingKilled" || std::string_view(error.exc_path).starts_with("hypha.transport.");
}

ConfigurationError::ConfigurationError(std::string message)
    : Error("ConfigurationError", "nameko.exceptions.ConfigurationError", std::move(message)) {}

ErrorInfo serialize_exception(const std::exception_ptr& error) noexcept {
  try {
    try {
      std::rethrow_exception(error);
    } catch (const RemoteError& e) {
      // A callee's error that this worker let through is relayed as Nameko
      // relays it: as the RemoteError the caller raised, whose text is
      // "<exc_type> <value>". Registered types (raise_error) keep their own.
      return ErrorInfo{"RemoteError", "nameko.exceptions.RemoteError", Json::array({e.what()}), e.what()};
    } catch (const Error& e) {
      ErrorInfo info = e.info();
      if (info.exc_args.is_array()) info.exc_args = safe_error_args(info.exc_args);
      return info;
    } catch (const std::exception& e) {
      std::string type, path;
      split_type_name(demangle(typeid(e).name()), type, path);
      return info_with_message(std::move(type), std::move(path), e.what());
    } catch (...) {
      return info_with_message("UnknownException", "hypha.UnknownException", "an exception of unknown type");
    }
  } catch (...) {
    return ErrorInfo{"UnknownException", "hypha.UnknownException", Json::array(), ""};
  }
}

void raise_error(ErrorInfo info) {
  {
    auto& reg = registry();
    std::shared_lock lock(reg.mutex);
    auto it = reg.raisers.find(info.exc_path);
    if (it != reg.raisers.end()) {
      auto raise = it->second;
      lock.unlock();
      raise(info);
    }
  }
  if (info.exc_path == "nameko.exceptions.UnknownService") {
    std::string service = info.exc_args.size() == 1 && info.exc_args[0].is_string() ? info.exc_args[0].get<std::string>() : info.value;
    throw UnknownService(service);
  }
  // A deadline that passed, here or further down the chain, reads as one;
  // so does a callee that is stopping (a caller may try again elsewhere).
  if (info.exc_path == "nameko.exceptions.RpcTimeout") throw RpcTimeout(info.value);
  if (info.exc_path == "nameko.exceptions.ContainerBeingKilled") throw ServiceStopping(std::move(info));
  throw RemoteError(std::move(info));
}

void register_error_type(std::string exc_path, std::function<void(ErrorInfo)> raise) {
  auto& reg = registry();
  std::unique_lock lock(reg.mutex);
  reg.raisers[std::move(exc_path)] = std::move(raise);
}

bool is_bad_request(const ErrorInfo& error) noexcept {
  return error.exc_path == "nameko.exceptions.BadRequest" || error.exc_path == "nameko.exceptions.MethodNotFound" ||
         error.exc_path == "nameko.exceptions.IncorrectSignature" ||
         error.exc_path == "nameko.exceptions.MalformedRequest";
}

Json safe_error_args(const Json& args) {
  if (args.is_string()) return args;
  if (args.is_array()) {
    Json out = Json::array();
    for (const auto& a : args) out.push_back(safe_error_args(a));
    return out;
  }
  if (args.is_object()) {
    Json out = Json::object();
    for (auto it = args.begin(); it != args.end(); ++it) out[it.key()] = safe_error_args(it.value());
    return out;
  }
  // Python's str(): True, False, None, nan, inf.
  if (args.is_boolean()) return args.get<bool>() ? "True" : "False";
  if (args.is_null()) return "None";
  if (args.is_number_float() && !std::isfinite(args.get<double>())) {
    const double d = args.get<double>();
    return std::isnan(d) ? "nan" : d > 0 ? "inf" : "-inf";
  }
  return args.dump();
}

}  // namespace hypha
