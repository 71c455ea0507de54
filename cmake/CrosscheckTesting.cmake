# crosscheck_add_test(NAME n SOURCES ... LIBS ... LABEL unit|integration|robustness [TIMEOUT s])
#
# Test tiers are ctest labels: `ctest -L unit` needs no server; `integration` and `robustness`
# need the Kafka broker and Redis that tests/run starts (CROSSCHECK_TEST_KAFKA / CROSSCHECK_TEST_REDIS).
include(GoogleTest)
function(crosscheck_add_test)
  cmake_parse_arguments(T "" "NAME;LABEL;TIMEOUT" "SOURCES;LIBS" ${ARGN})
  if(NOT T_LABEL MATCHES "^(unit|integration|robustness)$")
    message(FATAL_ERROR "crosscheck_add_test(${T_NAME}): LABEL must be unit, integration or robustness, got '${T_LABEL}'")
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gmock GTest::gtest_main crosscheck_options)
  gtest_discover_tests(${T_NAME}
    PROPERTIES LABELS ${T_LABEL} TIMEOUT ${T_TIMEOUT}
    DISCOVERY_TIMEOUT 60)
endfunction()
