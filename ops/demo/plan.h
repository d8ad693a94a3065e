// The demo's plan: everything `xyd demo` creates, decided up front from a seed (a std::mt19937_64,
// no clock), so that the same seed gives the same dataset and two seeds do not collide (phones,
// USCCs and ids carry the seed). Pure: no I/O; the driver (driver.h) turns it into REST calls.
// Business dates are counted back from a base date given by the caller (`xyd demo`: today, so the
// history ends today), or derived from the seed when none is given; never read from a clock here.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace xyd::ops::demo {

// How an application's life goes; the order is the summary's.
enum class Path { settled, repaying, overdue, bad_debt, accepted, terminated, declined, withdrawn, assigned };
constexpr size_t kPathCount = 9;
const char* path_name(Path path);
// The status an order that took `path` ends in.
const char* expected_status(Path path);

// The lifecycle mix (percent of applications), tunable; `assigned` takes the rest.
struct PathMix {
  int settled = 35, repaying = 15, overdue = 8, bad_debt = 5, accepted = 10, terminated = 8, declined = 8,
      withdrawn = 5;
};

struct Repayment {
  int installment = 1;
  int64_t principal = 0, interest = 0, penalty = 0;  // fen
  std::string paid_at;
};

struct Loan {
  std::string number;
  int64_t amount = 0;  // fen
  int64_t rate_bp = 0;
  std::string disbursed_at, maturity, repayment_method;
  std::vector<Repayment> repayments;  // in order; for `settled` the last one clears the loan
  int64_t outstanding_after_repayments = 0;
};

struct Overdue {
  std::string loan_number;
  int64_t days_past_due = 0, overdue_principal = 0;
  std::string as_of;
};

struct WriteOff {
  std::string loan_number;
  int64_t amount = 0;
  std::string as_of;
};

struct Credit {
  std::string number;
  int64_t amount = 0, rate_bp = 0;
  int term_months = 0;
  std::string granted_at, valid_until;
};

struct ApplicationPlan {
  std::string id;      // "app-d<seed>-<enterprise>-<k>"
  size_t product = 0;  // index into DemoPlan::products
  int64_t amount = 0;  // fen
  int term_months = 0;
  std::string purpose, channel;
  std::optional<size_t> demand;  // index into DemoPlan::demands, when it converts one
  Path path = Path::assigned;
  int64_t intended_amount = 0;
  bool accepted_first = false;  // terminated / withdrawn after acceptance rather than before
  std::string reason;           // terminate / decline / withdraw
  std::string declined_at;
  Credit credit;
  std::vector<Loan> loans;
  std::optional<Overdue> overdue;
  std::optional<WriteOff> write_off;
};

struct DemandPlan {
  std::string id;  // "dem-d<seed>-<n>"
  size_t enterprise = 0;
  int64_t amount = 0;
  int term_months = 0;
  std::string region, product_type, purpose;
  std::optional<size_t> claimed_by;  // index into DemoPlan::managers
  std::string close_reason;          // "" open, "converted", "withdrawn"
};

struct EnterprisePlan {
  std::string uscc, id, name, legal_representative, region, industry, scale, founded_on;
  int64_t registered_capital = 0;  // fen
  size_t owner = 0;                // index into DemoPlan::users
  std::string certification;       // "" (never certifies), "basic", "legal_person", "manual"
  std::vector<ApplicationPlan> applications;
};

// An account the demo creates: a user registers itself, staff are created by an administrator.
struct AccountPlan {
  std::string phone, name, region;
  std::string kind;         // enterprise_user, institution_admin, account_manager, system_admin,
                            // government_national / _province / _city, auditor
  std::string institution;  // for institution staff
  std::string password;     // the one the demo sets (derived from the seed and the phone)
};

struct ProductPlan {
  std::string id, name, product_type, docking_mode, link, description;
  size_t institution = 0;
  int64_t amount_min = 0, amount_max = 0, rate_min_bp = 0, rate_max_bp = 0;
  int term_min_months = 0, term_max_months = 0;
  std::vector<std::string> service_regions;
  bool featured = false;
};

struct InstitutionPlan {
  std::string id, type, full_name, short_name, region;
  size_t admin = 0;              // index into DemoPlan::admins
  std::vector<size_t> managers;  // indexes into DemoPlan::managers
  std::vector<size_t> products;  // indexes into DemoPlan::products
};

struct DemoPlan {
  uint64_t seed = 0;
  std::string base_date;  // "YYYY-MM-DD": every business date is on or before it
  AccountPlan system_admin;
  std::vector<AccountPlan> admins, managers, users;
  // The readers of the dashboards, created by the system admin: national, the province with the
  // most enterprises, that province's busiest city, and an auditor.
  std::vector<AccountPlan> readers;
  std::vector<InstitutionPlan> institutions;
  std::vector<ProductPlan> products;
  std::vector<EnterprisePlan> enterprises;
  std::vector<DemandPlan> demands;

  size_t application_count() const;
  size_t accounts() const { return 1 + admins.size() + managers.size() + users.size() + readers.size(); }
  std::array<size_t, kPathCount> path_counts() const;
};

// The plan for `enterprises` enterprises, its business dates on or before `base_date`
// ("YYYY-MM-DD"; "": a date derived from the seed, in 2025).
DemoPlan make_plan(uint64_t seed, size_t enterprises, const PathMix& mix = {}, const std::string& base_date = "");

// Day arithmetic on "YYYY-MM-DD" (proleptic Gregorian).
int64_t days_from_date(const std::string& date);
std::string date_from_days(int64_t days);
std::string add_months(const std::string& date, int months);

}  // namespace xyd::ops::demo
