// The version xyd reports (`xyd version`, /healthz).
#pragma once

namespace xyd::ops {
inline constexpr const char* kVersion = "0.1.0";
}
