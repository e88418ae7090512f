#include <gtest/gtest.h>

#include "base/sha256.hpp"

namespace pingan::base {
namespace {

// FIPS 180-2 test vectors.
TEST(Sha256, KnownDigests) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, InPiecesIsTheSameAsWhole) {
    const std::string text = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    Sha256 h;
    h.update(text.substr(0, 7));
    h.update("");
    h.update(text.substr(7));
    const std::string pieces = h.hex();
    EXPECT_EQ(pieces, sha256_hex(text));
    EXPECT_EQ(pieces, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

} // namespace
} // namespace pingan::base
