#include "viz/heat_map.h"

#include <algorithm>
#include <cmath>

#include <vtkFlyingEdges3D.h>
#include <vtkImageData.h>
#include <vtkLookupTable.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPolyData.h>

#include "viz/label_surfaces.h"

namespace seqseg {

namespace {

// Each map sampled at nine evenly spaced values (matplotlib's tables at 0, 1/8, ... 1), linearly
// interpolated in between.
using ControlPoints = std::array<std::array<uint8_t, 3>, 9>;
constexpr ControlPoints kInferno{{{0, 0, 4},
                                  {31, 12, 72},
                                  {85, 15, 109},
                                  {136, 34, 106},
                                  {186, 54, 85},
                                  {227, 89, 51},
                                  {249, 142, 9},
                                  {250, 194, 40},
                                  {252, 255, 164}}};
constexpr ControlPoints kViridis{{{68, 1, 84},
                                  {71, 44, 122},
                                  {59, 81, 139},
                                  {44, 113, 142},
                                  {33, 144, 141},
                                  {39, 173, 129},
                                  {92, 200, 99},
                                  {170, 220, 50},
                                  {253, 231, 37}}};

// The colour of each of 256 steps over 0..1.
std::array<std::array<uint8_t, 3>, 256> heatTable(HeatColourMap map) {
  std::array<std::array<uint8_t, 3>, 256> table{};
  for (int step = 0; step < 256; ++step) table[step] = heatColour(map, step / 255.0);
  return table;
}

}  // namespace

std::array<uint8_t, 3> heatColour(HeatColourMap map, double value) {
  const ControlPoints& points = map == HeatColourMap::Viridis ? kViridis : kInferno;
  const double position = std::clamp(std::isnan(value) ? 0.0 : value, 0.0, 1.0) * 8.0;
  const int below = std::min(static_cast<int>(position), 7);
  const double along = position - below;
  std::array<uint8_t, 3> colour{};
  for (int c = 0; c < 3; ++c)
    colour[c] = static_cast<uint8_t>(
        std::lround((1.0 - along) * points[below][c] + along * points[below + 1][c]));
  return colour;
}

vtkSmartPointer<vtkLookupTable> heatLookupTable(HeatColourMap map) {
  auto lookup = vtkSmartPointer<vtkLookupTable>::New();
  lookup->SetNumberOfTableValues(256);
  lookup->SetTableRange(0.0, 1.0);
  const auto table = heatTable(map);
  for (int step = 0; step < 256; ++step)
    lookup->SetTableValue(step, table[step][0] / 255.0, table[step][1] / 255.0,
                          table[step][2] / 255.0, 1.0);
  return lookup;
}

vtkSmartPointer<vtkImageData> heatMapOverlay(vtkImageData* values, const HeatMapDisplay& display) {
  auto overlay = vtkSmartPointer<vtkImageData>::New();
  overlay->SetExtent(values->GetExtent());
  overlay->SetOrigin(values->GetOrigin());
  overlay->SetSpacing(values->GetSpacing());
  overlay->SetDirectionMatrix(values->GetDirectionMatrix());
  overlay->AllocateScalars(VTK_UNSIGNED_CHAR, 4);
  overlay->GetPointData()->GetScalars()->SetName("heat map colours");

  const auto table = heatTable(display.colours);
  const auto alpha = static_cast<uint8_t>(std::lround(std::clamp(display.opacity, 0.0, 1.0) * 255));
  const auto* in = static_cast<const float*>(values->GetScalarPointer());
  auto* out = static_cast<uint8_t*>(overlay->GetScalarPointer());
  const vtkIdType count = values->GetNumberOfPoints();
  for (vtkIdType n = 0; n < count; ++n, out += 4) {
    const float value = in[n];
    // `!(value >= threshold)`: NaN is not drawn either.
    if (!(value >= display.threshold) || alpha == 0) {
      std::fill(out, out + 4, uint8_t{0});
      continue;
    }
    const auto& colour =
        table[static_cast<size_t>(std::lround(std::clamp(value, 0.0f, 1.0f) * 255))];
    out[0] = colour[0];
    out[1] = colour[1];
    out[2] = colour[2];
    out[3] = alpha;
  }
  return overlay;
}

vtkSmartPointer<vtkPolyData> levelSurface(vtkImageData* values, double level) {
  vtkNew<vtkImageData> indexSpace;
  indexSpace->ShallowCopy(values);
  indexSpace->SetOrigin(0.0, 0.0, 0.0);
  indexSpace->SetSpacing(1.0, 1.0, 1.0);
  indexSpace->SetDirectionMatrix(1, 0, 0, 0, 1, 0, 0, 0, 1);

  vtkNew<vtkFlyingEdges3D> contour;
  contour->SetInputData(indexSpace);
  contour->SetValue(0, level);
  contour->ComputeNormalsOff();
  contour->ComputeGradientsOff();
  contour->ComputeScalarsOff();
  contour->Update();
  vtkPolyData* mesh = contour->GetOutput();
  if (mesh->GetNumberOfPoints() == 0) return vtkSmartPointer<vtkPolyData>::New();
  // The points carry continuous voxel indices (the extent's origin included): placed as the
  // label surfaces are.
  return placedInWorld(mesh, values);
}

}  // namespace seqseg
