// libFuzzer target: the OFAC SDN CSV importer. The input is sdn.csv, optionally followed by
// "\n#ALT#\n" and alt.csv, and "\n#ADD#\n" and add.csv (seeded from tests/fixtures/watchlists/ofac).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view sdn = input, alt, add;
  if (auto p = sdn.find("\n#ADD#\n"); p != std::string_view::npos) {
    add = sdn.substr(p + 7);
    sdn = sdn.substr(0, p);
  }
  if (auto p = sdn.find("\n#ALT#\n"); p != std::string_view::npos) {
    alt = sdn.substr(p + 7);
    sdn = sdn.substr(0, p);
  }
  crosscheck::rules::fuzz::check_import(crosscheck::rules::import_ofac_sdn_csv(sdn, alt, add));
  return 0;
}
