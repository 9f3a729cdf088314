// File: timeline/application/list_request.hpp
//
// The timeline service pages its lists with the shared ListRequest.
#pragma once

#include "common/domain/list_request.hpp"

namespace microblog::timeline {

using ::microblog::ListRequest;

}  // namespace microblog::timeline
