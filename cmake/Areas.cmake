# awoooi_area(NAME DEPS ...): a static library from src/NAME/**/*.cc (without *_test, *_fuzz,
# *_bench files) and, when tests are on, one test binary from src/NAME/**/*_test.cc.
function(awoooi_area name)
  cmake_parse_arguments(A "" "" "DEPS;TEST_DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/${name}/*.cc)
  list(FILTER srcs EXCLUDE REGEX "(_test|_fuzz|_bench)\\.cc$")
  if(srcs)
    add_library(awoooi_${name} STATIC ${srcs})
    target_link_libraries(awoooi_${name} PUBLIC awoooi_options ${A_DEPS})
  else()  # an area whose code has not landed yet
    add_library(awoooi_${name} INTERFACE)
    target_link_libraries(awoooi_${name} INTERFACE awoooi_options ${A_DEPS})
  endif()
  if(AWOOOI_BUILD_TESTS)
    file(GLOB_RECURSE tests CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/${name}/*_test.cc)
    if(tests)
      add_executable(awoooi_${name}_test ${tests})
      target_link_libraries(awoooi_${name}_test PRIVATE awoooi_${name} GTest::gtest GTest::gmock GTest::gtest_main ${A_TEST_DEPS})
      target_compile_definitions(awoooi_${name}_test PRIVATE
        AWOOOI_SOURCE_DIR="${CMAKE_SOURCE_DIR}" AWOOOI_SHARED_DIR="${CMAKE_SOURCE_DIR}/../shared")
      gtest_discover_tests(awoooi_${name}_test DISCOVERY_TIMEOUT 120 PROPERTIES LABELS unit)
    endif()
  endif()
endfunction()
