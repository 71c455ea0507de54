// SHA-256 (FIPS 180-4), for digests that name content: the digest of a rule's canonical text that
// flags carry, and the hashed identifiers in Redis keys of windowed aggregates (no raw IBAN in
// Redis). Not a keyed hash: use it to name and compare content, not to hide low-entropy values
// from someone who can enumerate them.
// Thread-safety: a Sha256 object is not shared; the free function is pure.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace crosscheck {

class Sha256 {
 public:
  void update(std::string_view data) { update(reinterpret_cast<const unsigned char*>(data.data()), data.size()); }
  void update(const unsigned char* data, std::size_t size);
  // The 32-byte digest. The object must not be updated afterwards.
  std::array<unsigned char, 32> finish();
  // The first `digits` (at most 64) lowercase hex digits of the digest, written to `out` (no NUL):
  // no allocation, for hot paths.
  void finish_hex(char* out, std::size_t digits);

 private:
  void block(const unsigned char* p);
  std::array<std::uint32_t, 8> h_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::array<unsigned char, 64> buf_{};
  std::size_t used_ = 0;
  std::uint64_t total_ = 0;
};

// The first `digits` (at most 64) lowercase hex digits of SHA-256(data).
std::string sha256_hex(std::string_view data, std::size_t digits = 64);

}  // namespace crosscheck
