// seqseg-real and seqseg-worker-real list the libraries most symbol references bind to first
// (cmake/SeqsegSymbolLookupOrder.cmake), which shortens the dynamic linker's searches at start.
// Only the search order may change, not which library defines a symbol: every reference binds
// where it binds in PROGRAM-default-order (the same objects and libraries in the default order).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <utility>

#include "engine/sanitizer.h"
#include "tests/support/test_support.h"

namespace seqseg {
namespace {

namespace fs = std::filesystem;

using Reference = std::pair<std::string, std::string>;  // (library that refers, symbol)

// Where each symbol reference binds when `program` starts with every relocation resolved at once
// (LD_BIND_NOW), whichever functions run.
std::map<Reference, std::string> bindingsAtStart(const std::string& program,
                                                 const std::vector<std::string>& arguments,
                                                 const test::TempDir& work,
                                                 const std::string& name) {
  std::vector<std::string> argv{"/usr/bin/env", "LD_BIND_NOW=1", "LD_DEBUG=bindings",
                                "LD_DEBUG_OUTPUT=" + work / name, program};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  const test::CommandResult result = test::runCommand(argv);
  EXPECT_EQ(result.exitCode, 0) << program << ": " << result.err;
  const std::regex binding(R"(binding file (\S+) \[\d+\] to (\S+) \[\d+\]: \w+ symbol `([^']+)')");
  const std::string programName = fs::path(program).filename().string();
  std::map<Reference, std::string> bindings;
  for (const auto& entry : fs::directory_iterator(work.path())) {
    if (entry.path().filename().string().rfind(name + ".", 0) != 0) continue;
    std::ifstream log(entry.path());
    std::string line;
    std::smatch match;
    while (std::getline(log, line)) {
      if (!std::regex_search(line, match, binding)) continue;
      // The two programs have different names, the same code.
      auto named = [&](const std::string& file) {
        return fs::path(file).filename() == programName ? std::string("<program>") : file;
      };
      bindings[{named(match[1]), match[3]}] = named(match[2]);
    }
  }
  return bindings;
}

// Whether `library` defines `symbol` as weak or unique (an inline function, a template instance,
// a static member of one: C++'s vague linkage), from its dynamic symbol table.
bool definesWithVagueLinkage(const std::string& library, const std::string& symbol) {
  static std::map<std::string, std::set<std::string>> vague;  // library -> such symbols
  if (!vague.count(library)) {
    std::set<std::string>& names = vague[library];
    const test::CommandResult table =
        test::runCommand({"/usr/bin/readelf", "-W", "--dyn-syms", library});
    std::istringstream lines(table.out);
    std::string line;
    while (std::getline(lines, line)) {
      std::istringstream fields(line);
      std::string number, value, size, type, bind, visibility, section, name;
      if (!(fields >> number >> value >> size >> type >> bind >> visibility >> section >> name))
        continue;
      if (section == "UND" || (bind != "WEAK" && bind != "UNIQUE")) continue;
      names.insert(name.substr(0, name.find('@')));
    }
  }
  return vague[library].count(symbol) > 0;
}

std::vector<std::string> neededLibraries(const std::string& program) {
  const test::CommandResult result = test::runCommand({"/usr/bin/objdump", "-p", program});
  EXPECT_EQ(result.exitCode, 0) << result.err;
  std::vector<std::string> needed;
  const std::regex entry(R"(NEEDED\s+(\S+))");
  for (auto it = std::sregex_iterator(result.out.begin(), result.out.end(), entry);
       it != std::sregex_iterator(); ++it)
    needed.push_back((*it)[1]);
  return needed;
}

std::vector<std::string> listedLibraries(const std::string& program) {
  std::ifstream list(std::string(SEQSEG_SOURCE_DIR) + "/cmake/symbol_lookup_order/" + program +
                     ".txt");
  std::vector<std::string> sonames;
  std::string line;
  while (std::getline(list, line))
    if (!line.empty() && line[0] != '#') sonames.push_back(line);
  return sonames;
}

std::string programPath(const std::string& program) {
  return std::string(SEQSEG_BINARY_DIR) + "/app/" + program;
}

std::string defaultOrderPath(const std::string& program) {
  return std::string(SEQSEG_BINARY_DIR) + "/tests/e2e/" + program + "-default-order";
}

class SymbolLookupOrder : public testing::TestWithParam<std::string> {};

TEST_P(SymbolLookupOrder, TheProgramListsTheMostBoundLibrariesFirst) {
  if (kAddressSanitizer) GTEST_SKIP() << "AddressSanitizer's runtime must come first instead";
  const std::vector<std::string> listed = listedLibraries(GetParam());
  ASSERT_GT(listed.size(), 20u);
  const std::vector<std::string> needed = neededLibraries(programPath(GetParam()));
  // Each listed library this machine has, in the list's order, ahead of the others.
  std::vector<std::string> expectedHead;
  for (const std::string& soname : listed)
    if (std::find(needed.begin(), needed.end(), soname) != needed.end())
      expectedHead.push_back(soname);
  ASSERT_GT(expectedHead.size(), listed.size() / 2) << "most listed libraries are not linked";
  EXPECT_EQ(std::vector<std::string>(needed.begin(), needed.begin() + expectedHead.size()),
            expectedHead);
}

TEST_P(SymbolLookupOrder, EveryReferenceBindsWhereItDoesInTheDefaultOrder) {
  ASSERT_TRUE(fs::exists(defaultOrderPath(GetParam())));
  const test::TempDir work;
  const auto ordered = bindingsAtStart(programPath(GetParam()), {"--version"}, work, "ordered");
  const auto reference =
      bindingsAtStart(defaultOrderPath(GetParam()), {"--version"}, work, "reference");
  ASSERT_GT(reference.size(), 10000u);
  // The same references are made (the same code and libraries), each to the same library, or to
  // another copy of an inline function or template instance (C++'s vague linkage: weak or unique
  // in both libraries, the same code by the one-definition rule; every reference of the process
  // still binds to one copy).
  EXPECT_EQ(ordered.size(), reference.size());
  size_t differing = 0, otherCopies = 0;
  std::string example;
  for (const auto& [key, library] : reference) {
    const auto found = ordered.find(key);
    const std::string bound = found == ordered.end() ? "(not made)" : found->second;
    if (bound == library) continue;
    if (definesWithVagueLinkage(library, key.second) &&
        definesWithVagueLinkage(bound, key.second)) {
      ++otherCopies;
      continue;
    }
    if (differing++ == 0)
      example = key.second + " from " + key.first + ": " + library + " -> " + bound;
  }
  EXPECT_EQ(differing, 0u) << "e.g. " << example;
  RecordProperty("other_copies_of_inline_functions", static_cast<int>(otherCopies));
}

INSTANTIATE_TEST_SUITE_P(Programs, SymbolLookupOrder,
                         testing::Values("seqseg-real", "seqseg-worker-real"),
                         [](const auto& info) {
                           return info.param == "seqseg-real" ? std::string("Seqseg")
                                                              : std::string("Worker");
                         });

}  // namespace
}  // namespace seqseg
