#include "store/hash_chain.hpp"

#include <stdexcept>

#include <openssl/evp.h>

namespace pingan::store {
namespace {

std::string to_hex(const unsigned char* digest, unsigned len) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(static_cast<std::size_t>(len) * 2, '0');
    for (unsigned i = 0; i < len; ++i) {
        out[2 * i] = kHex[digest[i] >> 4];
        out[2 * i + 1] = kHex[digest[i] & 0xf];
    }
    return out;
}

void add_field(Sha256& h, std::string_view field) {
    h.update(std::to_string(field.size()));
    h.update(":");
    h.update(field);
    h.update(",");
}

} // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
    if (ctx_ == nullptr ||
        EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("OpenSSL SHA-256 unavailable");
    }
}

Sha256::~Sha256() {
    EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_));
}

void Sha256::update(std::string_view bytes) {
    EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), bytes.data(), bytes.size());
}

std::string Sha256::hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), digest, &len);
    return to_hex(digest, len);
}

std::string sha256_hex(std::string_view bytes) {
    Sha256 h;
    h.update(bytes);
    return h.hex();
}

std::string event_hash(std::string_view prev_hash, std::int64_t seq, base::TimeMs at,
                       std::string_view actor, std::string_view kind, std::string_view subject,
                       std::string_view payload) {
    Sha256 h;
    add_field(h, prev_hash);
    add_field(h, std::to_string(seq));
    add_field(h, std::to_string(at));
    add_field(h, actor);
    add_field(h, kind);
    add_field(h, subject);
    add_field(h, payload);
    return h.hex();
}

} // namespace pingan::store
