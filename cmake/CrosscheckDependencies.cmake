# All third-party dependencies come from Debian 12 packages (see ops/install-deps).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

# librdkafka ships no CMake config: use pkg-config for the C and C++ libraries together.
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka rdkafka++)

# Debian's hiredis config insists on a version and gives variables, not a target.
find_package(Hiredis 0.14 REQUIRED)
if(NOT TARGET crosscheck_hiredis)
  add_library(crosscheck_hiredis INTERFACE)
  target_include_directories(crosscheck_hiredis SYSTEM INTERFACE ${HIREDIS_INCLUDE_DIRS})
  target_link_libraries(crosscheck_hiredis INTERFACE ${HIREDIS_LIBRARIES})
endif()

find_package(simdjson REQUIRED)
find_package(prometheus-cpp REQUIRED COMPONENTS core)
find_package(yaml-cpp REQUIRED)
find_package(CLI11 REQUIRED)
find_package(ICU REQUIRED COMPONENTS uc i18n)
find_package(pugixml REQUIRED)  # UN consolidated list importer
find_package(Boost 1.74 REQUIRED)  # Asio and Beast are header-only

if(CROSSCHECK_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(CROSSCHECK_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()
