#include "ops/data_folder.h"

#include <cstdio>
#include <iostream>

#include "events/rocks/private_files.h"

namespace xyd::ops {
namespace {

std::string octal(unsigned mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", mode);
  return text;
}

// Tightens one entry to `allowed`, warning when it was looser.
Status tighten(const std::string& path, unsigned allowed) {
  unsigned before = 0;
  XYD_ASSIGN_OR_RETURN(bool changed, log::tighten_mode(path, allowed, &before));
  if (changed)
    std::cerr << "xyd: warning: " << path << " was open to other users (mode " << octal(before) << "); tightened to "
              << octal(before & allowed) << std::endl;
  return Status();
}

}  // namespace

Status prepare_data_folder(const std::string& path) {
  XYD_RETURN_IF_ERROR(log::create_private_folder(path));
  XYD_RETURN_IF_ERROR(tighten(path, 0700));
  XYD_RETURN_IF_ERROR(tighten(path + "/credentials", 0700));
  XYD_RETURN_IF_ERROR(tighten(path + "/sms.log", 0600));
  return tighten(path + "/operator-token", 0600);
}

}  // namespace xyd::ops
