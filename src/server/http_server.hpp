// The network side: Boost.Beast HTTP/1.1 with keep-alive, and the WebSocket event stream.
// It turns bytes into server::Request and server::Response into bytes; everything else is
// the router's business.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "server/metrics.hpp"
#include "server/operations.hpp"
#include "server/router.hpp"

namespace pingan::server {

class HttpServer {
public:
    struct Options {
        std::string bind = "127.0.0.1";
        unsigned short port = 8080; // 0: any free port
        unsigned threads = 0;       // 0: one per core
        // A connection that sends no whole request this long after its last answer (or after
        // connecting) is closed; one whose request is being worked on is never idle.
        std::chrono::seconds idle_timeout{60};
        std::size_t body_limit = kBodyLimit;     // bytes of a request body
        std::size_t upload_limit = kUploadLimit; // of an upload route's body (is_upload)
        // Frames queued for one stream client before it is closed (1008) to reconnect with
        // ?after=: a client this far behind is better served by catching up from the log.
        std::size_t stream_queue_limit = kStreamQueueLimit;
        std::string static_dir; // the console's built files; empty: none
        std::string tls_cert;   // PEM certificate chain: serve HTTPS/WSS when set with tls_key
        std::string tls_key;    // PEM private key
        // Origins (scheme://host[:port]) the console may load video from: the camera register's
        // HLS servers. Added to the page's connect-src and media-src.
        std::vector<std::string> media_origins;
    };

    HttpServer(Options options, Router& router, Operations& ops, Metrics& metrics);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds and listens; returns the port (useful with port 0).
    base::Result<unsigned short> listen();
    // Serves until stop() or SIGINT/SIGTERM.
    void run();
    void stop();

    struct Impl; // shared with the session classes in http_server.cpp

private:
    std::unique_ptr<Impl> impl_;
};

} // namespace pingan::server
