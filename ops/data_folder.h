// The data folder as `xyd serve` keeps it: created 0700 (with any missing parent); when it
// already exists with looser modes, it and the secret entries in it (the credential store, the
// SMS log, the operator token) are tightened, with a warning on standard error. Main thread, at
// start, before anything opens a file in it.
#pragma once

#include <string>

#include "events/result.h"

namespace xyd::ops {

Status prepare_data_folder(const std::string& path);

}  // namespace xyd::ops
