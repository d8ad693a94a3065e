# The sources of xyd_aggregates, the pure domain: one list, read by aggregates/CMakeLists.txt and
# by the sanitizer fuzz build (tests/fuzz/CMakeLists.txt), paths relative to aggregates/.
set(XYD_AGGREGATES_SOURCES
  identifiers.cc command.cc outcome.cc access.cc aggregate.cc account.cc
  fields.cc command_fields.cc reference.cc reference/regions_data.cc rule_eval.cc decide_table.cc
  enterprise.cc enterprise_certification.cc institution.cc product.cc demand.cc
  application.cc application_submit.cc application_handling.cc application_loans.cc)
