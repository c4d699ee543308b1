#include "viz/label_colours.h"

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace seqseg {

const LabelClass* LabelColourTable::find(uint8_t value) const {
  for (const LabelClass& entry : classes)
    if (entry.value == value) return &entry;
  return nullptr;
}

LabelColourTable defaultLabelColours() {
  return {{{0, "Background", "BG", {0, 0, 0}},
           {1, "Necrotic tumour core", "NCR", {255, 0, 0}},
           {2, "Peritumoral oedema", "ED", {0, 200, 0}},
           {3, "Enhancing tumour", "ET", {255, 255, 0}}}};
}

std::string labelColourTablePath(const std::string& resourcesDirectory) {
  return resourcesDirectory + "/labels/brats.json";
}

LabelColourTable loadLabelColourTable(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw std::runtime_error(path + ": cannot open the label colour table");
  LabelColourTable table;
  try {
    const nlohmann::json document = nlohmann::json::parse(file);
    for (const nlohmann::json& entry : document.at("labels")) {
      LabelClass label;
      const int value = entry.at("value").get<int>();
      if (value < 0 || value > 255) throw std::runtime_error("label value outside 0..255");
      label.value = static_cast<uint8_t>(value);
      label.name = entry.at("name").get<std::string>();
      label.abbreviation = entry.value("abbreviation", label.name);
      const std::vector<int> colour = entry.at("color").get<std::vector<int>>();
      if (colour.size() != 3) throw std::runtime_error("a color needs three components");
      for (int c = 0; c < 3; ++c)
        label.colour[c] = static_cast<uint8_t>(std::clamp(colour[c], 0, 255));
      if (table.find(label.value)) throw std::runtime_error("label value repeated");
      table.classes.push_back(label);
    }
  } catch (const std::exception& error) {
    throw std::runtime_error(path + ": not a label colour table: " + error.what());
  }
  std::sort(table.classes.begin(), table.classes.end(),
            [](const LabelClass& a, const LabelClass& b) { return a.value < b.value; });
  return table;
}

}  // namespace seqseg
