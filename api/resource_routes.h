// The shared shape of the financing-lifecycle routes (enterprises, institutions, products,
// demands, applications): a collection POST that creates an aggregate, item POST/PATCH/DELETE
// routes that each run one command, and GET of one item and of a filtered page of items, each
// checked against the access matrix and with personal data masked. One helper per shape, so each
// resource's file only lists its routes. Built at start-up; handlers run on any request thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "api/router.h"
#include "api/services.h"

namespace xyd::api {

struct Resource {
  std::string type;    // the aggregate type: "institution"
  std::string plural;  // the path segment: "institutions"
};

// Fills a command's context from the state view and may complete its body (a default the
// caller's principal implies). `id` is the aggregate's id.
using ContextFn = std::function<Result<nlohmann::json>(ApiServices& services, const Request& request,
                                                       const std::string& id, nlohmann::json& body)>;

// One command route on an item: METHOD /api/v1/<plural>/{id}<path>. The command body is the
// request's JSON body (empty: {}), plus the path's other parameters ({manager}), plus, for DELETE,
// the query parameters (?reason=).
struct CommandSpec {
  std::string method;   // "POST", "PATCH", "DELETE"
  std::string path;     // "/suspend", "/managers/{manager}", "" for the item itself
  std::string command;  // "SuspendInstitution"
  ContextFn context;    // null: the command needs none
};
void add_command_route(Router& router, ApiServices& services, const Resource& resource, CommandSpec spec);
// Every command of a resource, one route each.
void add_command_routes(Router& router, ApiServices& services, const Resource& resource,
                        std::vector<CommandSpec> specs);

// The new aggregate's id for a creating command, from its body and command id.
using IdFn = std::function<Result<std::string>(const nlohmann::json& body, const std::string& command_id)>;
// body "id" when given, else prefix + the first 16 hex digits of SHA-256(command id): a request
// retried with the same Idempotency-Key names the same aggregate.
IdFn id_from_body_or_command(std::string prefix);

// POST /api/v1/<plural>: runs `command` creating the aggregate (201, Location).
void add_create_route(Router& router, ApiServices& services, const Resource& resource, std::string command, IdFn id_of,
                      ContextFn context = nullptr);

// Whether an item's data matches the request's query (?region=...); unset query: matches.
using Filter = std::function<bool(const Request& request, const nlohmann::json& data)>;
Filter field_equals(std::string query_name, std::string field);   // data[field] == ?query_name
Filter region_within(std::string query_name, std::string field);  // data[field] starts with ?query_name

// A whole-number query parameter from 1 to `max` (`fallback` when absent): digits only ("5.5",
// "+5", " 5" are refused), else a 400 naming the parameter and the range.
Result<size_t> query_count(const Request& request, const std::string& name, size_t fallback, size_t max);
// The page size of a list request: ?limit= from 1 to `max` (1000), `fallback` (100) by default.
Result<size_t> page_limit(const Request& request, size_t fallback = 100, size_t max = 1000);

// How a list shows one item to the caller.
using ItemView =
    std::function<nlohmann::json(const Request& request, const std::string& id, const domain::AggregateState& state)>;
// One page of the aggregates of `type` that pass every filter and that the caller may `action`
// (?after= &limit=), each shown by `view`; next_after pages on.
Result<Response> list_page(ApiServices& services, const Request& request, const std::string& type,
                           const std::string& action, const std::vector<Filter>& filters, const ItemView& view);

// GET /api/v1/<plural>/{id} and GET /api/v1/<plural>?<filters>&after=&limit= (1..1000, default
// 100; next_after pages on), both needing "<type>.read" on each item, personal data masked unless
// the caller is the item's owner or a platform role.
// `decorate` (optional) adds what a resource shows beside its state (the risk marker on orders).
using ItemDecorator = std::function<void(const Request& request, nlohmann::json& item)>;
void add_read_routes(Router& router, ApiServices& services, const Resource& resource, std::vector<Filter> filters,
                     ItemDecorator decorate = nullptr);

}  // namespace xyd::api
