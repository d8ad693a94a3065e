// The events of the Institution (金融机构) aggregate (shared/DOMAIN.md): their names, and each one's
// data as a struct (events/schema/payload.h): its fields with named types for their kinds,
// std::optional where only some events carry one. The catalog (events/catalog.h) is made from these
// structs; deciders and projections name events by the constants and read data by decode<>().
// Pure; any thread.
#pragma once

#include "events/schema/payload.h"

namespace xyd::events::institution {

inline constexpr char kInstitutionOnboarded[] = "InstitutionOnboarded";
inline constexpr char kInstitutionUpdated[] = "InstitutionUpdated";
inline constexpr char kInstitutionSuspended[] = "InstitutionSuspended";
inline constexpr char kInstitutionResumed[] = "InstitutionResumed";
inline constexpr char kInstitutionRemoved[] = "InstitutionRemoved";
inline constexpr char kManagerAdded[] = "ManagerAdded";
inline constexpr char kManagerRemoved[] = "ManagerRemoved";
inline constexpr char kManagerEnabled[] = "ManagerEnabled";
inline constexpr char kManagerDisabled[] = "ManagerDisabled";

// Each event's data (events/schema/payload.h).
struct InstitutionOnboarded {
  static constexpr const char* kName = kInstitutionOnboarded;
  std::string type;
  std::string full_name;
  std::string short_name;
  std::string region;
  std::optional<std::string> parent;
  static constexpr auto members() {
    return std::tuple{member("type", &InstitutionOnboarded::type),
                      member("full_name", &InstitutionOnboarded::full_name),
                      member("short_name", &InstitutionOnboarded::short_name),
                      member("region", &InstitutionOnboarded::region), member("parent", &InstitutionOnboarded::parent)};
  }
};

struct InstitutionUpdated {
  static constexpr const char* kName = kInstitutionUpdated;
  Object changes;
  std::optional<std::string> by;
  static constexpr auto members() {
    return std::tuple{member("changes", &InstitutionUpdated::changes), member("by", &InstitutionUpdated::by)};
  }
};

struct InstitutionSuspended {
  static constexpr const char* kName = kInstitutionSuspended;
  std::string reason;
  std::optional<std::string> by;
  static constexpr auto members() {
    return std::tuple{member("reason", &InstitutionSuspended::reason), member("by", &InstitutionSuspended::by)};
  }
};

struct InstitutionResumed {
  static constexpr const char* kName = kInstitutionResumed;
  std::optional<std::string> by;
  static constexpr auto members() { return std::tuple{member("by", &InstitutionResumed::by)}; }
};

struct InstitutionRemoved {
  static constexpr const char* kName = kInstitutionRemoved;
  std::optional<std::string> by;
  static constexpr auto members() { return std::tuple{member("by", &InstitutionRemoved::by)}; }
};

struct ManagerAdded {
  static constexpr const char* kName = kManagerAdded;
  std::string manager;
  std::optional<std::string> by;
  static constexpr auto members() {
    return std::tuple{member("manager", &ManagerAdded::manager), member("by", &ManagerAdded::by)};
  }
};

struct ManagerRemoved {
  static constexpr const char* kName = kManagerRemoved;
  std::string manager;
  std::optional<std::string> by;
  static constexpr auto members() {
    return std::tuple{member("manager", &ManagerRemoved::manager), member("by", &ManagerRemoved::by)};
  }
};

struct ManagerEnabled {
  static constexpr const char* kName = kManagerEnabled;
  std::string manager;
  std::optional<std::string> by;
  static constexpr auto members() {
    return std::tuple{member("manager", &ManagerEnabled::manager), member("by", &ManagerEnabled::by)};
  }
};

struct ManagerDisabled {
  static constexpr const char* kName = kManagerDisabled;
  std::string manager;
  std::optional<std::string> by;
  static constexpr auto members() {
    return std::tuple{member("manager", &ManagerDisabled::manager), member("by", &ManagerDisabled::by)};
  }
};

// Every event of the aggregate, as declared.
const AggregateEvents& schema();

}  // namespace xyd::events::institution
