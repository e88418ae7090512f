// SHA-256 (OpenSSL): digests of events, blobs, imported files and tokens.
#pragma once

#include <string>
#include <string_view>

namespace pingan::base {

// Incremental SHA-256 for digests over many records.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(std::string_view bytes);
    std::string hex(); // finishes the digest: 64 lower-case hex digits
private:
    void* ctx_; // EVP_MD_CTX
};

// Lower-case hex SHA-256 of arbitrary bytes.
std::string sha256_hex(std::string_view bytes);

} // namespace pingan::base
