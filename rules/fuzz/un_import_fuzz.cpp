// libFuzzer target: the UN consolidated list XML importer (seeded from
// tests/fixtures/watchlists/un/consolidated-sample.xml).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  crosscheck::rules::fuzz::check_import(crosscheck::rules::import_un_xml(xml));
  return 0;
}
