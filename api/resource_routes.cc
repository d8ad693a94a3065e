#include "api/resource_routes.h"

#include <charconv>

#include "aggregates/aggregate.h"
#include "api/access_check.h"
#include "api/command_handler.h"
#include "api/context_facts.h"
#include "api/http_pagination.h"
#include "events/envelope.h"
#include "events/json_input.h"
#include "events/numbers.h"

namespace xyd::api {
namespace {

using nlohmann::json;

Result<json> body_object(const Request& request) {
  if (request.body.empty()) return json::object();
  return request.json_body();
}

// The command body of an item route: the JSON body, the path's parameters but the id, and for
// DELETE the query parameters (members the body already has win).
Result<json> command_body(const Request& request) {
  XYD_ASSIGN_OR_RETURN(json body, body_object(request));
  for (const auto& [name, value] : request.params)
    if (name != "id" && !body.contains(name)) body[name] = value;
  if (request.method == "DELETE")
    for (const auto& [name, value] : request.query) {
      if (!events::is_utf8(name) || !events::is_utf8(value))  // they become JSON: refused, never thrown on
        return make_error(Errc::invalid_argument, "query parameters must be valid UTF-8", "query", "utf-8");
      if (!body.contains(name)) body[name] = value;
    }
  return body;
}

Result<Response> submit(ApiServices& services, const Request& request, const Resource& resource,
                        const std::string& command, const std::string& command_id, const std::string& id, json body,
                        const ContextFn& context_of, int created_status) {
  json context = json::object();
  if (context_of) {
    XYD_ASSIGN_OR_RETURN(context, context_of(services, request, id, body));
  }
  const std::string scope = resource.type + "." + command;
  return run_command(services, request, {scope, command, resource.type, created_status},
                     {command_id, id, std::move(body), "", std::move(context)});
}

json item_view(const Request& request, const std::string& id, const domain::AggregateState& state) {
  json view = state.data;
  view["id"] = id;
  view["version"] = state.version;
  if (!sees_personal_data(request, events::string_or(state.data, "owner"))) mask_personal_data(view);
  return view;
}

}  // namespace

Result<Response> list_page(ApiServices& services, const Request& request, const std::string& type,
                           const std::string& action, const std::vector<Filter>& filters, const ItemView& view) {
  if (domain::scope_of(principal_of(request).actor.role, action) == domain::Scope::none)
    return allow(request, action).error();
  XYD_ASSIGN_OR_RETURN(size_t limit, page_limit(request));
  const std::string after = page_cursor(request);
  const auto* aggregate = domain::aggregate_for(type);
  json items = json::array();
  std::string last;
  XYD_RETURN_IF_ERROR(services.state.scan(
      type,
      [&](const std::string& id, const domain::AggregateState& state) {
        if (id == after) return true;
        for (const auto& filter : filters)
          if (!filter(request, state.data)) return true;
        domain::Command probe;
        probe.aggregate_type = type;
        probe.aggregate_id = id;
        if (!allow(request, action, aggregate->subject(state, probe)).ok()) return true;
        items.push_back(view(request, id, state));
        last = id;
        return items.size() < limit;
      },
      after));
  Response response;
  response.body = {{"items", items}, {"next_after", items.size() == limit ? json(last) : json()}};
  return response;
}

Result<size_t> query_count(const Request& request, const std::string& name, size_t fallback, size_t max) {
  const auto given = request.query.find(name);
  if (given == request.query.end()) return fallback;
  const auto value = whole_number(given->second, 1, static_cast<int64_t>(max));
  if (!value)
    return make_error(Errc::invalid_argument, name + " must be a number from 1 to " + std::to_string(max), name,
                      "range-1-" + std::to_string(max));
  return static_cast<size_t>(*value);
}

Result<size_t> page_limit(const Request& request, size_t fallback, size_t max) {
  return query_count(request, "limit", fallback, max);
}

void add_command_route(Router& router, ApiServices& services, const Resource& resource, CommandSpec spec) {
  const std::string pattern = "/api/v1/" + resource.plural + "/{id}" + spec.path;
  router.add(spec.method, pattern, [&services, resource, spec](const Request& request) -> Result<Response> {
    XYD_ASSIGN_OR_RETURN(json body, command_body(request));
    XYD_ASSIGN_OR_RETURN(std::string command_id, command_id_for(request, resource.type + "." + spec.command));
    return submit(services, request, resource, spec.command, command_id, request.params.at("id"), std::move(body),
                  spec.context, 200);
  });
}

IdFn id_from_body_or_command(std::string prefix) {
  return [prefix = std::move(prefix)](const json& body, const std::string& command_id) -> Result<std::string> {
    if (!body.contains("id")) return prefix + events::sha256_hex(command_id).substr(0, 16);
    const std::string id = string_at(body, "id");
    if (id.empty() || id.size() > 64 || id.find('/') != std::string::npos)
      return make_error(Errc::invalid_argument, "id must be a string of 1 to 64 characters without '/'", "id",
                        "valid-id");
    return id;
  };
}

void add_create_route(Router& router, ApiServices& services, const Resource& resource, std::string command, IdFn id_of,
                      ContextFn context) {
  router.add("POST", "/api/v1/" + resource.plural,
             [&services, resource, command, id_of = std::move(id_of),
              context = std::move(context)](const Request& request) -> Result<Response> {
               XYD_ASSIGN_OR_RETURN(json body, request.json_body());
               XYD_ASSIGN_OR_RETURN(std::string command_id, command_id_for(request, resource.type + "." + command));
               XYD_ASSIGN_OR_RETURN(std::string id, id_of(body, command_id));
               body.erase("id");
               return submit(services, request, resource, command, command_id, id, std::move(body), context, 201);
             });
}

Filter field_equals(std::string query_name, std::string field) {
  return [query_name = std::move(query_name), field = std::move(field)](const Request& request, const json& data) {
    const std::string wanted = request.query_or(query_name, "");
    return wanted.empty() || string_at(data, field.c_str()) == wanted;
  };
}

Filter region_within(std::string query_name, std::string field) {
  return [query_name = std::move(query_name), field = std::move(field)](const Request& request, const json& data) {
    std::string wanted = request.query_or(query_name, "");
    while (wanted.size() > 2 && wanted.ends_with("00")) wanted.resize(wanted.size() - 2);  // 440000 → 44
    return wanted.empty() || string_at(data, field.c_str()).starts_with(wanted);
  };
}

void add_read_routes(Router& router, ApiServices& services, const Resource& resource, std::vector<Filter> filters,
                     ItemDecorator decorate) {
  ItemView view = item_view;
  if (decorate)
    view = [decorate](const Request& request, const std::string& id, const domain::AggregateState& state) {
      json item = item_view(request, id, state);
      decorate(request, item);
      return item;
    };
  router.add("GET", "/api/v1/" + resource.plural + "/{id}",
             [&services, resource, view](const Request& request) -> Result<Response> {
               const std::string id = request.params.at("id");
               XYD_ASSIGN_OR_RETURN(auto state,
                                    readable_state(services, request, resource.type, id, resource.type + ".read"));
               Response response;
               response.body = view(request, id, state);
               return response;
             });
  router.add("GET", "/api/v1/" + resource.plural,
             [&services, resource, filters = std::move(filters), view](const Request& request) {
               return list_page(services, request, resource.type, resource.type + ".read", filters, view);
             });
}

void add_command_routes(Router& router, ApiServices& services, const Resource& resource,
                        std::vector<CommandSpec> specs) {
  for (CommandSpec& spec : specs) add_command_route(router, services, resource, std::move(spec));
}

}  // namespace xyd::api
