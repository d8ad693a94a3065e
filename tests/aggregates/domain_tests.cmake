# Unit tests of the pure domain of the financing lifecycle: reference data, rule
# sets, and the enterprise, institution, product, demand and application aggregates. Included by
# tests/CMakeLists.txt; paths are relative to tests/.
foreach(name reference enterprise institution product demand application)
  xyd_test(NAME ${name}_test
    SRCS aggregates/${name}_test.cc
    DEPS xyd_aggregates
    LABELS unit)
  target_compile_definitions(${name}_test PRIVATE XYD_RULES_DIR="${PROJECT_SOURCE_DIR}/ops/rules")
endforeach()

# The role x action matrix.
xyd_test(NAME access_test
  SRCS aggregates/access_test.cc
  DEPS xyd_aggregates
  LABELS unit)

# Every command's body fields against every JSON type and extreme value.
xyd_test(NAME command_fields_test
  SRCS aggregates/command_fields_test.cc
  DEPS xyd_aggregates
  LABELS unit)
