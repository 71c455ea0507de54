// Where the integration tests find their servers, and unique names so that parallel or repeated
// runs never collide.
//
// tests/run starts one Kafka broker and one Redis per run and exports
//   CROSSCHECK_TEST_KAFKA=127.0.0.1:<port>   CROSSCHECK_TEST_REDIS=127.0.0.1:<port>
// A test that needs a server calls CROSSCHECK_REQUIRE_KAFKA() / CROSSCHECK_REQUIRE_REDIS(). When
// the variable is absent the test is skipped with a message saying how to run it; when
// CROSSCHECK_REQUIRE_SERVERS=1 (set by tests/run and CI) a missing server fails the test instead,
// so a misconfigured CI run cannot pass by skipping.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

namespace crosscheck::testing {

std::optional<std::string> kafka_bootstrap();
std::optional<std::string> redis_address();
bool servers_required();

// "<stem>-<pid>-<counter>-<random hex>": unique across processes and runs.
std::string unique_name(std::string_view stem);

// The directory that holds the built executables (CROSSCHECK_BIN_DIR, set by CMake for tests).
std::string bin_dir();
// The repository root (CROSSCHECK_SOURCE_DIR, set by CMake for tests).
std::string source_dir();

// The shared data folder beside the repository (read-only, never copied in): the value of
// CROSSCHECK_SHARED_DATA when set, else <source_dir>/../shared/data. `relative` is appended.
std::string shared_data_path(std::string_view relative = {});
bool path_exists(const std::string& path);

// A free TCP port on 127.0.0.1 (bound and released; good enough for a test).
int free_port();

}  // namespace crosscheck::testing

#define CROSSCHECK_REQUIRE_SERVER_(getter, var, what)                                          \
  do {                                                                                         \
    if (!::crosscheck::testing::getter()) {                                                    \
      if (::crosscheck::testing::servers_required()) {                                         \
        FAIL() << var " is not set but CROSSCHECK_REQUIRE_SERVERS=1: " what " missing";        \
      }                                                                                        \
      GTEST_SKIP() << "needs a " what ": run through tests/run, or set " var "=host:port";     \
    }                                                                                          \
  } while (0)

#define CROSSCHECK_REQUIRE_KAFKA() CROSSCHECK_REQUIRE_SERVER_(kafka_bootstrap, "CROSSCHECK_TEST_KAFKA", "Kafka broker")
#define CROSSCHECK_REQUIRE_REDIS() CROSSCHECK_REQUIRE_SERVER_(redis_address, "CROSSCHECK_TEST_REDIS", "Redis server")

// Skips the test, saying what is missing and where it was looked for, when the shared data file
// or folder `relative` (e.g. "watchlists/un/consolidated-2026-02-27.xml") is absent.
#define CROSSCHECK_REQUIRE_SHARED_DATA(relative)                                                  \
  do {                                                                                            \
    const std::string cc_shared_path_ = ::crosscheck::testing::shared_data_path(relative);        \
    if (!::crosscheck::testing::path_exists(cc_shared_path_)) {                                   \
      GTEST_SKIP() << "shared data not available: " << cc_shared_path_                            \
                   << " is absent (the ../shared folder beside the repository, or set "           \
                      "CROSSCHECK_SHARED_DATA)";                                                  \
    }                                                                                             \
  } while (0)
