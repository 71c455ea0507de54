# Warnings and sanitizers, applied through one interface target that every target links.
add_library(crosscheck_options INTERFACE)
target_compile_options(crosscheck_options INTERFACE -Wall -Wextra -Werror -Wpedantic
  -Wno-error=deprecated-declarations)
if(CROSSCHECK_ASAN)
  target_compile_options(crosscheck_options INTERFACE -fsanitize=address -fno-omit-frame-pointer)
  target_link_options(crosscheck_options INTERFACE -fsanitize=address)
endif()
if(CROSSCHECK_UBSAN)
  target_compile_options(crosscheck_options INTERFACE -fsanitize=undefined -fno-sanitize-recover=undefined)
  target_link_options(crosscheck_options INTERFACE -fsanitize=undefined)
endif()
