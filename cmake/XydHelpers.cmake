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

# Registers a test program with CTest (internal to xyd_test and xyd_backend_test).
function(_xyd_add_test name program timeout labels)
  add_test(NAME ${name} COMMAND ${program} --log_level=test_suite --report_level=short --color_output=no)
  if(NOT timeout)
    set(timeout 300)
  endif()
  set_tests_properties(${name} PROPERTIES TIMEOUT ${timeout} LABELS "${labels}")
endfunction()

# xyd_test(NAME name SRCS ... DEPS ... [LABELS ...] [TIMEOUT s]): a Boost.Test program run by CTest.
function(xyd_test)
  cmake_parse_arguments(X "" "NAME;TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  xyd_program(NAME ${X_NAME} SRCS ${X_SRCS} DEPS ${X_DEPS} Boost::unit_test_framework)
  target_compile_definitions(${X_NAME} PRIVATE BOOST_TEST_DYN_LINK)
  _xyd_add_test(${X_NAME} ${X_NAME} "${X_TIMEOUT}" "${X_LABELS}")
endfunction()

# xyd_backend_test(NAME stem [PROGRAM program] SRCS ... DEPS ... BACKENDS embedded kafka
# [TIMEOUT s]): one Boost.Test program (PROGRAM, <stem>_test unless told), compiled once and
# registered with CTest once per backend as <stem>_<backend>, labelled with the backend and with
# XYD_TEST_BACKEND=<backend> in its environment (tests/support/backend.h reads it). The Kafka
# registrations share the one test broker, its xyd topics and consumer groups (a processor in one
# test would take another's commands), so they hold the lock xyd_kafka_broker: under ctest -j N
# they run one at a time, beside the unit and embedded tests.
function(xyd_backend_test)
  cmake_parse_arguments(X "" "NAME;PROGRAM;TIMEOUT" "SRCS;DEPS;BACKENDS" ${ARGN})
  if(NOT X_PROGRAM)
    set(X_PROGRAM ${X_NAME}_test)
  endif()
  xyd_program(NAME ${X_PROGRAM} SRCS ${X_SRCS} DEPS ${X_DEPS} Boost::unit_test_framework)
  target_compile_definitions(${X_PROGRAM} PRIVATE BOOST_TEST_DYN_LINK)
  foreach(backend ${X_BACKENDS})
    _xyd_add_test(${X_NAME}_${backend} ${X_PROGRAM} "${X_TIMEOUT}" ${backend})
    set_tests_properties(${X_NAME}_${backend} PROPERTIES ENVIRONMENT "XYD_TEST_BACKEND=${backend}")
    if(backend STREQUAL "kafka")
      set_tests_properties(${X_NAME}_${backend} PROPERTIES RESOURCE_LOCK xyd_kafka_broker)
    endif()
  endforeach()
endfunction()
