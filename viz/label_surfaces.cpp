#include "viz/label_surfaces.h"

#include <vtkDiscreteFlyingEdges3D.h>
#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataNormals.h>
#include <vtkWindowedSincPolyDataFilter.h>

namespace seqseg {

vtkSmartPointer<vtkPolyData> labelSurface(vtkImageData* labels, uint8_t value,
                                          int smoothingIterations) {
  // VTK 9.1's contouring ignores the direction matrix: extract in index space, then place the
  // points with the image's own index-to-world transform (oblique grids included).
  vtkNew<vtkImageData> indexSpace;
  indexSpace->ShallowCopy(labels);
  indexSpace->SetOrigin(0.0, 0.0, 0.0);
  indexSpace->SetSpacing(1.0, 1.0, 1.0);
  indexSpace->SetDirectionMatrix(1, 0, 0, 0, 1, 0, 0, 0, 1);

  vtkNew<vtkDiscreteFlyingEdges3D> contour;
  contour->SetInputData(indexSpace);
  contour->SetValue(0, value);
  contour->ComputeNormalsOff();
  contour->ComputeGradientsOff();
  contour->ComputeScalarsOff();
  contour->Update();
  auto surface = vtkSmartPointer<vtkPolyData>::New();
  if (contour->GetOutput()->GetNumberOfPoints() == 0) return surface;

  vtkSmartPointer<vtkPolyData> mesh = contour->GetOutput();
  vtkNew<vtkWindowedSincPolyDataFilter> smoother;
  if (smoothingIterations > 0) {
    // Windowed sinc keeps the volume of the blocky voxel surface while rounding it.
    smoother->SetInputData(mesh);
    smoother->SetNumberOfIterations(smoothingIterations);
    smoother->SetPassBand(0.1);
    smoother->BoundarySmoothingOff();
    smoother->FeatureEdgeSmoothingOff();
    smoother->NonManifoldSmoothingOn();
    smoother->NormalizeCoordinatesOn();
    smoother->Update();
    mesh = smoother->GetOutput();
  }

  vtkNew<vtkPoints> world;
  world->SetDataTypeToFloat();
  world->SetNumberOfPoints(mesh->GetNumberOfPoints());
  for (vtkIdType n = 0; n < mesh->GetNumberOfPoints(); ++n) {
    double index[3], point[3];
    mesh->GetPoint(n, index);
    labels->TransformContinuousIndexToPhysicalPoint(index, point);
    world->SetPoint(n, point);
  }
  vtkNew<vtkPolyData> placed;
  placed->ShallowCopy(mesh);
  placed->SetPoints(world);

  vtkNew<vtkPolyDataNormals> normals;
  normals->SetInputData(placed);
  normals->SplittingOff();
  normals->ConsistencyOn();
  normals->Update();
  surface->ShallowCopy(normals->GetOutput());
  return surface;
}

}  // namespace seqseg
