#include "events/rocks/private_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace xyd::log {

Status create_private_folder(const std::string& path) {
  if (path.empty()) return Status();
  std::string prefix;
  std::filesystem::path whole(path);
  for (const auto& part : whole) {
    prefix = prefix.empty() ? part.string() : (std::filesystem::path(prefix) / part).string();
    if (part == "/" || part.empty()) continue;
    if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST)
      return make_error(Errc::unavailable, "cannot create the folder " + prefix + ": " + std::strerror(errno));
  }
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 || !S_ISDIR(info.st_mode))
    return make_error(Errc::unavailable, path + " is not a folder");
  return Status();
}

Status create_private_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(Errc::unavailable, "cannot create " + path + ": " + std::strerror(errno));
  ::close(fd);
  return Status();
}

Result<bool> tighten_mode(const std::string& path, unsigned allowed, unsigned* before) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return false;
    return make_error(Errc::unavailable, "cannot read the mode of " + path + ": " + std::strerror(errno));
  }
  const unsigned mode = info.st_mode & 07777;
  if (before) *before = mode;
  if (S_ISLNK(info.st_mode) || (mode & ~allowed) == 0) return false;
  if (::chmod(path.c_str(), mode & allowed) != 0)
    return make_error(Errc::unavailable, "cannot tighten the mode of " + path + ": " + std::strerror(errno));
  return true;
}

}  // namespace xyd::log
