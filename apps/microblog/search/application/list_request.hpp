// File: search/application/list_request.hpp
//
// The search service pages its lists with the shared ListRequest.
#pragma once

#include "common/domain/list_request.hpp"

namespace microblog::search {

using ::microblog::ListRequest;

}  // namespace microblog::search
