// load_client: drives a running pingan server over keep-alive HTTP/1.1 connections and writes
// the results in Google Benchmark's JSON shape (one entry per measure with counters p50_us,
// p99_us, per_second).
//
// Closed loop: C connections each send the next request as soon as the last is answered
// (throughput). Open loop: requests are due at a fixed rate whatever the server does, and
// latency is measured from when a request was due, so queueing shows (no coordinated
// omission). One epoll thread; requests are pre-rendered bytes.
#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "base/time.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    int port = 0;
    std::string token;
    std::string out;
    int connections = 64;
    double seconds = 10;
    int units = 100; // unit ids 1..units for position updates
    // Where incidents and positions fall: south, west, north, east (default: north-west DC).
    double south = 38.88, west = -77.10, north = 38.98, east = -76.99;
    double intake_rate = 200;   // intake measure: incidents per second ...
    double position_rate = 500; // ... while the units report positions at this rate
    // Soak (api_soak): also reads per second, and WebSocket clients following the event
    // stream; every incident is worked to its end (four requests each).
    double read_rate = 50;
    int ws_clients = 50;
};

struct Connection {
    int fd = -1;
    std::string pending;                // bytes still to write
    std::string inbox;                  // bytes read, not yet a full response
    std::deque<Clock::time_point> sent; // when each in-flight request was due
    bool busy = false;
};

struct Stats {
    std::vector<double> latencies_us;
    long ok = 0;
    long failed = 0;
    double seconds = 0;
    int items_per_request = 1; // per_second counts items (positions of a batch), not requests
};

int connect_to(int port) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    return fd;
}

// Returns the length of one complete response at the start of `s` and its status, or 0.
std::size_t complete_response(const std::string& s, int& status) {
    const std::size_t head_end = s.find("\r\n\r\n");
    if (head_end == std::string::npos) return 0;
    status = std::atoi(s.c_str() + 9);
    std::size_t body = 0;
    // Header names are matched case-insensitively enough for our own server's output.
    for (const char* name : {"Content-Length: ", "content-length: "}) {
        const std::size_t at = s.find(name);
        if (at != std::string::npos && at < head_end)
            body = std::strtoul(s.c_str() + at + 16, nullptr, 10);
    }
    const std::size_t total = head_end + 4 + body;
    return s.size() >= total ? total : 0;
}

// Runs one measure. `make_request(i)` renders request number i. rate 0: closed loop.
Stats run(const Options& o, double rate, const std::function<std::string(long)>& make_request) {
    const int ep = epoll_create1(0);
    std::vector<Connection> conns(static_cast<std::size_t>(o.connections));
    for (std::size_t i = 0; i < conns.size(); ++i) {
        conns[i].fd = connect_to(o.port);
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
        ev.data.u64 = i;
        epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
    }
    Stats stats;
    long next_request = 0;
    const auto start = Clock::now();
    const auto end = start + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(o.seconds));
    std::deque<Clock::time_point> due; // open loop: requests due but not yet sent

    auto flush = [&](Connection& c) {
        while (!c.pending.empty()) {
            const ssize_t n = send(c.fd, c.pending.data(), c.pending.size(), MSG_NOSIGNAL);
            if (n <= 0) return;
            c.pending.erase(0, static_cast<std::size_t>(n));
        }
    };
    auto issue = [&](Connection& c, Clock::time_point due_at) {
        c.pending += make_request(next_request++);
        c.sent.push_back(due_at);
        c.busy = true;
        flush(c);
    };
    if (rate == 0) {
        for (auto& c : conns)
            issue(c, Clock::now());
    }
    const auto interval =
        rate > 0 ? std::chrono::duration<double>(1.0 / rate) : std::chrono::duration<double>(0);
    long scheduled = 0;
    std::vector<epoll_event> events(static_cast<std::size_t>(o.connections));
    char buf[65536];
    while (Clock::now() < end) {
        if (rate > 0) {
            // Everything due by now joins the queue; idle connections take from it.
            const auto now = Clock::now();
            while (start + std::chrono::duration_cast<Clock::duration>(interval * scheduled) <=
                   now) {
                due.push_back(start +
                              std::chrono::duration_cast<Clock::duration>(interval * scheduled));
                ++scheduled;
            }
            for (auto& c : conns) {
                if (due.empty()) break;
                if (!c.busy) {
                    issue(c, due.front());
                    due.pop_front();
                }
            }
        }
        // Sleep in the kernel until the next request is due (open loop) or 5 ms (closed loop):
        // a client that spins takes a core from the server it measures.
        timespec wait{0, 5'000'000};
        if (rate > 0) {
            const auto next_due =
                start + std::chrono::duration_cast<Clock::duration>(interval * scheduled);
            const auto ns =
                std::chrono::duration_cast<std::chrono::nanoseconds>(next_due - Clock::now())
                    .count();
            wait.tv_nsec = due.empty() ? std::clamp<long>(static_cast<long>(ns), 0L, 5'000'000L)
                                       : 200'000L; // queued work: look again soon
        }
        const int n =
            epoll_pwait2(ep, events.data(), static_cast<int>(events.size()), &wait, nullptr);
        for (int k = 0; k < n; ++k) {
            Connection& c = conns[events[static_cast<std::size_t>(k)].data.u64];
            if (events[static_cast<std::size_t>(k)].events & EPOLLOUT) flush(c);
            // A read shorter than the buffer took all there was; the edge-triggered event
            // fires again for whatever comes next, so no read is spent to see EAGAIN.
            for (;;) {
                const ssize_t r = recv(c.fd, buf, sizeof buf, 0);
                if (r <= 0) break;
                c.inbox.append(buf, static_cast<std::size_t>(r));
                if (static_cast<std::size_t>(r) < sizeof buf) break;
            }
            int status = 0;
            while (std::size_t len = complete_response(c.inbox, status)) {
                c.inbox.erase(0, len);
                const auto done = Clock::now();
                const auto due_at = c.sent.front();
                c.sent.pop_front();
                c.busy = !c.sent.empty();
                stats.latencies_us.push_back(
                    std::chrono::duration<double, std::micro>(done - due_at).count());
                if (status >= 200 && status < 300)
                    ++stats.ok;
                else
                    ++stats.failed;
                if (rate == 0 && done < end) issue(c, done);
            }
        }
    }
    stats.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    for (auto& c : conns)
        close(c.fd);
    close(ep);
    return stats;
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
    return v[i];
}

nlohmann::json entry(const std::string& name, const Stats& s, double offered_rate) {
    const double per_second = static_cast<double>(s.ok * s.items_per_request) / s.seconds;
    nlohmann::json j = {{"name", name},
                        {"run_name", name},
                        {"run_type", "iteration"},
                        {"iterations", s.ok + s.failed},
                        {"real_time", s.seconds * 1e6},
                        {"cpu_time", s.seconds * 1e6},
                        {"time_unit", "us"},
                        {"per_second", per_second},
                        {"p50_us", percentile(s.latencies_us, 0.50)},
                        {"p90_us", percentile(s.latencies_us, 0.90)},
                        {"p99_us", percentile(s.latencies_us, 0.99)},
                        {"max_us", percentile(s.latencies_us, 1.0)},
                        {"failed", s.failed}};
    if (offered_rate > 0) j["offered_per_second"] = offered_rate;
    if (s.items_per_request > 1) {
        j["items_per_request"] = s.items_per_request;
        j["requests_per_second"] = static_cast<double>(s.ok) / s.seconds;
    }
    fmt::print(stderr, "{:<32} {:>10.0f}/s  p50 {:>8.0f} us  p99 {:>8.0f} us  failed {}\n", name,
               per_second, percentile(s.latencies_us, 0.5), percentile(s.latencies_us, 0.99),
               s.failed);
    return j;
}

std::string post(const Options& o, const std::string& path, const std::string& body) {
    return fmt::format("POST {} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\n"
                       "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
                       path, o.token, body.size(), body);
}

// A point of the box from a request number: a fixed scatter, the same in every run.
double scatter(long i, long prime, double lo, double hi) {
    return lo + (hi - lo) * static_cast<double>((i * 7919) % prime) / static_cast<double>(prime);
}

// Calls as a call-taker types them: text that triage reads, a category to confirm, a spread
// of places (so point-in-polygon, duplicates and the recommendation all work).
std::string intake_request(const Options& o, long i) {
    static const char* const kCalls[][2] = {
        {"theft", "bicycle taken from the rack outside the library"},
        {"assault", "two men fighting outside the bar, one is bleeding"},
        {"burglary", "someone broke the back door of the shop during the night"},
        {"robbery", "有人抢了我的手机往地铁站跑了"},
        {"traffic", "两车相撞，路口堵住了"},
        {"suspicious", "a man trying car door handles along the street"},
    };
    const auto& c = kCalls[i % 6];
    const std::string body = fmt::format(
        R"({{"lat":{:.6f},"lon":{:.6f},"category":"{}","description":"{}","caller":{{"phone":"1380000{:04d}"}}}})",
        scatter(i, 9973, o.south, o.north), scatter(i + 17, 9967, o.west, o.east), c[0], c[1],
        i % 10000);
    return post(o, "/api/v1/incidents", body);
}

std::string moving_position_request(const Options& o, long i) {
    const long unit = 1 + i % o.units;
    const std::string body = fmt::format(
        R"({{"lat":{:.6f},"lon":{:.6f},"heading":{},"speed":12.5}})",
        scatter(i, 10007, o.south, o.north), scatter(i + 5, 10009, o.west, o.east), i % 360);
    return post(o, fmt::format("/api/v1/units/{}/position", unit), body);
}

std::string incident_request(const Options& o, long i) {
    const std::string body = fmt::format(
        R"({{"lat":{:.6f},"lon":{:.6f},"category":"theft","priority":3,"description":"load test call {} bicycle taken from rack outside the library"}})",
        38.88 + static_cast<double>(i % 997) * 1e-4, -77.10 + static_cast<double>(i % 991) * 1e-4,
        i);
    return post(o, "/api/v1/incidents", body);
}

std::string position_request(const Options& o, long i) {
    const long unit = 1 + i % o.units;
    const std::string body =
        fmt::format(R"({{"lat":{:.6f},"lon":{:.6f},"heading":{},"speed":12.5}})",
                    38.88 + static_cast<double>(i % 1009) * 1e-4,
                    -77.10 + static_cast<double>(i % 1013) * 1e-4, i % 360);
    return post(o, fmt::format("/api/v1/units/{}/position", unit), body);
}

// An AVL gateway relaying `batch` units' fixes in one POST /api/v1/positions.
std::string position_batch_request(const Options& o, long i, int batch) {
    std::string body = R"({"items":[)";
    for (int k = 0; k < batch; ++k) {
        const long n = i * batch + k;
        if (k > 0) body += ',';
        body +=
            fmt::format(R"({{"unit_id":{},"lat":{:.6f},"lon":{:.6f},"heading":{},"speed":12.5}})",
                        1 + n % o.units, 38.88 + static_cast<double>(n % 1009) * 1e-4,
                        -77.10 + static_cast<double>(n % 1013) * 1e-4, n % 360);
    }
    body += "]}";
    return post(o, "/api/v1/positions", body);
}

std::string get(const Options& o, const std::string& path) {
    return fmt::format("GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\n\r\n",
                       path, o.token);
}

// Every incident the intake creates is worked to its end, four requests apart in time:
// request i is step i % 4 for incident n = i / 4 + 1 - step * kStagger (dispatch its unit,
// on scene, available again, closed), so the steps of one incident are a quarter of a second
// apart whichever connection carries them. Incident n's unit is 1 + n % units.
std::string cycle_request(const Options& o, long i) {
    constexpr long kStagger = 50;
    const long step = i % 4;
    const long incident = i / 4 + 1 - step * kStagger;
    if (incident < 1) return get(o, "/api/v1/units/1"); // nothing that far back yet
    const long unit = 1 + incident % o.units;
    switch (step) {
    case 0:
        return post(o, fmt::format("/api/v1/incidents/{}/dispatch", incident),
                    fmt::format(R"({{"unit_id":{}}})", unit));
    case 1:
        return post(o, fmt::format("/api/v1/units/{}/status", unit), R"({"status":"on_scene"})");
    case 2:
        return post(o, fmt::format("/api/v1/units/{}/status", unit), R"({"status":"available"})");
    default:
        return post(o, fmt::format("/api/v1/incidents/{}/status", incident),
                    R"({"status":"closed","disposition":"handled in the soak run"
    })");
    }
}

std::string read_request(const Options& o, long i) {
    switch (i % 3) {
    case 0:
        return get(o, "/api/v1/incidents?limit=50");
    case 1:
        return get(o, "/api/v1/units");
    default:
        return get(o, "/api/v1/alerts");
    }
}

// Follows /api/v1/stream like a console; records how long after its time (the server's
// clock, "at") each event arrived. Plain blocking sockets: one thread per client.
struct StreamFollower {
    std::vector<double> lag_ms;
    long events = 0;
    bool connected = false;
};

void follow_stream(const Options& o, const std::atomic<bool>& stop, StreamFollower& out,
                   std::atomic<int>& open_fd) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    open_fd = fd;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(o.port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return;
    const std::string hello = fmt::format(
        "GET /api/v1/stream?token={} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n",
        o.token);
    if (send(fd, hello.data(), hello.size(), MSG_NOSIGNAL) <= 0) return;
    std::string in;
    char buf[65536];
    bool upgraded = false;
    while (!stop) {
        const ssize_t r = recv(fd, buf, sizeof buf, 0);
        if (r <= 0) return;
        in.append(buf, static_cast<std::size_t>(r));
        if (!upgraded) {
            const std::size_t end = in.find("\r\n\r\n");
            if (end == std::string::npos) continue;
            if (in.compare(0, 12, "HTTP/1.1 101") != 0) return;
            upgraded = out.connected = true;
            in.erase(0, end + 4);
        }
        // Server frames are unmasked: FIN/opcode, length (7, 16 or 64 bits), payload.
        for (;;) {
            if (in.size() < 2) break;
            const auto* b = reinterpret_cast<const unsigned char*>(in.data());
            std::size_t len = b[1] & 0x7f;
            std::size_t head = 2;
            if (len == 126) {
                if (in.size() < 4) break;
                len = (std::size_t{b[2]} << 8) | b[3];
                head = 4;
            } else if (len == 127) {
                if (in.size() < 10) break;
                len = 0;
                for (int k = 2; k < 10; ++k)
                    len = (len << 8) | b[k];
                head = 10;
            }
            if (in.size() < head + len) break;
            const auto received = std::chrono::system_clock::now();
            if ((b[0] & 0x0f) == 1) {
                auto frame = nlohmann::json::parse(in.begin() + static_cast<long>(head),
                                                   in.begin() + static_cast<long>(head + len),
                                                   nullptr, false);
                if (frame.is_object() && frame.contains("seq") && frame["at"].is_string()) {
                    if (auto at = pingan::base::parse_iso8601(frame["at"].get<std::string>())) {
                        const double now_ms = static_cast<double>(
                            std::chrono::duration_cast<std::chrono::milliseconds>(
                                received.time_since_epoch())
                                .count());
                        out.lag_ms.push_back(now_ms - static_cast<double>(*at));
                        ++out.events;
                    }
                }
            }
            in.erase(0, head + len);
        }
    }
}

// Everything at once for o.seconds: intake, positions, incident lifecycles and reads, each an open
// loop at its rate on its own connections, while o.ws_clients follow the stream.
void soak(const Options& o, nlohmann::json& benchmarks) {
    std::atomic<bool> stop{false};
    std::vector<StreamFollower> followers(static_cast<std::size_t>(o.ws_clients));
    std::vector<std::atomic<int>> fds(followers.size());
    std::vector<std::thread> ws;
    for (std::size_t k = 0; k < followers.size(); ++k)
        ws.emplace_back([&, k] { follow_stream(o, stop, followers[k], fds[k]); });
    auto with = [&](int connections) {
        Options c = o;
        c.connections = connections;
        return c;
    };
    Stats intake, positions, cycles, reads;
    std::thread t1([&] {
        intake = run(with(8), o.intake_rate, [&](long i) { return intake_request(o, i); });
    });
    std::thread t2([&] {
        positions =
            run(with(8), o.position_rate, [&](long i) { return moving_position_request(o, i); });
    });
    std::thread t3([&] {
        // Two seconds behind the intake, so the incidents it works exist.
        std::this_thread::sleep_for(std::chrono::seconds(2));
        Options c = with(8);
        c.seconds = o.seconds - 2;
        cycles = run(c, 4 * o.intake_rate, [&](long i) { return cycle_request(o, i); });
    });
    std::thread t4(
        [&] { reads = run(with(4), o.read_rate, [&](long i) { return read_request(o, i); }); });
    for (std::thread* t : {&t1, &t2, &t3, &t4})
        t->join();
    std::this_thread::sleep_for(std::chrono::seconds(2)); // the last events reach the consoles
    stop = true;
    for (auto& fd : fds)
        shutdown(fd, SHUT_RDWR);
    for (auto& t : ws)
        t.join();
    benchmarks.push_back(entry("soak_incident_create", intake, o.intake_rate));
    benchmarks.push_back(entry("soak_position_update", positions, o.position_rate));
    benchmarks.push_back(entry("soak_incident_lifecycle", cycles, 4 * o.intake_rate));
    benchmarks.push_back(entry("soak_read", reads, o.read_rate));
    Stats lag;
    int connected = 0;
    for (const auto& f : followers) {
        connected += f.connected ? 1 : 0;
        lag.ok += f.events;
        for (double ms : f.lag_ms)
            lag.latencies_us.push_back(ms * 1000);
    }
    lag.seconds = o.seconds;
    nlohmann::json j = entry("soak_event_lag", lag, 0);
    j["clients_connected"] = connected;
    j["clients"] = o.ws_clients;
    benchmarks.push_back(j);
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    std::vector<std::string> only;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        const std::string v = argv[i + 1];
        if (k == "--port")
            o.port = std::stoi(v);
        else if (k == "--token")
            o.token = v;
        else if (k == "--out")
            o.out = v;
        else if (k == "--connections")
            o.connections = std::stoi(v);
        else if (k == "--seconds")
            o.seconds = std::stod(v);
        else if (k == "--units")
            o.units = std::stoi(v);
        else if (k == "--bbox")
            std::sscanf(v.c_str(), "%lf,%lf,%lf,%lf", &o.south, &o.west, &o.north, &o.east);
        else if (k == "--intake-rate")
            o.intake_rate = std::stod(v);
        else if (k == "--position-rate")
            o.position_rate = std::stod(v);
        else if (k == "--read-rate")
            o.read_rate = std::stod(v);
        else if (k == "--ws-clients")
            o.ws_clients = std::stoi(v);
        else if (k == "--only")
            only.push_back(v);
    }
    if (o.port == 0 || o.token.empty() || o.out.empty()) {
        fmt::print(
            stderr,
            "usage: load_client --port P --token T --out FILE [--connections C] [--bbox S,W,N,E] "
            "[--intake-rate R] [--position-rate R] [--read-rate R] "
            "[--ws-clients N] "
            "[--seconds S] [--units N] [--only NAME]\n");
        return 2;
    }
    auto want = [&](const std::string& n) {
        return only.empty() || std::find(only.begin(), only.end(), n) != only.end();
    };
    nlohmann::json benchmarks = nlohmann::json::array();
    if (want("api_incident_create")) {
        benchmarks.push_back(entry("api_incident_create",
                                   run(o, 0, [&](long i) { return incident_request(o, i); }), 0));
    }
    if (want("api_incident_create_at_2000")) {
        benchmarks.push_back(entry("api_incident_create_at_2000",
                                   run(o, 2000, [&](long i) { return incident_request(o, i); }),
                                   2000));
    }
    if (want("api_position_update")) {
        benchmarks.push_back(entry("api_position_update",
                                   run(o, 0, [&](long i) { return position_request(o, i); }), 0));
    }
    // The floor under every route: a request that reads no body, checks no token and writes
    // nothing (GET /healthz), in the same closed loop. Only when asked by name.
    if (std::find(only.begin(), only.end(), "api_healthz") != only.end()) {
        const std::string healthz = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        benchmarks.push_back(entry("api_healthz", run(o, 0, [&](long) { return healthz; }), 0));
    }
    // The same reports as an AVL gateway relays them: 100 units' fixes per request over a few
    // connections (gateways, not vehicles, hold them).
    if (want("api_position_update_batch")) {
        constexpr int kBatch = 100;
        Options gateways = o;
        gateways.connections = std::max(1, o.connections / 8);
        Stats s = run(gateways, 0, [&](long i) { return position_batch_request(o, i, kBatch); });
        s.items_per_request = kBatch;
        benchmarks.push_back(entry("api_position_update_batch", s, 0));
    }
    // Intake as the issue states it: incidents at a steady rate (open loop) while every unit
    // keeps moving; latency of the incident creations only.
    // Only when asked by name (bench/intake/run.sh): it needs a road graph and areas.
    if (std::find(only.begin(), only.end(), "api_intake_with_moving_units") != only.end()) {
        Options moving = o;
        moving.connections = std::max(4, o.connections / 4);
        Stats positions;
        std::thread mover([&] {
            positions =
                run(moving, o.position_rate, [&](long i) { return moving_position_request(o, i); });
        });
        const Stats intake = run(o, o.intake_rate, [&](long i) { return intake_request(o, i); });
        mover.join();
        benchmarks.push_back(
            entry(fmt::format("api_intake_{:.0f}_per_s_{}_units_moving", o.intake_rate, o.units),
                  intake, o.intake_rate));
        benchmarks.push_back(entry("api_intake_background_positions", positions, o.position_rate));
    }
    // Only when asked by name (bench/soak/run.sh).
    if (std::find(only.begin(), only.end(), "api_soak") != only.end()) soak(o, benchmarks);
    nlohmann::json doc = {{"context",
                           {{"executable", "load_client"},
                            {"connections", o.connections},
                            {"seconds_per_measure", o.seconds}}},
                          {"benchmarks", benchmarks}};
    std::ofstream(o.out) << doc.dump(2) << "\n";
    return 0;
}
