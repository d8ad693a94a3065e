// TableExport: one table a read route shows (columns + a row source) answered as JSON, CSV or
// XLSX (shared/DOMAIN.md "Exports"). CSV is RFC 4180 (CRLF, quoted where needed), UTF-8 with a BOM
// so Excel reads Chinese text, and text cells starting with = + - @ (or a tab / CR) are prefixed
// with ' against formula injection. XLSX is written by libxlsxwriter in constant-memory mode to a
// temporary file, then streamed and removed. CSV and XLSX go out through Response::stream, so the
// rows are produced on the stream's thread and a large export is never held in memory: the row
// source must own what it reads (capture a view snapshot by shared_ptr). Any request thread builds
// a Table; the stream thread runs its row source once.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/router.h"
#include "events/result.h"

namespace xyd::api {

struct ExportColumn {
  std::string key;    // the member of a JSON row ("loan_amount_fen")
  std::string title;  // the CSV / XLSX header ("放款金额(分)")
};

// Calls `emit` with each row (cells in column order: strings, integers or null) until it returns
// false (the client has gone); an error stops the export.
using RowSink = std::function<bool(const std::vector<nlohmann::json>& cells)>;
using RowSource = std::function<Status(const RowSink& emit)>;

struct Table {
  std::string name;  // file name without extension, and the XLSX sheet name ("institution-statistics")
  std::vector<ExportColumn> columns;
  RowSource rows;
};

enum class ExportFormat { json, csv, xlsx };

// ?format=json|csv|xlsx, else the Accept header negotiated with q-values among JSON, CSV and XLSX
// (JSON when it is absent or ties); an unknown ?format= is a 400 naming the field, an Accept that
// allows none of the three a 406 (rule acceptable-media-type). The answer varies by Accept.
Result<ExportFormat> export_format(const Request& request);

// The table as a streamed CSV or XLSX attachment (Content-Disposition names `table.name`).
Response export_table(Table table, ExportFormat format);

// The table's rows as JSON objects keyed by column key (for the JSON answer and tests).
Result<nlohmann::json> table_rows_json(const Table& table);

// One CSV field: quoted per RFC 4180 when it holds , " CR or LF; text starting with = + - @ tab or
// CR gets a leading '. Integers are written as they are.
std::string csv_field(const nlohmann::json& cell);
// The CSV of a header and rows, without the BOM (tests and small tables).
std::string csv_line(const std::vector<nlohmann::json>& cells);

inline constexpr const char* kXlsxMediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

}  // namespace xyd::api
