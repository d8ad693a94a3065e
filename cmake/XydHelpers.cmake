# xyd_library(NAME name SRCS ... DEPS ... [PUBLIC_DEPS ...]): one library per folder, its
# dependencies spelled out so the direction of the build is visible (as absl_cc_library does).
function(xyd_library)
  cmake_parse_arguments(X "" "NAME" "SRCS;DEPS" ${ARGN})
  add_library(${X_NAME} STATIC ${X_SRCS})
  target_include_directories(${X_NAME} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${X_NAME} PUBLIC ${X_DEPS})
  set_target_properties(${X_NAME} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()

# xyd_program(NAME name SRCS ... DEPS ...): an executable, linked with the programs' allocator.
function(xyd_program)
  cmake_parse_arguments(X "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${X_NAME} ${X_SRCS})
  target_link_libraries(${X_NAME} PRIVATE ${X_DEPS} PkgConfig::TCMALLOC)
endfunction()

# xyd_test(NAME name SRCS ... DEPS ... [LABELS ...] [TIMEOUT s]): a Boost.Test program run by CTest.
function(xyd_test)
  cmake_parse_arguments(X "" "NAME;TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  xyd_program(NAME ${X_NAME} SRCS ${X_SRCS} DEPS ${X_DEPS} Boost::unit_test_framework)
  target_compile_definitions(${X_NAME} PRIVATE BOOST_TEST_DYN_LINK)
  add_test(NAME ${X_NAME} COMMAND ${X_NAME} --log_level=test_suite --report_level=short --color_output=no)
  if(NOT X_TIMEOUT)
    set(X_TIMEOUT 300)
  endif()
  set_tests_properties(${X_NAME} PROPERTIES TIMEOUT ${X_TIMEOUT} LABELS "${X_LABELS}")
endfunction()
