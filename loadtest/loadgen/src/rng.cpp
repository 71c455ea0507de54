#include "crosscheck/loadgen/rng.h"

namespace crosscheck::loadgen {

std::size_t Rng::weighted(std::span<const double> weights) {
  double total = 0;
  for (double w : weights) total += w;
  double x = unit() * total;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (x < weights[i]) return i;
    x -= weights[i];
  }
  for (std::size_t i = weights.size(); i-- > 0;) {
    if (weights[i] > 0) return i;
  }
  return 0;
}

std::string Rng::digits(std::size_t n) {
  std::string s(n, '0');
  for (char& c : s) c = digit();
  return s;
}
std::string Rng::letters(std::size_t n) {
  std::string s(n, 'A');
  for (char& c : s) c = letter();
  return s;
}
std::string Rng::alnums(std::size_t n) {
  std::string s(n, 'A');
  for (char& c : s) c = alnum();
  return s;
}

}  // namespace crosscheck::loadgen
