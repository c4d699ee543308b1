#include "cli/batch_measurements.h"

#include <cmath>
#include <vector>

#include "types/region_measurements.h"
#include "types/regions.h"

namespace seqseg {
namespace {

nlohmann::json pointJson(const Point3& point) {
  return {point[0], point[1], point[2]};
}

nlohmann::json segmentJson(const Segment3& segment) {
  return {{"length_mm", segment.lengthMm()},
          {"from_ras_mm", pointJson(segment.from)},
          {"to_ras_mm", pointJson(segment.to)}};
}

nlohmann::json regionJson(const RegionMeasurement& region, const BidimensionalMeasurement& axial) {
  if (region.voxels == 0) return {{"voxels", 0}, {"volume_ml", 0.0}};
  nlohmann::json json{{"voxels", region.voxels},
                      {"volume_ml", region.volumeMl},
                      {"centroid_ras_mm", pointJson(region.centroidRas)},
                      {"bounding_box",
                       {{"first_index", region.firstIndex},
                        {"last_index", region.lastIndex},
                        {"low_ras_mm", pointJson(region.lowRas)},
                        {"high_ras_mm", pointJson(region.highRas)}}},
                      {"largest_diameter", segmentJson(region.largestDiameter)}};
  if (axial.present)
    json["axial_bidimensional"] = {{"plane_s_mm", axial.planeSuperiorMm},
                                   {"area_mm2", axial.areaMm2},
                                   {"longest", segmentJson(axial.longest)},
                                   {"perpendicular", segmentJson(axial.perpendicular)},
                                   {"product_mm2", axial.productMm2()}};
  return json;
}

// A CSV cell: numbers as JSON writes them (shortest exact form), text quoted when it must be.
std::string cell(const nlohmann::json& value) {
  if (value.is_null()) return "";
  if (value.is_number_float() && !std::isfinite(value.get<double>())) return "";
  if (!value.is_string()) return value.dump();
  const std::string text = value.get<std::string>();
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

// The value at `path` inside `json` ("a/b/0"), or null where any step is missing.
nlohmann::json at(const nlohmann::json& json, const nlohmann::json::json_pointer& path) {
  return json.contains(path) ? json.at(path) : nlohmann::json();
}

}  // namespace

nlohmann::json measurementsJson(const LabelVolume& internal) {
  const CaseMeasurements measured = measureRegions(internal);
  nlohmann::json json = nlohmann::json::object();
  for (size_t r = 0; r < kRegions.size(); ++r)
    json[regionName(kRegions[r])] = regionJson(measured.regions[r], measured.axial[r]);
  return json;
}

std::string reportCsv(const nlohmann::json& report) {
  using Pointer = nlohmann::json::json_pointer;
  // Column name -> where it is in a region's measurements.
  static const std::vector<std::pair<const char*, const char*>> kColumns{
      {"voxels", "/voxels"},
      {"volume_ml", "/volume_ml"},
      {"centroid_r_mm", "/centroid_ras_mm/0"},
      {"centroid_a_mm", "/centroid_ras_mm/1"},
      {"centroid_s_mm", "/centroid_ras_mm/2"},
      {"first_i", "/bounding_box/first_index/0"},
      {"first_j", "/bounding_box/first_index/1"},
      {"first_k", "/bounding_box/first_index/2"},
      {"last_i", "/bounding_box/last_index/0"},
      {"last_j", "/bounding_box/last_index/1"},
      {"last_k", "/bounding_box/last_index/2"},
      {"low_r_mm", "/bounding_box/low_ras_mm/0"},
      {"low_a_mm", "/bounding_box/low_ras_mm/1"},
      {"low_s_mm", "/bounding_box/low_ras_mm/2"},
      {"high_r_mm", "/bounding_box/high_ras_mm/0"},
      {"high_a_mm", "/bounding_box/high_ras_mm/1"},
      {"high_s_mm", "/bounding_box/high_ras_mm/2"},
      {"largest_diameter_mm", "/largest_diameter/length_mm"},
      {"axial_plane_s_mm", "/axial_bidimensional/plane_s_mm"},
      {"axial_area_mm2", "/axial_bidimensional/area_mm2"},
      {"axial_longest_mm", "/axial_bidimensional/longest/length_mm"},
      {"axial_perpendicular_mm", "/axial_bidimensional/perpendicular/length_mm"},
      {"axial_product_mm2", "/axial_bidimensional/product_mm2"}};
  std::string csv = "case,status,region";
  for (const auto& [name, path] : kColumns) csv += std::string(",") + name;
  csv += ",dice,hd95_mm\n";
  for (const nlohmann::json& entry : report.at("cases")) {
    for (Region region : kRegions) {
      const std::string name = regionName(region);
      std::string row = cell(entry.at("case")) + "," + cell(entry.at("status")) + "," + name;
      const nlohmann::json measured = at(entry, Pointer("/measurements/" + name));
      for (const auto& [column, path] : kColumns) row += "," + cell(at(measured, Pointer(path)));
      row += "," + cell(at(entry, Pointer("/dice/" + name)));
      row += "," + cell(at(entry, Pointer("/hd95_mm/" + name)));
      csv += row + "\n";
    }
  }
  return csv;
}

}  // namespace seqseg
