// CurveZMQ keys: how aegir-scheduler, remote executors and remote tools
// authenticate each other over TCP (docs/protocol.md, "Security").
//
// A key pair is two files: PATH holds the secret key and PATH.pub the public
// key, each as 40 characters of Z85 on one line. The secret file is made
// mode 0600 and never leaves its host; the .pub file is what is copied: the
// scheduler's to every executor and tool, each executor's and tool's into the
// scheduler's authorized-keys directories.
#pragma once

#include <map>
#include <set>
#include <string>
#include <zmq.hpp>

#include "common/status.h"

namespace aegir::curve {

struct KeyPair {
  std::string public_key;  // Z85, 40 characters
  std::string secret_key;  // Z85, 40 characters
};

// A new key pair from libzmq (libsodium's random source).
Result<KeyPair> Generate();
// Writes PATH (secret, 0600, refusing to overwrite) and PATH.pub.
Status Write(const KeyPair& keys, const std::string& path);
// Reads the secret key at PATH; the public key is derived from it.
Result<KeyPair> LoadSecret(const std::string& path);
// Reads a public key file.
Result<std::string> LoadPublic(const std::string& path);
// Every valid public key in the *.pub files of dir (others are skipped),
// with the name of its file without ".pub" (who it is, for the audit log).
std::map<std::string, std::string> LoadAuthorized(const std::string& dir);
// The Z85 form of a 32-byte key.
std::string Z85(const std::string& binary_key);

// Makes socket a CURVE client of the server with public key server_public.
void MakeClient(zmq::socket_t& socket, const KeyPair& own, const std::string& server_public);
// Makes socket a CURVE server; connecting clients are checked by the ZAP
// handler for zap_domain.
void MakeServer(zmq::socket_t& socket, const KeyPair& own, const std::string& zap_domain);

}  // namespace aegir::curve
