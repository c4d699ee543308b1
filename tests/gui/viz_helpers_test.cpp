// The display-free parts of viz/: Volume to vtkImageData, display windows and presets, slice
// planes and their edge letters, label colour tables and slice overlays (and the parts drawn
// again after an edit), label surfaces from the part of the labels where each lies.
#include <gtest/gtest.h>

#include <vtkDataArray.h>
#include <vtkDiscreteFlyingEdges3D.h>
#include <vtkImageData.h>
#include <vtkLookupTable.h>
#include <vtkMatrix3x3.h>
#include <vtkPointData.h>
#include <vtkPolyData.h>
#include <vtkWindowedSincPolyDataFilter.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "viz/intensity_window.h"
#include "viz/label_colours.h"
#include "viz/label_overlay.h"
#include "viz/label_surfaces.h"
#include "viz/patient_slicing.h"
#include "viz/slice_orientation.h"
#include "viz/volume_to_vtk.h"

namespace seqseg {
namespace {

TEST(VolumeToVtk, KeepsVoxelOrderAndGeometry) {
  Volume volume;
  volume.shape = {2, 3, 4, 5};  // C, A0 (k), A1 (j), A2 (i)
  volume.voxels.resize(2 * 3 * 4 * 5);
  for (size_t n = 0; n < volume.voxels.size(); ++n) volume.voxels[n] = static_cast<float>(n);
  volume.geometry.spacing = {0.5, 1.5, 2.5};
  volume.geometry.origin = {-10.0, 20.0, 5.0};
  volume.geometry.direction = {0, 1, 0, -1, 0, 0, 0, 0, 1};

  vtkSmartPointer<vtkImageData> image = channelToVtkImage(volume, 1);
  int dimensions[3];
  image->GetDimensions(dimensions);
  EXPECT_EQ(dimensions[0], 5);
  EXPECT_EQ(dimensions[1], 4);
  EXPECT_EQ(dimensions[2], 3);
  const int i = 4, j = 2, k = 1;
  const float expected = volume.channel(1)[(k * 4 + j) * 5 + i];
  EXPECT_EQ(image->GetScalarComponentAsFloat(i, j, k, 0), expected);

  double spacing[3], origin[3];
  image->GetSpacing(spacing);
  image->GetOrigin(origin);
  for (int axis = 0; axis < 3; ++axis) {
    EXPECT_EQ(spacing[axis], volume.geometry.spacing[axis]);
    EXPECT_EQ(origin[axis], volume.geometry.origin[axis]);
  }
  for (int row = 0; row < 3; ++row)
    for (int column = 0; column < 3; ++column)
      EXPECT_EQ(image->GetDirectionMatrix()->GetElement(row, column),
                volume.geometry.direction[row * 3 + column]);
  // Index (1, 0, 0) lies one i-step along the direction's first column: (0, -1, 0) * 0.5.
  double point[3];
  image->TransformIndexToPhysicalPoint(1, 0, 0, point);
  EXPECT_DOUBLE_EQ(point[0], -10.0);
  EXPECT_DOUBLE_EQ(point[1], 19.5);
  EXPECT_DOUBLE_EQ(point[2], 5.0);

  EXPECT_THROW(channelToVtkImage(volume, 2), std::out_of_range);
}

TEST(PercentileWindow, IgnoresOutliersAndNonFiniteValues) {
  std::vector<float> values(10000);
  for (size_t n = 0; n < values.size(); ++n) values[n] = static_cast<float>(n % 1000);
  values[17] = 1e9f;  // one hot voxel
  values[18] = std::nanf("");
  const IntensityWindow window = percentileWindow(values.data(), values.size());
  EXPECT_NEAR(window.low, 1.0, 1.0);
  EXPECT_NEAR(window.high, 999.0, 1.0);
  EXPECT_DOUBLE_EQ(window.level(), 0.5 * (window.low + window.high));
}

TEST(PercentileWindow, ConstantImageStillHasAWidth) {
  const std::vector<float> values(100, 7.0f);
  const IntensityWindow window = percentileWindow(values.data(), values.size());
  EXPECT_EQ(window.low, 7.0);
  EXPECT_GT(window.width(), 0.0);
}

TEST(SliceOrientation, FindsTheVoxelAxisOfEachPlane) {
  const std::array<double, 9> identity{1, 0, 0, 0, 1, 0, 0, 0, 1};
  EXPECT_EQ(normalVoxelAxis(SliceOrientation::Sagittal, identity), 0);
  EXPECT_EQ(normalVoxelAxis(SliceOrientation::Coronal, identity), 1);
  EXPECT_EQ(normalVoxelAxis(SliceOrientation::Axial, identity), 2);
  // A grid stored coronally: i runs left-right, j superior-inferior, k anterior-posterior.
  const std::array<double, 9> coronalStack{1, 0, 0, 0, 0, 1, 0, -1, 0};
  EXPECT_EQ(normalVoxelAxis(SliceOrientation::Sagittal, coronalStack), 0);
  EXPECT_EQ(normalVoxelAxis(SliceOrientation::Axial, coronalStack), 1);
  EXPECT_EQ(normalVoxelAxis(SliceOrientation::Coronal, coronalStack), 2);
}

// A grid stored PIR (i posterior, j inferior, k towards the patient's right: a sagittal
// acquisition) with anisotropic voxels.
vtkSmartPointer<vtkImageData> sagittalStack() {
  Volume volume;
  volume.shape = {1, 4, 5, 6};  // k, j, i
  volume.geometry.spacing = {0.9, 1.1, 3.0};
  volume.geometry.origin = {10.0, -20.0, 30.0};
  volume.geometry.direction = {0, 0, -1, 1, 0, 0, 0, -1, 0};  // columns: +y, -z, -x (LPS)
  volume.voxels.resize(4 * 5 * 6);
  for (size_t n = 0; n < volume.voxels.size(); ++n) volume.voxels[n] = static_cast<float>(n);
  return channelToVtkImage(volume, 0);
}

TEST(PatientSlicing, AGridAlongThePatientsAxesSamplesVoxelCentres) {
  vtkSmartPointer<vtkImageData> image = sagittalStack();
  const PatientGrid grid = patientGrid(image);
  // x (left) runs along k (3 mm, 4 voxels), y (posterior) along i, z (superior) along j.
  EXPECT_EQ(grid.size, (std::array<int, 3>{4, 6, 5}));
  EXPECT_DOUBLE_EQ(grid.spacing[0], 3.0);
  EXPECT_DOUBLE_EQ(grid.spacing[1], 0.9);
  EXPECT_DOUBLE_EQ(grid.spacing[2], 1.1);
  EXPECT_NEAR(grid.low(0), 10.0 - 9.0, 1e-9);  // k = 3 is the rightmost voxel
  EXPECT_NEAR(grid.high(2), 30.0, 1e-9);       // j = 0 is the most superior
  // An axial plane through voxel (i 2, j 3, k 1): every sample is a voxel's value.
  double centre[3];
  image->TransformIndexToPhysicalPoint(2, 3, 1, centre);
  vtkSmartPointer<vtkImageData> axial = patientSlice(image, grid, 2, centre[2], false);
  int extent[6];
  axial->GetExtent(extent);
  EXPECT_EQ(extent[4], extent[5]);
  for (int y = extent[2]; y <= extent[3]; ++y)
    for (int x = extent[0]; x <= extent[1]; ++x) {
      double world[3], index[3];
      axial->TransformIndexToPhysicalPoint(x, y, extent[4], world);
      image->TransformPhysicalPointToContinuousIndex(world, index);
      for (double component : index) EXPECT_NEAR(component, std::round(component), 1e-9);
      EXPECT_FLOAT_EQ(axial->GetScalarComponentAsFloat(x, y, extent[4], 0),
                      image->GetScalarComponentAsFloat(static_cast<int>(std::lround(index[0])),
                                                       static_cast<int>(std::lround(index[1])),
                                                       static_cast<int>(std::lround(index[2])), 0));
    }
}

TEST(PatientSlicing, AnObliqueGridIsCoveredAndOutsideIsBackground) {
  Volume volume;
  volume.shape = {1, 6, 6, 6};
  const double c = std::cos(0.5), s = std::sin(0.5);
  volume.geometry.direction = {c, -s, 0, s, c, 0, 0, 0, 1};
  volume.voxels.assign(216, 50.0f);
  vtkSmartPointer<vtkImageData> image = channelToVtkImage(volume, 0);
  const PatientGrid grid = patientGrid(image);
  for (int corner = 0; corner < 8; ++corner) {
    double point[3];
    image->TransformIndexToPhysicalPoint(corner & 1 ? 5 : 0, corner & 2 ? 5 : 0, corner & 4 ? 5 : 0,
                                         point);
    for (int axis = 0; axis < 3; ++axis) {
      EXPECT_GE(point[axis], grid.low(axis) - 1e-9);
      EXPECT_LE(point[axis], grid.high(axis) + 1e-9);
    }
  }
  vtkSmartPointer<vtkImageData> slice = patientSlice(image, grid, 2, 2.0, true, -1.0);
  int extent[6];
  slice->GetExtent(extent);
  // The grid's corner lies outside the turned image; its centre inside.
  EXPECT_EQ(slice->GetScalarComponentAsFloat(extent[0], extent[2], extent[4], 0), -1.0f);
  EXPECT_EQ(slice->GetScalarComponentAsFloat((extent[0] + extent[1]) / 2,
                                             (extent[2] + extent[3]) / 2, extent[4], 0),
            50.0f);
}

TEST(LabelOverlay, ColoursOneSliceAndKeepsGeometry) {
  LabelVolume labels;
  labels.shape = {3, 4, 5};  // A0 (k), A1 (j), A2 (i)
  labels.labels.assign(3 * 4 * 5, 0);
  labels.labels[(1 * 4 + 2) * 5 + 3] = 1;  // k 1, j 2, i 3
  labels.labels[(1 * 4 + 2) * 5 + 4] = 2;
  labels.labels[(2 * 4 + 2) * 5 + 4] = 3;
  labels.geometry.spacing = {0.5, 1.5, 2.5};
  labels.geometry.origin = {-10.0, 20.0, 5.0};
  labels.geometry.direction = {0, 1, 0, -1, 0, 0, 0, 0, 1};
  vtkSmartPointer<vtkImageData> image = labelsToVtkImage(labels);

  LabelDisplay display;
  display.opacity = 0.5;
  // The axial slice k = 1 (VTK z).
  vtkSmartPointer<vtkImageData> overlay = labelSliceOverlay(image, 2, 1, display);
  int extent[6];
  overlay->GetExtent(extent);
  EXPECT_EQ((std::vector<int>(extent, extent + 6)), (std::vector<int>{0, 4, 0, 3, 1, 1}));
  ASSERT_EQ(overlay->GetNumberOfScalarComponents(), 4);
  double origin[3];
  overlay->GetOrigin(origin);
  EXPECT_EQ(origin[0], -10.0);
  EXPECT_EQ(overlay->GetDirectionMatrix()->GetElement(1, 0), -1.0);

  auto rgba = [&](int i, int j, int k) {
    std::vector<int> values;
    for (int c = 0; c < 4; ++c)
      values.push_back(static_cast<int>(overlay->GetScalarComponentAsDouble(i, j, k, c)));
    return values;
  };
  EXPECT_EQ(rgba(0, 0, 1)[3], 0);  // background: transparent
  EXPECT_EQ(rgba(3, 2, 1), (std::vector<int>{255, 0, 0, 128}));
  EXPECT_EQ(rgba(4, 2, 1), (std::vector<int>{0, 200, 0, 128}));
  // The sagittal slice i = 4 (VTK x) holds ED at k 1 and ET at k 2.
  vtkSmartPointer<vtkImageData> sagittal = labelSliceOverlay(image, 0, 4, display);
  EXPECT_EQ(static_cast<int>(sagittal->GetScalarComponentAsDouble(4, 2, 2, 0)), 255);
  EXPECT_EQ(static_cast<int>(sagittal->GetScalarComponentAsDouble(4, 2, 2, 1)), 255);

  display.hidden.set(2);
  EXPECT_EQ(labelSliceOverlay(image, 2, 1, display)->GetScalarComponentAsDouble(4, 2, 1, 3), 0);
  display.hidden.reset();
  display.visible = false;
  EXPECT_EQ(labelSliceOverlay(image, 2, 1, display)->GetScalarComponentAsDouble(3, 2, 1, 3), 0);

  // The busiest slice along VTK x (i), y (j) and z (k).
  const std::array<int, 3> busiest = busiestLabelSlices(labels);
  EXPECT_EQ(busiest, (std::array<int, 3>{4, 2, 1}));
  labels.labels.assign(labels.labels.size(), 0);
  EXPECT_EQ(busiestLabelSlices(labels), (std::array<int, 3>{-1, -1, -1}));
}

// Drawn voxels of one slice overlay.
long drawnVoxels(vtkImageData* overlay) {
  long drawn = 0;
  const auto* rgba = static_cast<const unsigned char*>(overlay->GetScalarPointer());
  for (vtkIdType n = 0; n < overlay->GetNumberOfPoints(); ++n) drawn += rgba[4 * n + 3] != 0;
  return drawn;
}

TEST(LabelOverlay, OutlineKeepsOnlyTheInPlaneBoundary) {
  LabelVolume labels;
  labels.shape = {3, 12, 12};
  labels.labels.assign(3 * 12 * 12, 0);
  // A 6x6 square of ED with a 2x2 NCR core, on the middle axial slice.
  for (int j = 3; j < 9; ++j)
    for (int i = 3; i < 9; ++i)
      labels.labels[(1 * 12 + j) * 12 + i] = (i == 5 || i == 6) && (j == 5 || j == 6) ? 1 : 2;
  vtkSmartPointer<vtkImageData> image = labelsToVtkImage(labels);
  LabelDisplay display;
  EXPECT_EQ(drawnVoxels(labelSliceOverlay(image, 2, 1, display)), 36);
  display.outline = true;
  // ED: the 20 voxels of the square's rim plus the 8 around the core; NCR: all 4 (each
  // touches ED).
  EXPECT_EQ(drawnVoxels(labelSliceOverlay(image, 2, 1, display)), 20 + 8 + 4);
  EXPECT_EQ(drawnVoxels(labelSliceOverlay(image, 2, 0, display)), 0);
}

TEST(LabelColours, TheShippedTableIsTheDefault) {
  const LabelColourTable table =
      loadLabelColourTable(labelColourTablePath(SEQSEG_SOURCE_DIR "/resources"));
  const LabelColourTable defaults = defaultLabelColours();
  ASSERT_EQ(table.classes.size(), 4u);
  for (size_t n = 0; n < table.classes.size(); ++n) {
    EXPECT_EQ(table.classes[n].value, defaults.classes[n].value);
    EXPECT_EQ(table.classes[n].name, defaults.classes[n].name);
    EXPECT_EQ(table.classes[n].abbreviation, defaults.classes[n].abbreviation);
    EXPECT_EQ(table.classes[n].colour, defaults.classes[n].colour);
  }
  EXPECT_EQ(table.find(3)->abbreviation, "ET");
  EXPECT_EQ(table.find(4), nullptr);
}

TEST(LabelColours, ABadTableNamesTheFile) {
  const std::string path = ::testing::TempDir() + "/bad_colours.json";
  std::ofstream(path) << R"({"labels": [{"value": 1, "name": "x", "color": [1, 2]}]})";
  try {
    loadLabelColourTable(path);
    FAIL() << "no error";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
  }
  EXPECT_THROW(loadLabelColourTable(path + ".missing"), std::runtime_error);
}

TEST(WindowPresets, EachPresetFromItsOwnVoxels) {
  // Half air (0), tissue 100..199, one hot voxel.
  std::vector<float> values(20000, 0.0f);
  for (size_t n = 0; n < 10000; ++n) values[n] = 100.0f + static_cast<float>(n % 100);
  values[5] = 5000.0f;
  const std::vector<std::string> names = windowPresetNames();
  ASSERT_EQ(names.size(), 3u);
  const IntensityWindow full = *presetWindow("Full range", values.data(), values.size());
  EXPECT_EQ(full.low, 0.0);
  EXPECT_EQ(full.high, 5000.0);
  const IntensityWindow brain = *presetWindow(names[1], values.data(), values.size());
  EXPECT_NEAR(brain.low, 101.0, 1.0);
  EXPECT_NEAR(brain.high, 198.0, 1.0);
  const IntensityWindow automatic = *presetWindow(names[0], values.data(), values.size());
  EXPECT_EQ(automatic.low, 0.0);
  EXPECT_NEAR(automatic.high, 199.0, 1.0);
  EXPECT_FALSE(presetWindow("Bone", values.data(), values.size()).has_value());
}

TEST(SliceOrientation, EdgeLettersOfTheRadiologicalViews) {
  auto letters = [](SliceOrientation orientation) {
    const EdgeLetters edges = edgeLetters(radiologicalView(orientation));
    return std::string{edges.left, edges.right, edges.top, edges.bottom};
  };
  EXPECT_EQ(letters(SliceOrientation::Axial), "RLAP");
  EXPECT_EQ(letters(SliceOrientation::Coronal), "RLSI");
  EXPECT_EQ(letters(SliceOrientation::Sagittal), "APSI");
  EXPECT_EQ(anatomicalLetter({0.3, -0.9, 0.2}), 'A');
  EXPECT_EQ(anatomicalLetter({-0.7, 0.6, 0.2}), 'R');
}

// Label values of a 30 x 28 x 26 grid, turned 0.4 rad about z: a lumpy ED ball holding an NCR
// ball, and ET against the image's edge (its surface is open there).
LabelVolume lumpyLabels() {
  LabelVolume labels;
  labels.shape = {26, 28, 30};  // A0 (k), A1 (j), A2 (i)
  labels.geometry.spacing = {0.9, 1.1, 1.3};
  labels.geometry.origin = {-12.0, 8.0, 3.0};
  const double c = std::cos(0.4), s = std::sin(0.4);
  labels.geometry.direction = {c, -s, 0, s, c, 0, 0, 0, 1};
  labels.labels.assign(26 * 28 * 30, 0);
  size_t n = 0;
  for (int k = 0; k < 26; ++k)
    for (int j = 0; j < 28; ++j)
      for (int i = 0; i < 30; ++i, ++n) {
        const double r = std::hypot(i - 14.0, j - 13.0, k - 12.0);
        if (r < 4.0 + std::sin(0.7 * i))
          labels.labels[n] = 1;
        else if (r < 9.0 + 1.5 * std::sin(0.5 * j) * std::cos(0.6 * k))
          labels.labels[n] = 2;
        else if (i >= 25 && std::hypot(j - 6.0, k - 6.0) < 4.0)
          labels.labels[n] = 3;
      }
  return labels;
}

// The raw (unsmoothed) boundary of `value` in `labels`, in index space.
vtkSmartPointer<vtkPolyData> rawSurface(vtkImageData* labels, uint8_t value) {
  vtkNew<vtkImageData> indexSpace;
  indexSpace->ShallowCopy(labels);
  indexSpace->SetOrigin(0.0, 0.0, 0.0);
  indexSpace->SetSpacing(1.0, 1.0, 1.0);
  indexSpace->SetDirectionMatrix(1, 0, 0, 0, 1, 0, 0, 0, 1);
  vtkNew<vtkDiscreteFlyingEdges3D> contour;
  contour->SetInputData(indexSpace);
  contour->SetValue(0, value);
  contour->ComputeNormalsOff();
  contour->Update();
  return contour->GetOutput();
}

TEST(LabelSurfaces, SmoothingIsVtksWindowedSinc) {
  vtkSmartPointer<vtkImageData> image = labelsToVtkImage(lumpyLabels());
  for (uint8_t value : {1, 2, 3}) {
    vtkSmartPointer<vtkPolyData> raw = rawSurface(image, value);
    ASSERT_GT(raw->GetNumberOfPoints(), 100) << int(value);
    vtkNew<vtkWindowedSincPolyDataFilter> vtk;
    vtk->SetInputData(raw);
    vtk->SetNumberOfIterations(15);
    vtk->SetPassBand(0.1);
    vtk->BoundarySmoothingOff();
    vtk->FeatureEdgeSmoothingOff();
    vtk->NonManifoldSmoothingOn();
    vtk->NormalizeCoordinatesOn();
    vtk->Update();
    vtkSmartPointer<vtkPolyData> ours = windowedSincSmoothed(raw, 15, 0.1);
    ASSERT_EQ(ours->GetNumberOfPoints(), raw->GetNumberOfPoints());
    EXPECT_EQ(ours->GetNumberOfPolys(), raw->GetNumberOfPolys());
    double worst = 0.0, moved = 0.0;
    for (vtkIdType n = 0; n < raw->GetNumberOfPoints(); ++n) {
      double a[3], b[3], before[3];
      vtk->GetOutput()->GetPoint(n, a);
      ours->GetPoint(n, b);
      raw->GetPoint(n, before);
      worst = std::max(worst, std::hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]));
      moved = std::max(moved, std::hypot(a[0] - before[0], a[1] - before[1], a[2] - before[2]));
    }
    // VTK keeps its points in float between iterations: the same up to that rounding.
    EXPECT_LT(worst, 1e-4) << int(value);
    EXPECT_GT(moved, 0.1) << int(value) << ": the surface was smoothed";
  }
}

TEST(LabelSurfaces, ThePartWhereALabelLiesGivesTheWholeImagesSurface) {
  const LabelVolume labels = lumpyLabels();
  vtkSmartPointer<vtkImageData> image = labelsToVtkImage(labels);
  const std::array<IndexBounds, 256> bounds = labelIndexBounds(image);
  // ET: i 25..29 (the edge), j and k within 4 of 6.
  EXPECT_EQ(bounds[3][0], 25);
  EXPECT_EQ(bounds[3][1], 29);
  EXPECT_EQ(bounds[3][2], 3);
  EXPECT_EQ(bounds[3][3], 9);
  EXPECT_TRUE(isEmpty(bounds[4]));
  EXPECT_EQ(bounds[0], (IndexBounds{0, 29, 0, 27, 0, 25}));
  for (uint8_t value : {1, 2, 3}) {
    // Every voxel of the label lies within its bounds.
    size_t n = 0;
    for (int k = 0; k < 26; ++k)
      for (int j = 0; j < 28; ++j)
        for (int i = 0; i < 30; ++i, ++n)
          if (labels.labels[n] == value) {
            ASSERT_TRUE(i >= bounds[value][0] && i <= bounds[value][1] && j >= bounds[value][2] &&
                        j <= bounds[value][3] && k >= bounds[value][4] && k <= bounds[value][5]);
          }
    vtkSmartPointer<vtkImageData> part = labelSurfaceInput(image, bounds[value]);
    ASSERT_NE(part, nullptr);
    EXPECT_LT(part->GetNumberOfPoints(), image->GetNumberOfPoints());
    vtkSmartPointer<vtkPolyData> whole = labelSurface(image, value);
    vtkSmartPointer<vtkPolyData> fromPart = labelSurface(part, value);
    ASSERT_GT(whole->GetNumberOfPoints(), 100);
    EXPECT_EQ(fromPart->GetNumberOfPoints(), whole->GetNumberOfPoints()) << int(value);
    EXPECT_EQ(fromPart->GetNumberOfPolys(), whole->GetNumberOfPolys()) << int(value);
    double a[6], b[6];
    whole->GetBounds(a);
    fromPart->GetBounds(b);
    for (int c = 0; c < 6; ++c) EXPECT_NEAR(a[c], b[c], 1e-6) << int(value);
  }
  // The labels' world placement, and outward unit normals on the closed NCR ball.
  vtkSmartPointer<vtkPolyData> core = labelSurface(image, 1);
  double centre[3];
  image->TransformIndexToPhysicalPoint(14, 13, 12, centre);
  vtkDataArray* normals = core->GetPointData()->GetNormals();
  ASSERT_NE(normals, nullptr);
  long outward = 0;
  for (vtkIdType n = 0; n < core->GetNumberOfPoints(); ++n) {
    double point[3], normal[3];
    core->GetPoint(n, point);
    normals->GetTuple(n, normal);
    EXPECT_NEAR(std::hypot(normal[0], normal[1], normal[2]), 1.0, 1e-3);
    EXPECT_LT(std::hypot(point[0] - centre[0], point[1] - centre[1], point[2] - centre[2]), 7.5);
    outward += (point[0] - centre[0]) * normal[0] + (point[1] - centre[1]) * normal[1] +
                   (point[2] - centre[2]) * normal[2] >
               0;
  }
  EXPECT_GT(outward, 0.95 * core->GetNumberOfPoints());
  // An absent label: no part, an empty surface.
  EXPECT_EQ(labelSurfaceInput(image, bounds[4]), nullptr);
  EXPECT_EQ(labelSurface(image, 4)->GetNumberOfPoints(), 0);
}

TEST(PatientSlicing, ARegionOfASliceHoldsTheSameSamples) {
  vtkSmartPointer<vtkImageData> image = labelsToVtkImage(lumpyLabels());
  const PatientGrid grid = patientGrid(image);
  for (int axis = 0; axis < 3; ++axis) {
    const double position = grid.origin[axis] + 11 * grid.spacing[axis];
    vtkSmartPointer<vtkImageData> whole = patientSlice(image, grid, axis, position, true);
    std::array<int, 6> region = {3, grid.size[0] - 5, 2, grid.size[1] - 7, 4, grid.size[2] - 3};
    region[2 * axis] = region[2 * axis + 1] = 0;
    vtkSmartPointer<vtkImageData> part =
        patientSliceRegion(image, grid, axis, position, true, 0.0, region);
    int extent[6];
    part->GetExtent(extent);
    EXPECT_EQ(
        (std::array<int, 6>{extent[0], extent[1], extent[2], extent[3], extent[4], extent[5]}),
        region);
    long labelled = 0;
    for (int z = region[4]; z <= region[5]; ++z)
      for (int y = region[2]; y <= region[3]; ++y)
        for (int x = region[0]; x <= region[1]; ++x) {
          const double value = part->GetScalarComponentAsDouble(x, y, z, 0);
          ASSERT_EQ(value, whole->GetScalarComponentAsDouble(x, y, z, 0)) << axis;
          labelled += value != 0;
        }
    EXPECT_GT(labelled, 20) << axis;
  }
}

TEST(LabelOverlay, ARegionColouredAgainIsTheWholeSlicesColours) {
  LabelVolume labels;
  labels.shape = {1, 12, 12};
  labels.labels.assign(12 * 12, 0);
  for (int j = 3; j < 9; ++j)
    for (int i = 3; i < 9; ++i) labels.labels[j * 12 + i] = 2;
  vtkSmartPointer<vtkImageData> image = labelsToVtkImage(labels);
  for (bool outline : {false, true}) {
    LabelDisplay display;
    display.outline = outline;
    vtkSmartPointer<vtkImageData> overlay = labelSliceOverlay(image, 2, 0, display);
    // Two voxels change; the region around them (grown by one, for the outline) is coloured
    // again.
    auto* values = static_cast<uint8_t*>(image->GetScalarPointer());
    values[5 * 12 + 5] = 1;
    values[8 * 12 + 9] = 2;
    colourLabelSliceRegion(image, overlay, 2, {4, 10, 4, 9, 0, 0}, display);
    vtkSmartPointer<vtkImageData> expected = labelSliceOverlay(image, 2, 0, display);
    for (int j = 0; j < 12; ++j)
      for (int i = 0; i < 12; ++i)
        for (int c = 0; c < 4; ++c)
          ASSERT_EQ(overlay->GetScalarComponentAsDouble(i, j, 0, c),
                    expected->GetScalarComponentAsDouble(i, j, 0, c))
              << outline << " " << i << "," << j;
    values[5 * 12 + 5] = 2;
    values[8 * 12 + 9] = 0;
  }
}

}  // namespace
}  // namespace seqseg
