#include "ui/series_modality_guess.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "types/name_affixes.h"

namespace seqseg {
namespace {

// Lower-case words of a description; '+' stays a word of its own ("T1+C" -> t1 + c).
std::vector<std::string> words(const std::string& description) {
  std::vector<std::string> out;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) out.push_back(word);
    word.clear();
  };
  for (const char c : description) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      word += static_cast<char>(std::tolower(u));
    } else {
      flush();
      if (c == '+') out.emplace_back("+");
    }
  }
  flush();
  return out;
}

}  // namespace

int modalityOfDescription(const std::string& description) {
  const std::vector<std::string> w = words(description);
  const std::set<std::string> has(w.begin(), w.end());
  auto any = [&](std::initializer_list<const char*> names) {
    return std::any_of(names.begin(), names.end(),
                       [&](const char* name) { return has.count(name) > 0; });
  };
  auto anyPrefix = [&](std::initializer_list<const char*> prefixes) {
    return std::any_of(w.begin(), w.end(), [&](const std::string& word) {
      return std::any_of(prefixes.begin(), prefixes.end(),
                         [&](const char* prefix) { return startsWith(word, prefix); });
    });
  };
  // FLAIR first: its descriptions often say T2 too ("t2_tirm_tra_dark-fluid", "T2 FLAIR").
  if (anyPrefix({"flair", "t2flair"}) || any({"t2f", "tirm", "darkfluid"}) ||
      (has.count("dark") && has.count("fluid")))
    return 3;
  const bool t1 = anyPrefix({"t1", "mprage", "spgr", "bravo", "tfl", "vibe"}) || any({"t1w"});
  // "+C", "POST GD", "KM", "contrast", "T1CE", "T1GD", "T1C": contrast-enhanced.
  const bool contrast =
      any({"gd", "gad", "gado", "gadolinium", "post", "postcontrast", "contrast", "ce", "c", "km",
           "enhanced", "t1c", "t1ce", "t1gd", "t1post"}) ||
      anyPrefix({"postgd", "t1ce", "t1gd", "t1post", "gadovist", "dotarem", "kontrast"}) ||
      (has.count("+") && has.count("c"));
  const bool precontrast = any({"pre", "precontrast", "native", "nativ", "t1n"});
  if (t1) return contrast && !precontrast ? 1 : 0;
  if (anyPrefix({"t2"}) || any({"t2w", "tse", "fse"})) return 2;
  return -1;
}

std::array<int, 4> guessModalities(const std::vector<std::string>& descriptions) {
  std::array<int, 4> chosen{-1, -1, -1, -1};
  for (size_t s = 0; s < descriptions.size(); ++s) {
    const int modality = modalityOfDescription(descriptions[s]);
    if (modality >= 0 && chosen[modality] < 0) chosen[modality] = static_cast<int>(s);
  }
  return chosen;
}

}  // namespace seqseg
