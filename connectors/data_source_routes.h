// The data-source routes: POST /api/v1/data-sources/{source}/records takes one record
// (connectors/data_source_record.h) and runs the enterprise command it becomes as the caller (a
// data_source machine identity, a system admin); a bad record is a problem document naming the
// field and the rule, and changes nothing. GET /api/v1/data-sources/{source}/calls is that
// source's flow log; GET /api/v1/data-sources/dead-letters lists the records refused on the topic
// xyd.data-sources; POST /api/v1/data-sources/api-keys issues a data_source machine key (system
// admins). Built at start-up; handlers run on any request thread.
#pragma once

#include "api/router.h"
#include "api/services.h"
#include "connectors/data_source_intake.h"

namespace xyd::connectors {

void add_data_source_routes(api::Router& router, api::ApiServices& services, DataSourceIntake& intake,
                            OutboundStore& store);

}  // namespace xyd::connectors
