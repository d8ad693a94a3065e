#include "api/access_check.h"

#include <set>

#include "aggregates/aggregate.h"
#include "api/command_handler.h"

namespace xyd::api {

Status allow(const Request& request, const std::string& action, const domain::Subject& subject) {
  return domain::authorize(principal_of(request).actor, action, subject);
}

Handler guarded(std::string action, Handler handler) {
  return [action = std::move(action), handler = std::move(handler)](const Request& request) -> Result<Response> {
    XYD_RETURN_IF_ERROR(allow(request, action));
    return handler(request);
  };
}

Result<domain::AggregateState> readable_state(ApiServices& services, const Request& request, const std::string& type,
                                              const std::string& id, const std::string& action) {
  const auto* aggregate = domain::aggregate_for(type);
  if (!aggregate) return make_error(Errc::not_found, "no aggregate type " + type, "type", "known-type");
  // The role may not read this kind of thing at all: refuse before looking (no existence leak).
  if (domain::scope_of(principal_of(request).actor.role, action) == domain::Scope::none)
    return allow(request, action).error();
  XYD_ASSIGN_OR_RETURN(auto state, services.state.get(type, id));
  if (!state) return make_error(Errc::not_found, type + " " + id + " does not exist", "id", "exists");
  domain::Command probe;
  probe.aggregate_type = type;
  probe.aggregate_id = id;
  XYD_RETURN_IF_ERROR(allow(request, action, aggregate->subject(*state, probe)));
  return *state;
}

bool sees_personal_data(const Request& request, const std::string& owner) {
  const auto& actor = principal_of(request).actor;
  return actor.role == "system_admin" || actor.role == "system" || (!owner.empty() && actor.account == owner);
}

void mask_personal_data(nlohmann::json& value) {
  static const std::set<std::string> phones = {"phone", "mobile", "contact_phone"};
  static const std::set<std::string> ids = {"id_number", "legal_representative_id", "resident_id"};
  if (value.is_array()) {
    for (auto& item : value) mask_personal_data(item);
    return;
  }
  if (!value.is_object()) return;
  for (auto& [key, member] : value.items()) {
    if (member.is_string() && phones.contains(key)) {
      member = mask_phone(member.get<std::string>());
    } else if (member.is_string() && ids.contains(key)) {
      std::string text = member.get<std::string>();
      if (text.size() > 10)
        member = text.substr(0, 6) + std::string(text.size() - 10, '*') + text.substr(text.size() - 4);
      else
        member = std::string(text.size(), '*');
    } else {
      mask_personal_data(member);
    }
  }
}

}  // namespace xyd::api
