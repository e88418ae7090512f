// The floor of one HTTP request on this machine: a responder that does nothing but read each
// request on a keep-alive connection (header and Content-Length body) and answer 204, on one
// thread with epoll. What load_client measures against it is what the kernel's loopback TCP
// and the client cost; the gap to `pingan serve` on the same measure is the server's own.
// Not the product, and not run by `make bench` (bench/README.md, "HTTP API").
//
//   bare_responder --port P
#include <arpa/inet.h>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <string_view>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <unordered_map>

namespace {

constexpr std::string_view kAnswer = "HTTP/1.1 204 No Content\r\nServer: bare\r\n\r\n";

// Bytes of the first complete request in `in` (header and body), or 0 when it is not all there.
std::size_t complete_request(std::string_view in) {
    const std::size_t end = in.find("\r\n\r\n");
    if (end == std::string_view::npos) return 0;
    const std::string_view header = in.substr(0, end);
    std::size_t length = 0;
    for (std::size_t at = 0; at < header.size();) {
        const std::size_t eol = std::min(header.find("\r\n", at), header.size());
        const std::string_view line = header.substr(at, eol - at);
        constexpr std::string_view kName = "content-length:";
        if (line.size() > kName.size() &&
            strncasecmp(line.data(), kName.data(), kName.size()) == 0) {
            std::string_view v = line.substr(kName.size());
            while (!v.empty() && v.front() == ' ')
                v.remove_prefix(1);
            std::from_chars(v.data(), v.data() + v.size(), length);
        }
        at = eol + 2;
    }
    const std::size_t total = end + 4 + length;
    return in.size() >= total ? total : 0;
}

int fail(const char* what) {
    std::perror(what);
    return 1;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 3 || std::string_view(argv[1]) != "--port") {
        std::fprintf(stderr, "usage: bare_responder --port P\n");
        return 2;
    }
    const int port = std::atoi(argv[2]);
    const int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    const int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return fail("bind");
    if (listen(listener, 1024) != 0) return fail("listen");
    const int ep = epoll_create1(0);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = listener;
    epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);

    std::unordered_map<int, std::string> pending; // bytes read but not yet answered, per socket
    epoll_event ready[256];
    char buf[16 * 1024];
    for (;;) {
        const int n = epoll_wait(ep, ready, 256, -1);
        if (n < 0 && errno != EINTR) return fail("epoll_wait");
        for (int i = 0; i < n; ++i) {
            const int fd = ready[i].data.fd;
            if (fd == listener) {
                int c;
                while ((c = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK)) >= 0) {
                    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    epoll_event e{};
                    e.events = EPOLLIN;
                    e.data.fd = c;
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &e);
                    pending[c];
                }
                continue;
            }
            const ssize_t got = recv(fd, buf, sizeof buf, 0);
            if (got <= 0) {
                if (got < 0 && errno == EAGAIN) continue;
                close(fd);
                pending.erase(fd);
                continue;
            }
            std::string& in = pending[fd];
            in.append(buf, static_cast<std::size_t>(got));
            while (const std::size_t used = complete_request(in)) {
                send(fd, kAnswer.data(), kAnswer.size(), MSG_NOSIGNAL);
                in.erase(0, used);
            }
        }
    }
}
