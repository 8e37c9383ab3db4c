# Warning flags for Strata's own targets (third-party headers are SYSTEM, so
# their warnings never show). Use strata_set_warnings(target) on each target.
function(strata_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
    -Wunused -Woverloaded-virtual -Wnull-dereference -Wdouble-promotion
    -Wformat=2 -Wimplicit-fallthrough)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # Known false positives of g++ 12 at -O2/-O3 inside libstdc++ and
    # Boost.Multiprecision (GCC bugs 105329, 105651, 106199): off rather than
    # coded around.
    target_compile_options(${target} PRIVATE
      -Wno-restrict -Wno-array-bounds -Wno-stringop-overflow
      -Wno-maybe-uninitialized -Wno-null-dereference)
  endif()
  if(STRATA_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
