// pingan serve
#include <memory>

#include "cli/commands.hpp"
#include "server/server.hpp"

namespace pingan::cli {

void add_server_commands(CLI::App& app, Parents& /*parents*/, RunState& state) {
    auto opts = std::make_shared<server::ServeOptions>();
    CLI::App* serve = app.add_subcommand("serve", "Run the HTTP API, WebSocket stream and console");
    serve->add_option("--db", opts->db_path, kDbHelp)->required();
    serve->add_option("--port", opts->port, "TCP port; 0 picks a free one")->capture_default_str();
    serve->add_option("--bind", opts->bind, "address to listen on")->capture_default_str();
    serve->add_option("--threads", opts->threads, "network threads (0: one per core)")
        ->capture_default_str();
    serve
        ->add_option("--idle-timeout", opts->idle_timeout_s,
                     "seconds a connection may wait for its next request before it is closed")
        ->check(CLI::Range(1, 24 * 3600))
        ->capture_default_str();
    serve->add_option("--port-file", opts->port_file,
                      "write the bound port to this file once listening");
    serve->add_option("--static-dir", opts->static_dir, "serve the console's built files from here")
        ->check(CLI::ExistingDirectory);
    serve
        ->add_option("--tls-cert", opts->tls_cert,
                     "PEM certificate chain: serve HTTPS and WSS (needs --tls-key)")
        ->check(CLI::ExistingFile);
    serve->add_option("--tls-key", opts->tls_key, "PEM private key of --tls-cert")
        ->check(CLI::ExistingFile);
    serve
        ->add_option("--graph", opts->graph_path,
                     "road graph from `pingan import osm` (base map, address search)")
        ->check(CLI::ExistingFile);
    serve
        ->add_option("--cameras", opts->cameras_path,
                     "camera register, CSV or GeoJSON (id, position, heading, field of view, "
                     "range, stream, owner, sharing): cameras that see an incident")
        ->check(CLI::ExistingFile);
    serve
        ->add_option("--patrol", opts->patrol_path,
                     "patrol plan, GeoJSON: areas and required points with time windows and "
                     "minimum visits per shift")
        ->check(CLI::ExistingFile);
    serve
        ->add_option("--utc-offset", opts->utc_offset_minutes,
                     "the centre's standard time offset in minutes (480 for China), used for "
                     "incident numbers per year")
        ->check(CLI::Range(-12 * 60, 14 * 60))
        ->capture_default_str();
    serve->add_option("--token-ttl", opts->token_ttl_s, "seconds a login token stays valid")
        ->check(CLI::Range(1LL, 7LL * 24 * 3600))
        ->capture_default_str();
    serve
        ->add_option("--lock-after", opts->lock_after,
                     "failed logins in a row that disable an account until an administrator "
                     "enables it (0: off; throttling still applies)")
        ->check(CLI::Range(0, 1000))
        ->capture_default_str();
    serve
        ->add_option("--caller-retention-days", opts->caller_retention_days,
                     "days after which caller names and phone numbers are deleted (0: keep)")
        ->check(CLI::Range(0, 3650))
        ->capture_default_str();
    serve
        ->add_option("--digest-interval", opts->digest_interval_s,
                     "seconds between digests of unit breadcrumbs into the event log")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    serve
        ->add_option("--stream-queue-limit", opts->stream_queue_limit,
                     "events queued for one slow stream client before it is closed (code 1008) "
                     "to reconnect with ?after=")
        ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}))
        ->capture_default_str();
    opts->config_dir = PINGAN_DEFAULT_CONFIG_DIR;
    serve
        ->add_option("--config", opts->config_dir,
                     "folder with taxonomy.toml, triage.toml and dispatch.toml")
        ->check(CLI::ExistingDirectory)
        ->capture_default_str();
    serve
        ->add_option("--policy", opts->policy,
                     "rank units by road travel time (eta) or straight-line distance (straight); "
                     "default from dispatch.toml")
        ->check(CLI::IsMember({"eta", "straight"}));
    serve->add_option("--manual-clock", opts->manual_clock,
                      "for tests only: start a clock at this ISO time that moves only by "
                      "POST /api/v1/test/clock");
    serve->callback([opts, &state] { state.exit_code = server::serve(*opts); });
}

} // namespace pingan::cli
