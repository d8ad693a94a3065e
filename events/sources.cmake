# The sources of xyd_events, the pure event core: one list, read by events/CMakeLists.txt and by
# the sanitizer fuzz build (tests/fuzz/CMakeLists.txt), paths relative to events/.
set(XYD_EVENTS_SOURCES
  result.cc numbers.cc murmur2.cc envelope.cc catalog.cc codec.cc json_input.cc resting_offsets.cc
  schema/field.cc schema/account.cc schema/enterprise.cc schema/institution.cc schema/product.cc
  schema/demand.cc schema/application.cc)
