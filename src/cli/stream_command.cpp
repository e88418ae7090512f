// pingan stream: a WebSocket client of /api/v1/stream that prints one JSON event per line,
// for operators and scripts (`pingan stream … | jq`).
#include <cstdlib>
#include <memory>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <fmt/core.h>

#include "cli/commands.hpp"

namespace pingan::cli {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct StreamOptions {
    std::string url = "http://127.0.0.1:8080";
    std::string token;
    long long after = -1;
    bool events_only = false;
};

int run_stream(const StreamOptions& o) {
    std::string token = o.token;
    if (token.empty()) {
        if (const char* env = std::getenv("PINGAN_TOKEN")) token = env;
    }
    if (token.empty()) return fail_input("--token: required (or set PINGAN_TOKEN)");
    std::string rest = o.url;
    for (const char* scheme : {"http://", "ws://"}) {
        if (rest.rfind(scheme, 0) == 0) rest = rest.substr(std::string_view(scheme).size());
    }
    const auto slash = rest.find('/');
    if (slash != std::string::npos) rest = rest.substr(0, slash);
    const auto colon = rest.rfind(':');
    const std::string host = colon == std::string::npos ? rest : rest.substr(0, colon);
    const std::string port = colon == std::string::npos ? "80" : rest.substr(colon + 1);
    if (host.empty()) return fail_input(fmt::format("--url: '{}' names no host", o.url));

    std::string target = "/api/v1/stream?token=" + token;
    if (o.after >= 0) target += "&after=" + std::to_string(o.after);
    try {
        net::io_context ioc;
        tcp::resolver resolver(ioc);
        websocket::stream<tcp::socket> ws(ioc);
        net::connect(ws.next_layer(), resolver.resolve(host, port));
        ws.handshake(host, target);
        beast::flat_buffer buffer;
        for (;;) {
            ws.read(buffer);
            const std::string message = beast::buffers_to_string(buffer.data());
            buffer.consume(buffer.size());
            if (o.events_only && message.find("\"seq\":") == std::string::npos) continue;
            fmt::print("{}\n", message);
            std::fflush(stdout);
        }
    } catch (const beast::system_error& e) {
        if (e.code() == websocket::error::closed) return kExitOk;
        fmt::print(stderr, "pingan: stream: {}\n", e.code().message());
        return kExitFailed;
    }
}

} // namespace

void add_stream_command(CLI::App& app, RunState& state) {
    auto o = std::make_shared<StreamOptions>();
    CLI::App* cmd = app.add_subcommand(
        "stream", "Print the live event stream of a server, one JSON object per line");
    cmd->add_option("--url", o->url, "server address")->capture_default_str();
    cmd->add_option("--token", o->token, "bearer token (default: $PINGAN_TOKEN)");
    cmd->add_option("--after", o->after,
                    "resume after this sequence number (0: the whole log); default: from now");
    cmd->add_flag("--events-only", o->events_only, "skip unit position frames");
    cmd->callback([o, &state] { state.exit_code = run_stream(*o); });
}

} // namespace pingan::cli
