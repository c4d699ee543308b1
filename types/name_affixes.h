#pragma once
// Prefix and suffix tests on names: file extensions, modality endings, option words.
#include <string_view>

namespace seqseg {

inline bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

inline bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace seqseg
