// Whole writes to a file descriptor.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace aegir {

// Writes all of data to fd, again after a signal or a short write. The error
// names `what` ("write /path: ..."). A socket's reader gone is EPIPE, not
// SIGPIPE, only where the program ignores SIGPIPE (the daemons do).
Status WriteAll(int fd, std::string_view data, const std::string& what);

}  // namespace aegir
