// A plain HTTP/1.1 POST with a deadline, for deliveries to other services (the 12345 line).
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "base/result.hpp"

namespace pingan::io {

struct HttpReply {
    int status = 0;
    std::string body;
};

// POSTs `body` to an http:// URL. Fails with `unavailable` when the receiver cannot be
// reached or does not answer within `timeout` (connect, send and receive together).
base::Result<HttpReply> http_post(const std::string& url, const std::string& content_type,
                                  const std::string& body,
                                  const std::vector<std::pair<std::string, std::string>>& headers,
                                  std::chrono::milliseconds timeout);

} // namespace pingan::io
