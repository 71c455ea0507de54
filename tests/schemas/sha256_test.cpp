// SHA-256 against the FIPS 180-4 / NIST example vectors, including the multi-block and
// padding-boundary cases, fed whole and byte by byte.
#include <gtest/gtest.h>

#include <string>

#include "crosscheck/sha256.h"

namespace crosscheck {
namespace {

std::string bytewise(std::string_view data) {
  Sha256 h;
  for (char c : data) h.update(std::string_view(&c, 1));
  std::string out(64, '0');
  h.finish_hex(out.data(), out.size());
  return out;
}

TEST(Sha256, NistVectors) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",  // 448 bits: padding spills
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {std::string(1000000, 'a'), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
  };
  for (const auto& [input, digest] : vectors) {
    EXPECT_EQ(sha256_hex(input), digest) << input.size() << " bytes";
    if (input.size() < 100) {
      EXPECT_EQ(bytewise(input), digest) << input;
    }
  }
}

TEST(Sha256, Prefixes) {
  EXPECT_EQ(sha256_hex("abc", 32), "ba7816bf8f01cfea414140de5dae2223");
  EXPECT_EQ(sha256_hex("abc", 0), "");
  EXPECT_EQ(sha256_hex("abc", 100).size(), 64u) << "at most the whole digest";
}

}  // namespace
}  // namespace crosscheck
