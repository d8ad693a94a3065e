// The events of the Demand (融资需求) aggregate (shared/DOMAIN.md): their names, and each one's
// data as a struct (events/schema/payload.h): its fields with named types for their kinds,
// std::optional where only some events carry one. The catalog (events/catalog.h) is made from these
// structs; deciders and projections name events by the constants and read data by decode<>().
// Pure; any thread.
#pragma once

#include "events/schema/payload.h"

namespace xyd::events::demand {

inline constexpr char kDemandPublished[] = "DemandPublished";
inline constexpr char kDemandClaimed[] = "DemandClaimed";
inline constexpr char kDemandAssigned[] = "DemandAssigned";
inline constexpr char kDemandClosed[] = "DemandClosed";

// Each event's data (events/schema/payload.h).
struct DemandPublished {
  static constexpr const char* kName = kDemandPublished;
  std::string enterprise;
  Fen amount;
  int64_t term_months = 0;
  std::string region;
  std::string product_type;
  std::string purpose;
  std::optional<std::string> owner;
  std::optional<std::string> industry;
  static constexpr auto members() {
    return std::tuple{member("enterprise", &DemandPublished::enterprise),
                      member("amount", &DemandPublished::amount),
                      member("term_months", &DemandPublished::term_months),
                      member("region", &DemandPublished::region),
                      member("product_type", &DemandPublished::product_type),
                      member("purpose", &DemandPublished::purpose),
                      member("owner", &DemandPublished::owner),
                      member("industry", &DemandPublished::industry)};
  }
};

struct DemandClaimed {
  static constexpr const char* kName = kDemandClaimed;
  std::string manager;
  std::optional<std::string> institution;
  static constexpr auto members() {
    return std::tuple{member("manager", &DemandClaimed::manager), member("institution", &DemandClaimed::institution)};
  }
};

struct DemandAssigned {
  static constexpr const char* kName = kDemandAssigned;
  std::string manager;
  std::string by;
  std::optional<std::string> institution;
  static constexpr auto members() {
    return std::tuple{member("manager", &DemandAssigned::manager), member("by", &DemandAssigned::by),
                      member("institution", &DemandAssigned::institution)};
  }
};

struct DemandClosed {
  static constexpr const char* kName = kDemandClosed;
  std::string reason;
  std::optional<std::string> by;
  std::optional<std::string> application;
  static constexpr auto members() {
    return std::tuple{member("reason", &DemandClosed::reason), member("by", &DemandClosed::by),
                      member("application", &DemandClosed::application)};
  }
};

// Every event of the aggregate, as declared.
const AggregateEvents& schema();

}  // namespace xyd::events::demand
