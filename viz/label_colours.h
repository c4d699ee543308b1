#pragma once
// The names and display colours of the label classes, read from a colour table in resources/
// (resources/labels/brats.json for the internal BraTS classes).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace seqseg {

struct LabelClass {
  uint8_t value = 0;
  std::string name;          // "Necrotic tumour core"
  std::string abbreviation;  // "NCR"
  std::array<uint8_t, 3> colour{};
};

// Entries in label-value order; value 0 is the background and is never drawn.
struct LabelColourTable {
  std::vector<LabelClass> classes;

  // nullptr for a value the table does not name.
  const LabelClass* find(uint8_t value) const;
};

// The internal classes 0 background, 1 NCR (red), 2 ED (green), 3 ET (yellow): what
// resources/labels/brats.json holds, for when no file is at hand.
LabelColourTable defaultLabelColours();

// resources/labels/brats.json below `resourcesDirectory` (types/resource_paths.h's
// resourcesDir() finds it for an installed or a build tree).
std::string labelColourTablePath(const std::string& resourcesDirectory);

// Reads a table {"labels": [{"value", "name", "abbreviation", "color": [r, g, b]}...]}.
// Throws std::runtime_error naming the file and the problem.
LabelColourTable loadLabelColourTable(const std::string& path);

}  // namespace seqseg
