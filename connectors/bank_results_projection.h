// The bank results view (projection `bank_results`): every result a bank reported, by
// institution and serial (applied, from the application events that carry a serial; rejected,
// from the dead letters on xyd.dlq), the per-bank error view (dead letters, oldest first), and
// the daily reconciliation counters per bank (counts and amounts by result type and the
// rejected ones, under the result's business date, else the China Standard Time day it arrived).
// It reads xyd.events.application and xyd.dlq, so it is rebuilt like any view and agrees across
// processes; a dead letter delivered twice counts once (by its id). Pure: the projection and
// the queries touch only the view they are given; one applying thread.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "projections/projection.h"

namespace xyd::connectors {

inline constexpr const char* kBankResultsView = "bank_results";

// Its spec: it reads xyd.events.application and xyd.dlq. It runs in the process's one projection
// runtime (ops/projection_commands.h: process_projections).
projections::ProjectionSpec bank_results_spec();

// {serial, institution, outcome: applied|rejected, type, application, amount, business_date,
//  event (applied) | reason and dead_letter (rejected), rejections: n}; nullopt when unknown.
Result<std::optional<nlohmann::json>> result_by_serial(const projections::ViewReader& view,
                                                       const std::string& institution, const std::string& serial);

// A page of the institution's dead letters, oldest first: {items, next_after}; `after` is the
// previous page's next_after.
Result<nlohmann::json> errors_page(const projections::ViewReader& view, const std::string& institution,
                                   const std::string& after, size_t limit);

// {institution, date, figures: {credit_granted, credit_declined, loan_disbursed,
//  repayment_received, loan_overdue, loan_written_off, rejected: {count, amount_fen}}}.
Result<nlohmann::json> reconciliation(const projections::ViewReader& view, const std::string& institution,
                                      const std::string& date);

}  // namespace xyd::connectors
