// A network namespace with its own address, for tests of other hosts: the
// namespace aegir-it-<pid> and a veth pair ae<pid>h (this side,
// PREFIX.N.1/30) / ae<pid>r (inside, PREFIX.N.2/30), with N free on this
// machine. Needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN) and iproute2; the
// constructor fails the test with what to do when it cannot.
#pragma once

#include <string>
#include <vector>

namespace aegir::testing {

class NetNamespace {
 public:
  // prefix: the first two octets with a dot, e.g. "10.213.".
  explicit NetNamespace(const std::string& prefix);
  ~NetNamespace();
  NetNamespace(const NetNamespace&) = delete;
  NetNamespace& operator=(const NetNamespace&) = delete;

  // argv run as root inside the namespace.
  std::vector<std::string> InNs(std::vector<std::string> argv) const;
  // Kills what still runs inside, removes the namespace and the veth pair.
  // Returns "pid command line" of each process that was still inside (a test
  // expects none). Idempotent.
  std::vector<std::string> Remove();

  std::string name, host_if, ns_if, host_ip, ns_ip;

 private:
  bool ns_made_ = false;
  bool veth_made_ = false;
};

}  // namespace aegir::testing
