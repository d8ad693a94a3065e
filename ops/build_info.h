// What `xyd version` and /api/v1/version report: the release, the commit built and when it was
// built. Immutable after start; read from any thread.
#pragma once

namespace xyd::ops {

struct BuildInfo {
  const char* version;     // the release, e.g. "0.1.0"
  const char* commit;      // the commit's hash, "-dirty" when built with uncommitted changes; "unknown" outside git
  const char* build_time;  // when this commit (and dirty state) was first built, RFC 3339 UTC
};

// Defined in the build's generated build_info.cc (cmake/build_info.cmake).
const BuildInfo& build_info();

}  // namespace xyd::ops
