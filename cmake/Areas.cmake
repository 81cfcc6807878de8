# awoooi_area(NAME DEPS ...): a static library from src/NAME/**/*.cc (without *_test, *_fuzz,
# *_bench files) and, when tests are on, one test binary from src/NAME/**/*_test.cc.
# Areas listed in AWOOOI_CONCURRENCY_AREAS label their tests `unit-concurrency` (`ctest -L concurrency`)
# and add their test binary to the target concurrency_tests (the tsan stage of scripts/test).
# In a ThreadSanitizer build every executable carries test/tsan/absl_mutex.cc, which makes Debian's
# (uninstrumented) absl::Mutex visible to TSan.
function(awoooi_executable_support tgt)
  if(AWOOOI_SANITIZE MATCHES "thread")
    target_sources(${tgt} PRIVATE ${CMAKE_SOURCE_DIR}/test/tsan/absl_mutex.cc)
    target_link_libraries(${tgt} PRIVATE ${CMAKE_DL_LIBS})
  endif()
endfunction()

function(awoooi_area name)
  string(REPLACE "/" "_" tgt ${name})
  cmake_parse_arguments(A "" "" "DEPS;TEST_DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/${name}/*.cc)
  list(FILTER srcs EXCLUDE REGEX "(_test|_fuzz|_bench)\\.cc$")
  if(srcs)
    add_library(awoooi_${tgt} STATIC ${srcs})
    target_link_libraries(awoooi_${tgt} PUBLIC awoooi_options ${A_DEPS})
  else()  # an area whose code has not landed yet
    add_library(awoooi_${tgt} INTERFACE)
    target_link_libraries(awoooi_${tgt} INTERFACE awoooi_options ${A_DEPS})
  endif()
  if(AWOOOI_BUILD_TESTS)
    file(GLOB_RECURSE tests CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/${name}/*_test.cc)
    if(tests)
      add_executable(awoooi_${tgt}_test ${tests})
      target_link_libraries(awoooi_${tgt}_test PRIVATE awoooi_${tgt} GTest::gtest GTest::gmock GTest::gtest_main ${A_TEST_DEPS})
      awoooi_executable_support(awoooi_${tgt}_test)
      target_compile_definitions(awoooi_${tgt}_test PRIVATE
        AWOOOI_SOURCE_DIR="${CMAKE_SOURCE_DIR}" AWOOOI_SHARED_DIR="${CMAKE_SOURCE_DIR}/test/testdata/shared")
      # One label per test: gtest_discover_tests splits a list of labels (CMake 3.25). Labels are
      # matched as regular expressions, so `ctest -L unit` still selects "unit-concurrency".
      set(label unit)
      if(name IN_LIST AWOOOI_CONCURRENCY_AREAS)
        set(label unit-concurrency)
        if(NOT TARGET concurrency_tests)
          add_custom_target(concurrency_tests)
        endif()
        add_dependencies(concurrency_tests awoooi_${tgt}_test)
      endif()
      gtest_discover_tests(awoooi_${tgt}_test DISCOVERY_TIMEOUT 120 PROPERTIES LABELS ${label})
    endif()
  endif()
endfunction()
