// What the fuzz targets share: FUZZ_CHECK, which stops the run the way a
// crash does (libFuzzer then saves the input and scripts/fuzz fails), and
// small reference checks written independently of the code under test, so an
// invariant is never checked by calling the function that should hold it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace aegir::fuzz {

// The first bytes of s, with anything but printable ASCII as \xNN: what a
// failed check prints of a value.
inline std::string Show(std::string_view s, size_t max = 200) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (size_t i = 0; i < s.size() && i < max; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  out += s.size() > max ? "\"... (" + std::to_string(s.size()) + " bytes)" : "\"";
  return out;
}

[[noreturn]] inline void Fail(const char* file, int line, const char* condition, const std::string& detail) {
  std::fprintf(stderr, "\n%s:%d: fuzz check failed: %s\n", file, line, condition);
  if (!detail.empty()) std::fprintf(stderr, "  %s\n", detail.c_str());
  std::fflush(stderr);
  std::abort();
}

// The input as bytes.
inline std::string Input(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// s cut at every sep: "a\nb\n" -> {"a", "b", ""}.
inline std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out(1);
  for (char c : s) {
    if (c == sep) {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

// Whether all of s matches pattern (ECMAScript). libstdc++'s regex recurses
// per character, so it is only ever given short strings: callers check the
// length first.
inline bool FullMatch(const std::string& s, const std::string& pattern) {
  static std::map<std::string, std::unique_ptr<std::regex>> cache;
  auto& re = cache[pattern];
  if (!re) re = std::make_unique<std::regex>(pattern, std::regex::ECMAScript);
  return std::regex_match(s, *re);
}

// Well-formed UTF-8 as RFC 3629 defines it: no overlong forms, no UTF-16
// surrogates, nothing above U+10FFFF.
inline bool IsStrictUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 2, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 3, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n;
  }
  return true;
}

inline bool HasControl(std::string_view s) {
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

inline bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace aegir::fuzz

#define FUZZ_CHECK(condition)                                                  \
  do {                                                                         \
    if (!(condition)) ::aegir::fuzz::Fail(__FILE__, __LINE__, #condition, ""); \
  } while (0)

// detail: an expression giving a std::string, evaluated only on failure.
#define FUZZ_CHECK_MSG(condition, detail)                                          \
  do {                                                                             \
    if (!(condition)) ::aegir::fuzz::Fail(__FILE__, __LINE__, #condition, detail); \
  } while (0)
