// Private to the AMQP transport: a request its caller gave up on never runs.
//
// A caller that finds no consumer on rpc-<svc> while its request waits there
// gives up with UnknownService instead of waiting for its deadline. The
// request is still in the queue, though: were the service back before the
// request expired, it would run, while its caller was told that the service
// was not there (a client that retried a write would write twice).
//
// So a Hypha caller stamps the time it publishes a request into the request's
// correlation id, and both sides keep one rule, kStartWithin = 2 s:
//  - a caller gives up on a waiting request only once kStartWithin has passed
//    since it published it (a service back within that time still serves it);
//  - a consumer refuses a stamped request (UnknownService, nothing run) that
//    was published more than kStartWithin before the consumer began consuming.
// A caller gives up only when it sees no consumer, so every consumer that
// takes the request afterwards began later: the request is refused. A
// consumer that was already running serves requests of any age: a backlog
// under load is not refused.
//
// The stamp keeps the correlation id an RFC 4122 version 4 uuid, as Nameko
// sends and reads it (an opaque string): the publish time in milliseconds
// takes its first 48 bits, a 16-bit mark tells a stamped id from a random
// one, and the other 58 bits stay random. Requests from Nameko callers carry
// random ids: they are never refused. Caller and service compare wall-clock
// times, so the hosts' clocks must agree to well within kStartWithin.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace hypha::amqp {

using WallClock = std::chrono::system_clock;

/// kStartWithin: how long a request may wait for a service that is not there.
inline constexpr std::chrono::milliseconds kStartWithin{2000};

/// stamped_correlation_id returns a new version 4 uuid carrying `published`.
std::string stamped_correlation_id(WallClock::time_point published = WallClock::now());

/// stamp_of returns the publish time of a stamped correlation id, or nothing
/// for any other string (a random uuid, Nameko's).
std::optional<WallClock::time_point> stamp_of(std::string_view correlation_id);

/// may_give_up: whether the caller of a request with this correlation id may
/// give up on it now, seeing no consumer.
bool may_give_up(std::string_view correlation_id, WallClock::time_point now = WallClock::now());

/// too_late_to_start: whether a consumer that began consuming at
/// `consuming_since` must refuse the request with this correlation id.
bool too_late_to_start(std::string_view correlation_id, WallClock::time_point consuming_since);

}  // namespace hypha::amqp
