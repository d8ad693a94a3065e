// Unit test of api/table_export: RFC 4180 quoting, formula-injection guard, the BOM, the format
// chosen from ?format= or Accept, and a streamed XLSX that is a ZIP holding the sheet's strings.
#define BOOST_TEST_MODULE table_export
#include "api/table_export.h"

#include <boost/test/unit_test.hpp>

using namespace xyd;
using namespace xyd::api;
using nlohmann::json;

namespace {

// Collects a streamed body; `limit` chunks then reports the client gone.
class Collect final : public BodyWriter {
 public:
  explicit Collect(size_t limit = 1000000) : limit_(limit) {}
  bool write(std::string_view chunk) override {
    body.append(chunk);
    return ++chunks < limit_;
  }
  bool open() const override { return chunks < limit_; }
  std::string body;
  size_t chunks = 0;

 private:
  size_t limit_;
};

Table sample(size_t rows) {
  return {"sample", {{"name", "名称"}, {"amount", "金额"}}, [rows](const RowSink& emit) {
            for (size_t i = 0; i < rows; ++i)
              if (!emit({"企业 \"" + std::to_string(i) + "\", 有限公司", static_cast<int64_t>(i) * 100})) break;
            return Status();
          }};
}

}  // namespace

BOOST_AUTO_TEST_CASE(csv_fields_are_quoted_and_guarded) {
  BOOST_TEST(csv_field("plain") == "plain");
  BOOST_TEST(csv_field("a,b") == "\"a,b\"");
  BOOST_TEST(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  BOOST_TEST(csv_field("line\nbreak") == "\"line\nbreak\"");
  BOOST_TEST(csv_field("=SUM(A1:A2)") == "'=SUM(A1:A2)");
  BOOST_TEST(csv_field("+1") == "'+1");
  BOOST_TEST(csv_field("-2") == "'-2");
  BOOST_TEST(csv_field("@cmd") == "'@cmd");
  BOOST_TEST(csv_field("=a,b") == "\"'=a,b\"");
  BOOST_TEST(csv_field(json(-5)) == "-5");  // numbers are numbers, not formulas
  BOOST_TEST(csv_field(json()) == "\u2014");
  BOOST_TEST(csv_line({"a", 1, json()}) == "a,1,\u2014\r\n");
}

BOOST_AUTO_TEST_CASE(csv_export_streams_a_bom_a_header_and_every_row) {
  Response response = export_table(sample(5000), ExportFormat::csv);
  BOOST_TEST(response.content_type == "text/csv; charset=utf-8");
  BOOST_TEST(response.headers["Content-Disposition"] == "attachment; filename=\"sample.csv\"");
  BOOST_REQUIRE(response.stream);
  Collect out;
  response.stream(out);
  BOOST_TEST(out.body.starts_with("\xEF\xBB\xBF名称,金额\r\n"));
  BOOST_TEST(out.chunks > 1u);  // streamed in chunks, not one body
  size_t lines = 0;
  for (size_t at = out.body.find("\r\n"); at != std::string::npos; at = out.body.find("\r\n", at + 2)) ++lines;
  BOOST_TEST(lines == 5001u);
  BOOST_TEST(out.body.find("\"企业 \"\"4999\"\", 有限公司\",499900\r\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_gone_client_stops_the_rows) {
  Response response = export_table(sample(1000000), ExportFormat::csv);
  Collect out(2);
  response.stream(out);
  BOOST_TEST(out.chunks == 2u);
  BOOST_TEST(out.body.size() < 1000000u);
}

BOOST_AUTO_TEST_CASE(xlsx_export_is_a_zip_workbook) {
  Response response = export_table(sample(3000), ExportFormat::xlsx);
  BOOST_TEST(response.content_type == kXlsxMediaType);
  Collect out;
  response.stream(out);
  BOOST_TEST(out.body.starts_with("PK\x03\x04"));
  BOOST_TEST(out.body.find("xl/worksheets/sheet1.xml") != std::string::npos);
  BOOST_TEST(out.body.size() > 10000u);
}

BOOST_AUTO_TEST_CASE(format_from_query_or_accept) {
  Request request;
  BOOST_TEST((export_format(request).value() == ExportFormat::json));
  request.headers["accept"] = "text/csv";
  BOOST_TEST((export_format(request).value() == ExportFormat::csv));
  request.headers["accept"] = kXlsxMediaType;
  BOOST_TEST((export_format(request).value() == ExportFormat::xlsx));
  request.query["format"] = "csv";
  BOOST_TEST((export_format(request).value() == ExportFormat::csv));
  request.query["format"] = "pdf";
  BOOST_REQUIRE(!export_format(request).ok());
  BOOST_TEST(export_format(request).error().field == "format");
  BOOST_TEST(table_rows_json(sample(2)).value().size() == 2u);
}
