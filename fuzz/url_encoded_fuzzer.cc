// Query strings and urlencoded form bodies: UrlDecode and ParseUrlEncoded
// (fcgi-app/http.h), as aegir-web runs them on every request.
//
// The input is a query string or form body. Checked:
// - UrlDecode never grows its input, never returns a NUL byte, and is
//   accepted exactly when every '%' starts a %XX escape and no NUL is given
//   or escaped;
// - UrlEncode gives only unreserved characters and %XX, and UrlDecode gives
//   its input back (any string without NUL, '+' included);
// - ParseUrlEncoded respects max_pairs and the 64 KiB limit of a key or
//   value, accepts every input made of well-formed pairs within those
//   limits, and its pairs encoded again with UrlEncode parse to the same
//   pairs in the same order.
// A two-byte input 0xFF N probes the size limit with a value of 64 KiB - 2 + N % 5.
#include <cstdint>
#include <string>

#include "fcgi-app/http.h"
#include "fuzz/fuzz_check.h"

namespace {

using aegir::fuzz::Show;
using aegir::web::Params;
using aegir::web::ParseUrlEncoded;
using aegir::web::UrlDecode;
using aegir::web::UrlEncode;

constexpr size_t kMaxFieldBytes = 64 * 1024;  // fcgi-app/http.cc
constexpr size_t kSmallMaxPairs = 8;

bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Whether UrlDecode should accept s, decided without decoding it.
bool DecodableAlone(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\0') return false;
    if (s[i] == '%') {
      if (i + 2 >= s.size()) return false;
      if (!IsHex(s[i + 1]) || !IsHex(s[i + 2])) return false;
      if (s[i + 1] == '0' && s[i + 2] == '0') return false;
      i += 2;
    }
  }
  return true;
}

void CheckDecode(const std::string& in, bool plus_is_space) {
  auto out = UrlDecode(in, plus_is_space);
  FUZZ_CHECK_MSG(out.ok() == DecodableAlone(in), "input " + Show(in) + ": " + out.status().message());
  if (!out.ok()) return;
  FUZZ_CHECK(out->size() <= in.size());
  FUZZ_CHECK(out->find('\0') == std::string::npos);
  if (in.find('%') == std::string::npos && (!plus_is_space || in.find('+') == std::string::npos)) {
    FUZZ_CHECK_MSG(*out == in, "nothing to decode in " + Show(in) + " but got " + Show(*out));
  }
  if (plus_is_space) FUZZ_CHECK(out->find('+') == std::string::npos || in.find('%') != std::string::npos);
}

void CheckEncode(const std::string& value) {
  const std::string encoded = UrlEncode(value);
  for (size_t i = 0; i < encoded.size(); ++i) {
    char c = encoded[i];
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_' || c == '.' || c == '~';
    if (unreserved) continue;
    FUZZ_CHECK_MSG(c == '%' && i + 2 < encoded.size() && IsHex(encoded[i + 1]) && IsHex(encoded[i + 2]),
                   "UrlEncode(" + Show(value) + ") = " + Show(encoded));
    i += 2;
  }
  if (value.find('\0') != std::string::npos) return;  // refused by design
  for (bool plus : {false, true}) {
    auto back = UrlDecode(encoded, plus);
    FUZZ_CHECK_MSG(back.ok() && *back == value, "round trip of " + Show(value) + " via " + Show(encoded));
  }
}

// The '&'-separated pieces that are not empty: the pairs ParseUrlEncoded reads.
std::vector<std::string> Pieces(const std::string& in) {
  std::vector<std::string> out;
  for (auto& p : aegir::fuzz::Split(in, '&')) {
    if (!p.empty()) out.push_back(std::move(p));
  }
  return out;
}

void CheckParse(const std::string& in, size_t max_pairs) {
  auto parsed = ParseUrlEncoded(in, max_pairs);
  const auto pieces = Pieces(in);
  bool well_formed = pieces.size() <= max_pairs;
  for (const auto& p : pieces) {
    size_t eq = p.find('=');
    std::string key = p.substr(0, eq);
    std::string val = eq == std::string::npos ? "" : p.substr(eq + 1);
    if (!DecodableAlone(key) || !DecodableAlone(val)) {
      well_formed = false;
      break;
    }
    // A decoded field is at most as long as its text and at least a third of it.
    if (key.size() > 3 * kMaxFieldBytes + 2 || val.size() > 3 * kMaxFieldBytes + 2) well_formed = false;
  }
  if (!parsed.ok()) {
    // Refused although well formed: only for a field over the size limit.
    if (well_formed) {
      FUZZ_CHECK_MSG(parsed.status().message().find("too long") != std::string::npos,
                     "well-formed input " + Show(in) + " refused: " + parsed.status().message());
    }
    return;
  }
  FUZZ_CHECK_MSG(well_formed, "malformed input " + Show(in) + " accepted");
  FUZZ_CHECK(parsed->size() == pieces.size());
  FUZZ_CHECK(parsed->size() <= max_pairs);
  std::string again;
  for (const auto& [k, v] : *parsed) {
    FUZZ_CHECK(k.size() <= kMaxFieldBytes && v.size() <= kMaxFieldBytes);
    FUZZ_CHECK(k.find('\0') == std::string::npos && v.find('\0') == std::string::npos);
    if (!again.empty()) again += '&';
    again += UrlEncode(k) + "=" + UrlEncode(v);
  }
  auto reparsed = ParseUrlEncoded(again, max_pairs);
  FUZZ_CHECK_MSG(reparsed.ok() && *reparsed == *parsed, "re-encoded form " + Show(again) + " parses differently");
}

// One value (and one key) of limit-2 to limit+2 bytes: accepted exactly up
// to the limit. Kept to two-byte inputs, as building 64 KiB is slow.
void ProbeSizeLimit(unsigned char n) {
  const std::string value(kMaxFieldBytes - 2 + n % 5, 'x');
  auto parsed = ParseUrlEncoded("k=" + value);
  FUZZ_CHECK_MSG(parsed.ok() == (value.size() <= kMaxFieldBytes),
                 "a value of " + std::to_string(value.size()) + " bytes: " + parsed.status().message());
  auto key_parsed = ParseUrlEncoded(value + "=v");
  FUZZ_CHECK(key_parsed.ok() == (value.size() <= kMaxFieldBytes));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string in = aegir::fuzz::Input(data, size);
  if (size == 2 && data[0] == 0xFF) {
    ProbeSizeLimit(data[1]);
    return 0;
  }
  CheckDecode(in, false);
  CheckDecode(in, true);
  CheckEncode(in);
  CheckParse(in, kSmallMaxPairs);
  CheckParse(in, 1000);
  return 0;
}
