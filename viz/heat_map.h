#pragma once
// Probability and uncertainty maps (float, 0..1) drawn as heat maps in the slice views: a
// colour map, an opacity and a threshold below which nothing is drawn, as ITK-SNAP and Slicer
// overlay a statistical map; the colour bar's lookup table; and the surface of a map at a
// level for the 3D view.
#include <array>
#include <cstdint>
#include <string>

#include <vtkSmartPointer.h>

class vtkImageData;
class vtkLookupTable;
class vtkPolyData;

namespace seqseg {

// Perceptually uniform colour maps, dark at 0 and bright at 1: inferno (black, purple, orange,
// pale yellow) and viridis (purple, teal, yellow).
enum class HeatColourMap { Inferno, Viridis };

struct HeatMapDisplay {
  HeatColourMap colours = HeatColourMap::Inferno;
  double opacity = 0.7;    // 0..1, of every drawn voxel
  double threshold = 0.1;  // values below it are not drawn
  std::string title;       // the colour bar's: what the values are
};

// The colour of `value` (clamped to 0..1) in `map`, 8 bits per channel.
std::array<uint8_t, 3> heatColour(HeatColourMap map, double value);

// `map` as a 256-entry opaque lookup table over 0..1 (for the colour bar).
vtkSmartPointer<vtkLookupTable> heatLookupTable(HeatColourMap map);

// `values` (float, one slice or any part of an image) coloured as `display` says: unsigned
// char RGBA with the same extent and placement. Values below the threshold (and NaN) are
// transparent.
vtkSmartPointer<vtkImageData> heatMapOverlay(vtkImageData* values, const HeatMapDisplay& display);

// The surface where `values` (float, placed in LPS world space by its origin, spacing and
// direction) crosses `level`, extracted with flying edges in index space and placed with the
// image's index-to-world transform (VTK 9.1's contouring ignores the direction matrix), with
// point normals. Empty (no points) when the values never cross it.
vtkSmartPointer<vtkPolyData> levelSurface(vtkImageData* values, double level);

}  // namespace seqseg
