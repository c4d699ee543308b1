#pragma once
// What is reported of a segmented region (as 3D Slicer's Segment Statistics and the RANO
// criteria do): volume, centroid, bounding box and largest diameter, and for the enhancing
// tumour the bidimensional product on the patient-axial plane. Plain C++ on LabelVolume and its
// Geometry, so that the batch report, its CSV and the desktop application's Labels panel give
// the same numbers. Points are scanner RAS in mm (what NIfTI viewers and the console show),
// whatever the storage order of the grid.
#include <array>
#include <cstdint>

#include "types/placement.h"
#include "types/regions.h"
#include "types/volume.h"

namespace seqseg {

// A line segment between two points (RAS mm).
struct Segment3 {
  Point3 from{}, to{};
  double lengthMm() const;
};

struct RegionMeasurement {
  Region region = Region::WholeTumour;
  int64_t voxels = 0;  // 0: the region is absent, and nothing below is set
  double volumeMl = 0;
  Point3 centroidRas{};
  // The bounding box: voxel indices (i, j, k), both ends included, and the RAS box of the
  // region's voxel centres.
  std::array<int64_t, 3> firstIndex{}, lastIndex{};
  Point3 lowRas{}, highRas{};
  // The longest distance between two voxel centres of the region.
  Segment3 largestDiameter;
};

// The RANO bidimensional measure: on the patient-axial plane (perpendicular to S-I, whatever the
// grid's storage order) where the region's area is largest, its longest diameter there and the
// longest diameter perpendicular to it in that plane.
struct BidimensionalMeasurement {
  bool present = false;
  double planeSuperiorMm = 0;  // the plane's S coordinate (RAS z)
  double areaMm2 = 0;          // the region's area in that plane
  Segment3 longest, perpendicular;
  double productMm2() const { return longest.lengthMm() * perpendicular.lengthMm(); }
};

// `internal`: a label map in internal classes (1 NCR, 2 ED, 3 ET).
RegionMeasurement measureRegion(const LabelVolume& internal, Region region);
// Planes are sampled every millimetre or finer (the grid's smallest spacing), in-plane points
// on a grid of that step, each taking the label of the voxel it falls in.
BidimensionalMeasurement measureBidimensional(const LabelVolume& internal,
                                              Region region = Region::EnhancingTumour);

// Every region of a label map (internal classes), in kRegions order: what the batch report
// and the desktop application's legend show. The regions are measured concurrently.
struct CaseMeasurements {
  std::array<RegionMeasurement, 3> regions;
  std::array<BidimensionalMeasurement, 3> axial;
};
CaseMeasurements measureRegions(const LabelVolume& internal);

}  // namespace seqseg
