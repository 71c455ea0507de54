// A small, portable pseudo-random generator for the load generator.
//
// The standard distributions (std::uniform_int_distribution and friends) are implementation
// defined, so the same seed would give different events with libstdc++ and libc++. Everything
// here is specified bit for bit (SplitMix64 steps, Lemire's multiply-shift range reduction), so a
// seed gives the same stream on every machine and compiler.
// Thread-safety: an Rng is a value; one per thread (the generator makes one per event).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace crosscheck::loadgen {

// SplitMix64 finaliser: a good 64-bit mix of `x`.
constexpr std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The seed of event `index` of stream `seed`: every event has its own independent generator, so
// event i is the same whatever was generated before it.
constexpr std::uint64_t event_seed(std::uint64_t seed, std::uint64_t index) {
  return mix64(mix64(seed) ^ mix64(index + 0x632be59bd9b4e019ULL));
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); n > 0.
  std::uint64_t below(std::uint64_t n) {
    __extension__ using u128 = unsigned __int128;  // GCC and Clang; the high half of a 64x64 product
    return static_cast<std::uint64_t>((static_cast<u128>(next()) * n) >> 64);
  }
  // Uniform in [lo, hi], both included; lo <= hi.
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }
  // Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return unit() < p; }

  template <class T>
  const T& pick(std::span<const T> items) {
    return items[static_cast<std::size_t>(below(items.size()))];
  }
  template <class T, std::size_t N>
  const T& pick(const T (&items)[N]) {
    return items[static_cast<std::size_t>(below(N))];
  }
  // An index drawn with the given (non-negative, not all zero) weights.
  std::size_t weighted(std::span<const double> weights);

  char digit() { return static_cast<char>('0' + below(10)); }
  char letter() { return static_cast<char>('A' + below(26)); }
  char alnum() {
    const auto v = below(36);
    return v < 10 ? static_cast<char>('0' + v) : static_cast<char>('A' + v - 10);
  }
  std::string digits(std::size_t n);
  std::string letters(std::size_t n);
  std::string alnums(std::size_t n);

 private:
  std::uint64_t state_;
};

}  // namespace crosscheck::loadgen
