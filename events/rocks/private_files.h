// Private files: folders created 0700 and files created 0600 from the moment they exist (the mode
// is given to mkdir/open, never set by a chmod afterwards), and the tightening of a folder or file
// whose mode lets others in. For the data folder and everything in it that holds secrets or
// personal data (the embedded log, the credential store, the SMS log). Any thread.
#pragma once

#include <string>

#include "events/result.h"

namespace xyd::log {

// Creates `path` and any missing parent, each new folder with mode 0700; existing ones are left
// as they are (tighten_mode changes them).
Status create_private_folder(const std::string& path);

// Creates `path` empty with mode 0600 when it does not exist; an existing file is left as it is.
Status create_private_file(const std::string& path);

// When `path` exists and its mode grants anything outside `allowed` (0700 for a folder, 0600 for
// a file), removes those bits. Whether it changed the mode; `before` gets the old mode.
Result<bool> tighten_mode(const std::string& path, unsigned allowed, unsigned* before = nullptr);

}  // namespace xyd::log
