#include "common/curve.h"

#include <sys/stat.h>
#include <zmq.h>

#include <filesystem>
#include <fstream>

namespace aegir::curve {
namespace {

bool IsZ85Key(const std::string& s) {
  if (s.size() != 40) return false;
  uint8_t out[32];
  return zmq_z85_decode(out, s.c_str()) != nullptr;
}

Result<std::string> ReadKeyLine(const std::string& path, const char* what) {
  std::ifstream in(path);
  if (!in) return Status::NotFound(std::string(what) + " " + path + " cannot be read");
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  if (!IsZ85Key(line)) return Status::InvalidArgument(std::string(what) + " " + path + " is not a Z85 CURVE key");
  return line;
}

}  // namespace

Result<KeyPair> Generate() {
  char pub[41], sec[41];
  if (zmq_curve_keypair(pub, sec) != 0) return Status::Internal("libzmq cannot make CURVE keys (built without it?)");
  return KeyPair{pub, sec};
}

Status Write(const KeyPair& keys, const std::string& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return Status::Conflict(path + " exists already; not overwritten");
  {
    mode_t old = ::umask(0077);
    std::ofstream sec(path);
    ::umask(old);
    if (!sec) return Status::FromErrno("create " + path, errno);
    sec << keys.secret_key << "\n";
    if (!sec.flush()) return Status::FromErrno("write " + path, errno);
  }
  ::chmod(path.c_str(), 0600);
  std::ofstream pub(path + ".pub");
  if (!pub) return Status::FromErrno("create " + path + ".pub", errno);
  pub << keys.public_key << "\n";
  if (!pub.flush()) return Status::FromErrno("write " + path + ".pub", errno);
  return Status::Ok();
}

Result<KeyPair> LoadSecret(const std::string& path) {
  auto secret = ReadKeyLine(path, "secret key");
  if (!secret.ok()) return secret.status();
  char pub[41];
  if (zmq_curve_public(pub, secret->c_str()) != 0) return Status::InvalidArgument(path + ": not a CURVE secret key");
  return KeyPair{pub, *secret};
}

Result<std::string> LoadPublic(const std::string& path) { return ReadKeyLine(path, "public key"); }

std::map<std::string, std::string> LoadAuthorized(const std::string& dir) {
  std::map<std::string, std::string> keys;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".pub") continue;
    auto key = LoadPublic(entry.path().string());
    if (key.ok()) keys.emplace(*key, entry.path().stem().string());
  }
  return keys;
}

std::string Z85(const std::string& binary_key) {
  if (binary_key.size() != 32) return "";
  char out[41];
  if (!zmq_z85_encode(out, reinterpret_cast<const uint8_t*>(binary_key.data()), 32)) return "";
  return out;
}

void MakeClient(zmq::socket_t& socket, const KeyPair& own, const std::string& server_public) {
  socket.set(zmq::sockopt::curve_serverkey, server_public);
  socket.set(zmq::sockopt::curve_publickey, own.public_key);
  socket.set(zmq::sockopt::curve_secretkey, own.secret_key);
}

void MakeServer(zmq::socket_t& socket, const KeyPair& own, const std::string& zap_domain) {
  socket.set(zmq::sockopt::curve_server, 1);
  socket.set(zmq::sockopt::curve_secretkey, own.secret_key);
  socket.set(zmq::sockopt::zap_domain, zap_domain);
}

}  // namespace aegir::curve
