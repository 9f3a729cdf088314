// File: social/application/list_request.hpp
//
// The social service pages its lists with the shared ListRequest.
#pragma once

#include "common/domain/list_request.hpp"

namespace microblog::social {

using ::microblog::ListRequest;

}  // namespace microblog::social
