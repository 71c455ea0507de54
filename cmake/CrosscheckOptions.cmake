# Warnings and sanitizers, applied through one interface target that every target links.
add_library(crosscheck_options INTERFACE)
target_compile_options(crosscheck_options INTERFACE -Wall -Wextra -Werror -Wpedantic
  -Wno-error=deprecated-declarations)
# simdjson On-Demand picks its SIMD kernel at compile time: without a -march it falls back to the
# scalar kernel. x86-64-v2 (SSE4.2 + CLMUL, every x86 server since 2009) selects the westmere
# kernel; set CROSSCHECK_MARCH=x86-64-v3 (AVX2, haswell kernel) where all hosts have it, or to
# empty to use the compiler's default.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  set(CROSSCHECK_MARCH "x86-64-v2" CACHE STRING "-march for all targets (empty: compiler default)")
else()
  set(CROSSCHECK_MARCH "" CACHE STRING "-march for all targets (empty: compiler default)")
endif()
if(CROSSCHECK_MARCH)
  add_compile_options(-march=${CROSSCHECK_MARCH})
endif()
if(CROSSCHECK_ASAN)
  target_compile_options(crosscheck_options INTERFACE -fsanitize=address -fno-omit-frame-pointer)
  target_link_options(crosscheck_options INTERFACE -fsanitize=address)
endif()
if(CROSSCHECK_UBSAN)
  target_compile_options(crosscheck_options INTERFACE -fsanitize=undefined -fno-sanitize-recover=undefined)
  target_link_options(crosscheck_options INTERFACE -fsanitize=undefined)
endif()
