#pragma once
// The measurements of a segmented case as the batch report writes them (report.json's
// "measurements") and the CSV beside it (--report-csv): one row per case and region.
#include <nlohmann/json.hpp>
#include <string>

#include "types/volume.h"

namespace seqseg {

// Per region (WT, TC, ET): types/region_measurements.h's measurements, points in RAS mm, and the
// bidimensional measure on the patient-axial plane ("axial_bidimensional"; RANO's for ET).
// An absent region has only "voxels": 0 and "volume_ml": 0.
nlohmann::json measurementsJson(const LabelVolume& internal);

// The report's cases as CSV: a header, then per case one row per region (a case that failed or
// was skipped: its status and the empty columns). Numbers absent for a case are empty cells.
std::string reportCsv(const nlohmann::json& report);

}  // namespace seqseg
