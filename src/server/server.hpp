// `pingan serve`: wires store, Board, committer, auth, router and network together.
#pragma once

#include <cstddef>
#include <string>

#include "server/http.hpp"

namespace pingan::server {

struct ServeOptions {
    std::string db_path;
    std::string bind = "127.0.0.1";
    unsigned short port = 8080;
    unsigned threads = 0;
    int idle_timeout_s =
        60; // a connection without a request this long after its last answer is closed
    std::string port_file;  // written with the bound port once listening (for scripts/tests)
    std::string static_dir; // built console files
    std::string tls_cert;   // PEM certificate chain and key: HTTPS and WSS when both are set
    std::string tls_key;
    int caller_retention_days = 180; // caller details are deleted this long after; 0: never
    std::string graph_path;   // road graph (pingan import osm); its .addresses file if present
    std::string cameras_path; // camera register, CSV or GeoJSON (io/cameras_import.hpp)
    std::string patrol_path;  // patrol plan, GeoJSON (io/patrol_geojson.hpp)
    int utc_offset_minutes = 0;
    long long token_ttl_s = 12 * 3600;
    int lock_after = 0; // failed logins in a row that disable an account until enabled; 0: off
    int digest_interval_s = 60; // how often breadcrumbs are digested into the event log
    std::size_t stream_queue_limit = kStreamQueueLimit; // frames a stream client may fall behind
    std::string config_dir;                             // taxonomy.toml, triage.toml, dispatch.toml
    std::string policy;       // eta or straight: overrides dispatch.toml (for comparison)
    std::string manual_clock; // ISO time: start a clock that only tests move (never in service)
};

// Runs until SIGINT/SIGTERM. Returns a process exit code; prints problems to stderr.
int serve(const ServeOptions& options);

} // namespace pingan::server
