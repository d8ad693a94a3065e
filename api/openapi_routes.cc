#include "api/openapi_routes.h"

#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

namespace xyd::api {

extern const std::string_view kOpenApiDocument, kDocsPage, kDocsInitializer;

namespace {

// One file /docs serves: read at start-up, then only read by the request threads.
struct Asset {
  std::string content_type;
  std::string bytes;
};

// The renderer's files the page loads, by name: nothing else under /docs is served.
const std::map<std::string, std::string>& renderer_files() {
  static const std::map<std::string, std::string> files = {
      {"swagger-ui.css", "text/css; charset=utf-8"},
      {"swagger-ui-bundle.js", "application/javascript; charset=utf-8"},
      {"swagger-ui-standalone-preset.js", "application/javascript; charset=utf-8"},
      {"favicon-32x32.png", "image/png"},
  };
  return files;
}

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  out = bytes.str();
  return in.good() || in.eof();
}

Response asset_response(const Asset& asset) {
  Response response;
  response.content_type = asset.content_type;
  response.raw = asset.bytes;
  response.headers["Cache-Control"] = "public, max-age=3600";
  return response;
}

}  // namespace

std::string_view openapi_document() {
  return kOpenApiDocument;
}

bool add_openapi_routes(Router& router, const std::string& renderer_dir) {
  auto assets = std::make_shared<std::map<std::string, Asset>>();
  bool found = true;
  for (const auto& [name, content_type] : renderer_files()) {
    Asset asset{content_type, {}};
    if (!read_file(renderer_dir + "/" + name, asset.bytes) || asset.bytes.empty()) {
      found = false;
      break;
    }
    (*assets)[name] = std::move(asset);
  }
  if (!found) {
    std::cerr << "xyd: the API reference page's renderer is missing from " << renderer_dir
              << " (ops/setup.sh installs it); /docs answers 404" << std::endl;
    assets->clear();
  } else {
    (*assets)["xyd-docs.js"] = Asset{"application/javascript; charset=utf-8", std::string(kDocsInitializer)};
  }

  router.add(
      "GET", "/api/v1/openapi.json",
      [](const Request&) -> Result<Response> {
        Response response;
        response.raw = std::string(kOpenApiDocument);
        return response;
      },
      Access::open);
  router.add(
      "GET", "/docs",
      [assets](const Request&) -> Result<Response> {
        if (assets->empty())
          return make_error(Errc::not_found,
                            "the API reference page is not installed on this server; "
                            "GET /api/v1/openapi.json has the document",
                            "path", "docs-installed");
        return asset_response(Asset{"text/html; charset=utf-8", std::string(kDocsPage)});
      },
      Access::open);
  router.add(
      "GET", "/docs/{file}",
      [assets](const Request& request) -> Result<Response> {
        auto asset = assets->find(request.params.at("file"));
        if (asset == assets->end())
          return make_error(Errc::not_found, "no such file of the API reference page", "file", "docs-file");
        return asset_response(asset->second);
      },
      Access::open);
  return found;
}

}  // namespace xyd::api
