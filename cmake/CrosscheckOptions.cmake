# Warnings and sanitizers, applied through one interface target that every target links.
add_library(crosscheck_options INTERFACE)
target_compile_options(crosscheck_options INTERFACE -Wall -Wextra -Werror -Wpedantic
  -Wno-error=deprecated-declarations)
# simdjson On-Demand picks its SIMD kernel at compile time (SIMDJSON_BUILTIN_IMPLEMENTATION):
# without a -march it compiles the scalar fallback. Its westmere kernel needs SSE4.2 *and*
# PCLMULQDQ, which x86-64-v2 alone lacks, hence "-march=x86-64-v2 -mpclmul" (every x86 server since
# 2010). "-march=x86-64-v3 -mpclmul" selects the AVX2 haswell kernel where all hosts have it; an
# empty value uses the compiler's default (fallback kernel). The benchmark prints the kernel.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  set(CROSSCHECK_MARCH "x86-64-v2 -mpclmul" CACHE STRING "-march (and extra ISA flags) for all targets; empty: compiler default")
else()
  set(CROSSCHECK_MARCH "" CACHE STRING "-march (and extra ISA flags) for all targets; empty: compiler default")
endif()
if(CROSSCHECK_MARCH)
  separate_arguments(crosscheck_march_flags UNIX_COMMAND "-march=${CROSSCHECK_MARCH}")
  add_compile_options(${crosscheck_march_flags})
endif()
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 at -O3 (the Release build type) reports -Wrestrict inside libstdc++'s std::string
  # ("a memcpy of 9223372036854775810 bytes may overlap", from "text" + std::string under C++20):
  # a known false positive, in 13 of our files. Keep the warning, but not as an error. The default
  # RelWithDebInfo (-O2) does not report it.
  target_compile_options(crosscheck_options INTERFACE -Wno-error=restrict)
endif()
if((CROSSCHECK_ASAN OR CROSSCHECK_UBSAN) AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 reports -Wmaybe-uninitialized false positives inside libstdc++ (<regex>, std::function)
  # once sanitizers change inlining; keep the warning, but not as an error, in these builds only.
  target_compile_options(crosscheck_options INTERFACE -Wno-error=maybe-uninitialized)
endif()
if(CROSSCHECK_ASAN)
  target_compile_options(crosscheck_options INTERFACE -fsanitize=address -fno-omit-frame-pointer)
  target_link_options(crosscheck_options INTERFACE -fsanitize=address)
endif()
if(CROSSCHECK_UBSAN)
  target_compile_options(crosscheck_options INTERFACE -fsanitize=undefined -fno-sanitize-recover=undefined)
  target_link_options(crosscheck_options INTERFACE -fsanitize=undefined)
endif()
