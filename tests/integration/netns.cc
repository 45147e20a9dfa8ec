#include "tests/integration/netns.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/integration/stack.h"

namespace aegir::testing {
namespace {

std::string Must(const std::vector<std::string>& argv) {
  auto [code, out] = Run(argv);
  std::string cmd;
  for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
  BOOST_REQUIRE_MESSAGE(code == 0, "`" << cmd << "` failed (exit " << code << "):\n" << out);
  return out;
}

std::string CmdLine(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(in)), {});
  std::replace(s.begin(), s.end(), '\0', ' ');
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// Namespaces of earlier runs that died before their teardown: their
// addresses would clash with ours.
void RemoveStale() {
  std::istringstream list(Run({"ip", "netns", "list"}).second);
  static const std::regex ours("^aegir-it-([0-9]+)\\b.*");
  for (std::string line; std::getline(list, line);) {
    std::smatch m;
    if (!std::regex_match(line, m, ours)) continue;
    int pid = std::stoi(m[1].str());
    if (::kill(pid, 0) == 0 || errno != ESRCH) continue;  // its test still runs
    std::string stale = "aegir-it-" + m[1].str();
    std::istringstream pids(Run({"ip", "netns", "pids", stale}).second);
    for (int p; pids >> p;) ::kill(p, SIGKILL);
    (void)Run({"ip", "netns", "del", stale});
  }
}

}  // namespace

NetNamespace::NetNamespace(const std::string& prefix) {
  RemoveStale();
  std::string pid = std::to_string(::getpid());
  name = "aegir-it-" + pid;
  host_if = "ae" + pid + "h";
  ns_if = "ae" + pid + "r";
  std::string used = Run({"ip", "-o", "-4", "addr", "show"}).second + Run({"ip", "-4", "route", "show"}).second;
  int n = ::getpid() % 250;
  for (int tries = 0; Contains(used, prefix + std::to_string(n) + "."); ++tries) {
    BOOST_REQUIRE_MESSAGE(tries < 250, "no free " << prefix << "N.0/30 network for the namespace");
    n = (n + 1) % 250;
  }
  host_ip = prefix + std::to_string(n) + ".1";
  ns_ip = prefix + std::to_string(n) + ".2";
  auto [code, out] = Run({"ip", "netns", "add", name});
  BOOST_REQUIRE_MESSAGE(code == 0, "cannot make the network namespace "
                                       << name << " with `ip netns add` (exit " << code
                                       << "): this test needs iproute2 and root with CAP_SYS_ADMIN and "
                                          "CAP_NET_ADMIN (a container must allow network namespaces):\n"
                                       << out);
  ns_made_ = true;
  Must({"ip", "link", "add", host_if, "type", "veth", "peer", "name", ns_if});
  veth_made_ = true;
  Must({"ip", "link", "set", ns_if, "netns", name});
  Must({"ip", "addr", "add", host_ip + "/30", "dev", host_if});
  Must({"ip", "link", "set", host_if, "up"});
  Must(InNs({"ip", "addr", "add", ns_ip + "/30", "dev", ns_if}));
  Must(InNs({"ip", "link", "set", ns_if, "up"}));
  Must(InNs({"ip", "link", "set", "lo", "up"}));
}

NetNamespace::~NetNamespace() { Remove(); }

std::vector<std::string> NetNamespace::InNs(std::vector<std::string> argv) const {
  argv.insert(argv.begin(), {"ip", "netns", "exec", name});
  return argv;
}

std::vector<std::string> NetNamespace::Remove() {
  std::vector<std::string> left;
  if (ns_made_) {
    std::istringstream pids(Run({"ip", "netns", "pids", name}).second);
    for (int pid; pids >> pid;) {
      left.push_back("in " + name + ": " + std::to_string(pid) + " " + CmdLine(pid));
      ::kill(pid, SIGKILL);
    }
    auto [code, out] = Run({"ip", "netns", "del", name});
    if (code != 0) left.push_back("ip netns del " + name + ": " + out);
    ns_made_ = false;
  }
  if (veth_made_) {
    // Gone with the namespace once its peer was moved there; not otherwise.
    if (Run({"ip", "link", "show", host_if}).first == 0) (void)Run({"ip", "link", "del", host_if});
    veth_made_ = false;
  }
  return left;
}

}  // namespace aegir::testing
