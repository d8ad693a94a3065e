#include "api/table_export.h"

#include <unistd.h>
#include <xlsxwriter.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "api/http_negotiation.h"

namespace xyd::api {
namespace {

using nlohmann::json;

constexpr size_t kChunk = 64 * 1024;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A cell with no value (null: a rate without denominator, a figure without amount) shows "—".
std::string cell_text(const json& cell) {
  if (cell.is_string()) return cell.get<std::string>();
  if (cell.is_null()) return "\u2014";
  return cell.dump();
}

void stream_csv(const Table& table, BodyWriter& out) {
  std::string buffer = "\xEF\xBB\xBF";  // UTF-8 BOM: Excel then reads the Chinese text as UTF-8
  std::vector<json> header;
  for (const auto& column : table.columns) header.push_back(column.title);
  buffer += csv_line(header);
  bool open = true;
  auto status = table.rows([&](const std::vector<json>& cells) {
    buffer += csv_line(cells);
    if (buffer.size() >= kChunk) {
      open = out.write(buffer);
      buffer.clear();
    }
    return open;
  });
  if (!status.ok()) {
    std::cerr << "xyd: export " << table.name << " stopped: " << status.error().to_string() << std::endl;
    return;  // the chunked body ends short: the client sees an incomplete transfer
  }
  if (open && !buffer.empty()) out.write(buffer);
}

// Writes the workbook to `path`; false (with the reason on stderr) when libxlsxwriter fails.
bool write_xlsx(const Table& table, const std::string& path) {
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;
  lxw_workbook* workbook = workbook_new_opt(path.c_str(), &options);
  if (workbook == nullptr) return false;
  const std::string sheet_name = table.name.substr(0, 31);  // Excel's limit
  lxw_worksheet* sheet = workbook_add_worksheet(workbook, sheet_name.c_str());
  lxw_format* bold = workbook_add_format(workbook);
  format_set_bold(bold);
  lxw_row_t row = 0;
  for (size_t c = 0; c < table.columns.size(); ++c)
    worksheet_write_string(sheet, row, static_cast<lxw_col_t>(c), table.columns[c].title.c_str(), bold);
  auto status = table.rows([&](const std::vector<json>& cells) {
    ++row;
    for (size_t c = 0; c < cells.size(); ++c) {
      const auto col = static_cast<lxw_col_t>(c);
      if (cells[c].is_number())
        worksheet_write_number(sheet, row, col, cells[c].get<double>(), nullptr);
      else
        worksheet_write_string(sheet, row, col, cell_text(cells[c]).c_str(), nullptr);
    }
    return true;
  });
  const lxw_error closed = workbook_close(workbook);
  if (!status.ok()) {
    std::cerr << "xyd: export " << table.name << " stopped: " << status.error().to_string() << std::endl;
    return false;
  }
  if (closed != LXW_NO_ERROR) {
    std::cerr << "xyd: export " << table.name << ": " << lxw_strerror(closed) << std::endl;
    return false;
  }
  return true;
}

void stream_xlsx(const Table& table, BodyWriter& out) {
  const char* tmp = std::getenv("TMPDIR");
  std::string path = std::string(tmp != nullptr && *tmp ? tmp : "/tmp") + "/xyd-export-XXXXXX";
  const int fd = mkstemp(path.data());
  if (fd < 0) {
    std::cerr << "xyd: export " << table.name << ": no temporary file" << std::endl;
    return;
  }
  close(fd);
  if (write_xlsx(table, path)) {
    std::ifstream file(path, std::ios::binary);
    std::string chunk(kChunk, '\0');
    while (file) {
      file.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      const auto n = static_cast<size_t>(file.gcount());
      if (n == 0 || !out.write(std::string_view(chunk.data(), n))) break;
    }
  }
  std::remove(path.c_str());
}

}  // namespace

Result<ExportFormat> export_format(const Request& request) {
  const std::string format = lower(request.query_or("format", ""));
  if (format == "json") return ExportFormat::json;
  if (format == "csv") return ExportFormat::csv;
  if (format == "xlsx") return ExportFormat::xlsx;
  if (!format.empty())
    return make_error(Errc::invalid_argument, "format must be json, csv or xlsx", "format", "export-format");
  static const std::vector<std::string> offers = {"application/json", "text/csv; charset=utf-8", kXlsxMediaType};
  const auto chosen = negotiate_media_type(request.header("accept"), offers);
  if (!chosen)
    return make_error(Errc::invalid_argument,
                      "this table is offered as application/json, text/csv or " + std::string(kXlsxMediaType) +
                          "; the Accept header allows none of them (or use ?format=json|csv|xlsx)",
                      "accept", "acceptable-media-type");
  return *chosen == 1 ? ExportFormat::csv : *chosen == 2 ? ExportFormat::xlsx : ExportFormat::json;
}

std::string csv_field(const json& cell) {
  if (cell.is_number_integer() || cell.is_number_unsigned() || cell.is_boolean()) return cell.dump();
  std::string text = cell_text(cell);
  if (!text.empty() &&
      (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' || text[0] == '\t' || text[0] == '\r'))
    text.insert(text.begin(), '\'');
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string csv_line(const std::vector<json>& cells) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) line += ',';
    line += csv_field(cells[i]);
  }
  return line + "\r\n";
}

Response export_table(Table table, ExportFormat format) {
  Response response;
  const bool csv = format == ExportFormat::csv;
  response.content_type = csv ? "text/csv; charset=utf-8" : kXlsxMediaType;
  response.headers["Content-Disposition"] = "attachment; filename=\"" + table.name + (csv ? ".csv\"" : ".xlsx\"");
  auto shared = std::make_shared<Table>(std::move(table));
  response.stream = [shared, csv](BodyWriter& out) {
    if (csv)
      stream_csv(*shared, out);
    else
      stream_xlsx(*shared, out);
  };
  return response;
}

Result<json> table_rows_json(const Table& table) {
  json items = json::array();
  XYD_RETURN_IF_ERROR(table.rows([&](const std::vector<json>& cells) {
    json item = json::object();
    for (size_t c = 0; c < cells.size() && c < table.columns.size(); ++c) item[table.columns[c].key] = cells[c];
    items.push_back(std::move(item));
    return true;
  }));
  return items;
}

}  // namespace xyd::api
