// The events of the Product (金融产品) aggregate (shared/DOMAIN.md): their names, and each one's
// data as a struct (events/schema/payload.h): its fields with named types for their kinds,
// std::optional where only some events carry one. The catalog (events/catalog.h) is made from these
// structs; deciders and projections name events by the constants and read data by decode<>().
// Pure; any thread.
#pragma once

#include "events/schema/payload.h"

namespace xyd::events::product {

inline constexpr char kProductPublished[] = "ProductPublished";
inline constexpr char kProductUpdated[] = "ProductUpdated";
inline constexpr char kProductDisabled[] = "ProductDisabled";
inline constexpr char kProductEnabled[] = "ProductEnabled";
inline constexpr char kProductWithdrawn[] = "ProductWithdrawn";

// Each event's data (events/schema/payload.h).
struct ProductPublished {
  static constexpr const char* kName = kProductPublished;
  std::string institution;
  std::string name;
  std::string product_type;
  Fen amount_min;
  Fen amount_max;
  BasisPoints rate_min_bp;
  BasisPoints rate_max_bp;
  int64_t term_min_months = 0;
  int64_t term_max_months = 0;
  List service_regions;
  bool featured = false;
  Object admission_rules;
  std::string docking_mode;
  std::optional<std::string> link;
  std::optional<std::string> description;
  static constexpr auto members() {
    return std::tuple{member("institution", &ProductPublished::institution),
                      member("name", &ProductPublished::name),
                      member("product_type", &ProductPublished::product_type),
                      member("amount_min", &ProductPublished::amount_min),
                      member("amount_max", &ProductPublished::amount_max),
                      member("rate_min_bp", &ProductPublished::rate_min_bp),
                      member("rate_max_bp", &ProductPublished::rate_max_bp),
                      member("term_min_months", &ProductPublished::term_min_months),
                      member("term_max_months", &ProductPublished::term_max_months),
                      member("service_regions", &ProductPublished::service_regions),
                      member("featured", &ProductPublished::featured),
                      member("admission_rules", &ProductPublished::admission_rules),
                      member("docking_mode", &ProductPublished::docking_mode),
                      member("link", &ProductPublished::link),
                      member("description", &ProductPublished::description)};
  }
};

struct ProductUpdated {
  static constexpr const char* kName = kProductUpdated;
  Object changes;
  std::optional<std::string> by;
  static constexpr auto members() {
    return std::tuple{member("changes", &ProductUpdated::changes), member("by", &ProductUpdated::by)};
  }
};

struct ProductDisabled {
  static constexpr const char* kName = kProductDisabled;
  std::optional<std::string> by;
  static constexpr auto members() { return std::tuple{member("by", &ProductDisabled::by)}; }
};

struct ProductEnabled {
  static constexpr const char* kName = kProductEnabled;
  std::optional<std::string> by;
  static constexpr auto members() { return std::tuple{member("by", &ProductEnabled::by)}; }
};

struct ProductWithdrawn {
  static constexpr const char* kName = kProductWithdrawn;
  std::optional<std::string> by;
  static constexpr auto members() { return std::tuple{member("by", &ProductWithdrawn::by)}; }
};

// Every event of the aggregate, as declared.
const AggregateEvents& schema();

}  // namespace xyd::events::product
