#include "viz/label_surfaces.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <vtkCellArray.h>
#include <vtkDiscreteFlyingEdges3D.h>
#include <vtkImageData.h>
#include <vtkMath.h>
#include <vtkNew.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkSMPTools.h>
#include <vtkTriangleMeshPointNormals.h>

namespace seqseg {

namespace {

// Each point's neighbours along the mesh's edges, as Taubin's umbrella Laplacian and VTK 9.1's
// vtkWindowedSincPolyDataFilter (feature-edge smoothing off, non-manifold smoothing on) take
// them: an edge of two polygons once (marching cubes makes no edge of more; such an edge
// counts once per polygon). A point on the boundary (an edge of one polygon, where a label
// meets the image's edge) keeps only its two boundary neighbours: it slides along the boundary
// where that runs on within 15 degrees (VTK's edge angle), else it has none. VTK 9.1 treats
// the boundary so whether boundary smoothing is on or off, and such a "fixed" point still
// takes the filter's gain at zero frequency.
struct Neighbours {
  std::vector<int> offsets;  // of each point's neighbours in `ids`; one past the last
  std::vector<int> ids;
};

// Calls visit(a, b) for each edge of each polygon of `polys` (a cell array's offsets and
// connectivity, 32- or 64-bit).
template <typename Id, typename Visit>
void forEachPolygonEdge(const Id* offsets, vtkIdType cells, const Id* connectivity, Visit&& visit) {
  for (vtkIdType cell = 0; cell < cells; ++cell) {
    const Id* points = connectivity + offsets[cell];
    const Id size = offsets[cell + 1] - offsets[cell];
    for (Id n = 0; n + 1 < size; ++n)
      visit(static_cast<int>(points[n]), static_cast<int>(points[n + 1]));
    if (size > 1) visit(static_cast<int>(points[size - 1]), static_cast<int>(points[0]));
  }
}

Neighbours meshNeighbours(vtkPolyData* mesh) {
  const auto count = static_cast<size_t>(mesh->GetNumberOfPoints());
  vtkCellArray* polys = mesh->GetPolys();
  auto forEachEdge = [polys](auto&& visit) {
    if (polys->IsStorage64Bit())
      forEachPolygonEdge(polys->GetOffsetsArray64()->GetPointer(0), polys->GetNumberOfCells(),
                         polys->GetConnectivityArray64()->GetPointer(0), visit);
    else
      forEachPolygonEdge(polys->GetOffsetsArray32()->GetPointer(0), polys->GetNumberOfCells(),
                         polys->GetConnectivityArray32()->GetPointer(0), visit);
  };
  // Every polygon edge at both its ends, then each point's list sorted: a neighbour appears
  // once per polygon sharing the edge.
  std::vector<int> offsets(count + 1, 0);
  forEachEdge([&](int a, int b) {
    ++offsets[static_cast<size_t>(a) + 1];
    ++offsets[static_cast<size_t>(b) + 1];
  });
  for (size_t n = 1; n <= count; ++n) offsets[n] += offsets[n - 1];
  std::vector<int> all(static_cast<size_t>(offsets.back()));
  std::vector<int> fill(offsets.begin(), offsets.end() - 1);
  forEachEdge([&](int a, int b) {
    all[static_cast<size_t>(fill[static_cast<size_t>(a)]++)] = b;
    all[static_cast<size_t>(fill[static_cast<size_t>(b)]++)] = a;
  });

  Neighbours result;
  result.offsets.assign(count + 1, 0);
  result.ids.reserve(all.size() / 2);
  int boundary[3];
  for (size_t point = 0; point < count; ++point) {
    int* begin = all.data() + offsets[point];
    int* end = all.data() + offsets[point + 1];
    std::sort(begin, end);
    const size_t first = result.ids.size();
    int boundaryCount = 0;
    for (int* run = begin; run != end;) {
      int* next = run;
      while (next != end && *next == *run) ++next;
      const auto polygons = next - run;
      if (polygons == 1) {
        if (boundaryCount < 3) boundary[boundaryCount] = *run;
        ++boundaryCount;
      } else {
        result.ids.insert(result.ids.end(), polygons == 2 ? 1 : polygons, *run);
      }
      run = next;
    }
    if (boundaryCount > 0) {
      result.ids.resize(first);
      bool fixed = boundaryCount != 2;
      if (!fixed) {
        double before[3], here[3], after[3], in[3], out[3];
        mesh->GetPoint(boundary[0], before);
        mesh->GetPoint(static_cast<vtkIdType>(point), here);
        mesh->GetPoint(boundary[1], after);
        for (int k = 0; k < 3; ++k) {
          in[k] = here[k] - before[k];
          out[k] = after[k] - here[k];
        }
        vtkMath::Normalize(in);
        vtkMath::Normalize(out);
        fixed = vtkMath::Dot(in, out) < std::cos(vtkMath::RadiansFromDegrees(15.0));
      }
      if (!fixed) result.ids.insert(result.ids.end(), boundary, boundary + 2);
    }
    result.offsets[point + 1] = static_cast<int>(result.ids.size());
  }
  return result;
}

// The Chebyshev coefficients of Taubin's low-pass filter: a sinc of pass band `passBand`
// (0..2, of the Laplacian's spectrum) under a Hamming window, its cut-off offset (Newton's
// method) so that the pass band's edge passes whole, as vtkWindowedSincPolyDataFilter has it.
std::vector<double> windowedSincCoefficients(int iterations, double passBand) {
  const double pi = 3.14159265358979323846;
  const double thetaPassBand = std::acos(1.0 - 0.5 * passBand);
  std::vector<double> window(static_cast<size_t>(iterations) + 1);
  for (int i = 0; i <= iterations; ++i)
    window[static_cast<size_t>(i)] = 0.54 + 0.46 * std::cos(i * pi / (iterations + 1));
  std::vector<double> c(window.size()), derivative(window.size());
  double sigma = 0.0;
  for (int step = 0; step < 500; ++step) {
    c[0] = window[0] * (thetaPassBand + sigma) / pi;
    for (int i = 1; i <= iterations; ++i)
      c[static_cast<size_t>(i)] =
          2.0 * window[static_cast<size_t>(i)] * std::sin(i * (thetaPassBand + sigma)) / (i * pi);
    if (iterations < 2) break;  // no offset to search
    // The derivative's Chebyshev coefficients, then both at the pass band's edge.
    derivative[static_cast<size_t>(iterations)] = 0.0;
    derivative[static_cast<size_t>(iterations) - 1] = 0.0;
    derivative[static_cast<size_t>(iterations) - 2] = 2.0 * (iterations - 1) * c[iterations - 1];
    for (int i = iterations - 3; i >= 0; --i)
      derivative[static_cast<size_t>(i)] =
          derivative[static_cast<size_t>(i) + 2] + 2.0 * (i + 1) * c[static_cast<size_t>(i) + 1];
    double gain = c[0], slope = derivative[0];
    for (int i = 1; i <= iterations; ++i) {
      const double chebyshev = std::cos(i * thetaPassBand);
      gain += c[static_cast<size_t>(i)] * chebyshev;
      slope += derivative[static_cast<size_t>(i)] * chebyshev;
    }
    if (std::abs(gain - 1.0) < 1e-3) break;
    sigma -= (gain - 1.0) / slope;
  }
  return c;
}

// Taubin's windowed sinc smoothing of `mesh`'s points (Taubin, Zhang and Golub, "Optimal
// surface smoothing as filter design", 1996), the filter of VTK 9.1's
// vtkWindowedSincPolyDataFilter with feature-edge smoothing off, non-manifold smoothing on and
// coordinates normalised: the points filtered by a polynomial of the Laplacian, summed by the
// Chebyshev recurrence. VTK 9.1's filter finds each point's neighbours through cell links and
// keeps its terms in vtkPoints; here the neighbours take two passes over the polygons, and
// each iteration runs on every core.
vtkSmartPointer<vtkPoints> windowedSincPoints(vtkPolyData* mesh, int iterations, double passBand) {
  const vtkIdType count = mesh->GetNumberOfPoints();
  const Neighbours neighbours = meshNeighbours(mesh);
  const std::vector<double> c = windowedSincCoefficients(iterations, passBand);
  const int* offsets = neighbours.offsets.data();
  const int* ids = neighbours.ids.data();
  // x0, x1, x2: three terms of the recurrence (x, y, z of each point), rotated; sum: the
  // filtered points.
  std::array<std::vector<double>, 3> terms;
  for (auto& term : terms) term.resize(3 * static_cast<size_t>(count));
  std::vector<double> sum(3 * static_cast<size_t>(count));
  // About the centre of the mesh's bounds, as VTK's filter normalises its coordinates: the
  // filter's gain at zero frequency is not exactly one, so the result depends on the origin.
  double centre[3];
  mesh->GetCenter(centre);
  for (vtkIdType point = 0; point < count; ++point) {
    double* x = terms[0].data() + 3 * point;
    mesh->GetPoint(point, x);
    for (int k = 0; k < 3; ++k) x[k] -= centre[k];
  }

  // The mean of a point's neighbours in `x`, minus the point: the (umbrella) Laplacian; zero
  // without neighbours.
  auto laplacian = [offsets, ids](const double* x, vtkIdType point, double delta[3]) {
    const int from = offsets[point], to = offsets[point + 1];
    const double* centre = x + 3 * point;
    double dx = 0.0, dy = 0.0, dz = 0.0;
    for (int n = from; n < to; ++n) {
      const double* other = x + 3 * static_cast<size_t>(ids[n]);
      dx += other[0];
      dy += other[1];
      dz += other[2];
    }
    if (to > from) {
      const double share = 1.0 / (to - from);
      delta[0] = dx * share - centre[0];
      delta[1] = dy * share - centre[1];
      delta[2] = dz * share - centre[2];
    } else {
      delta[0] = delta[1] = delta[2] = 0.0;
    }
  };

  // x1 = x0 + L x0 / 2; sum = c0 x0 + c1 x1.
  vtkSMPTools::For(0, count, [&](vtkIdType begin, vtkIdType end) {
    const double* x0 = terms[0].data();
    double* x1 = terms[1].data();
    for (vtkIdType point = begin; point < end; ++point) {
      double delta[3];
      laplacian(x0, point, delta);
      for (vtkIdType k = 3 * point; k < 3 * point + 3; ++k) {
        x1[k] = x0[k] + 0.5 * delta[k - 3 * point];
        sum[static_cast<size_t>(k)] = c[0] * x0[k] + c[1] * x1[k];
      }
    }
  });
  // Then x2 = 2 x1 - x0 + L x1 (Taubin's recurrence); sum += cj x2; the terms rotate.
  int zero = 0, one = 1, two = 2;
  for (int iteration = 2; iteration <= iterations; ++iteration) {
    const double cj = c[static_cast<size_t>(iteration)];
    vtkSMPTools::For(0, count, [&](vtkIdType begin, vtkIdType end) {
      const double* x0 = terms[zero].data();
      const double* x1 = terms[one].data();
      double* x2 = terms[two].data();
      double* filtered = sum.data();
      for (vtkIdType point = begin; point < end; ++point) {
        double delta[3];
        laplacian(x1, point, delta);
        for (vtkIdType k = 3 * point; k < 3 * point + 3; ++k) {
          x2[k] = 2.0 * x1[k] - x0[k] + delta[k - 3 * point];
          filtered[k] += cj * x2[k];
        }
      }
    });
    zero = (zero + 1) % 3;
    one = (one + 1) % 3;
    two = (two + 1) % 3;
  }

  auto smoothed = vtkSmartPointer<vtkPoints>::New();
  smoothed->SetDataTypeToDouble();
  smoothed->SetNumberOfPoints(count);
  for (vtkIdType point = 0; point < count; ++point) {
    const double* x = sum.data() + 3 * point;
    smoothed->SetPoint(point, x[0] + centre[0], x[1] + centre[1], x[2] + centre[2]);
  }
  return smoothed;
}

}  // namespace

vtkSmartPointer<vtkPolyData> windowedSincSmoothed(vtkPolyData* mesh, int iterations,
                                                  double passBand) {
  auto smoothed = vtkSmartPointer<vtkPolyData>::New();
  smoothed->ShallowCopy(mesh);
  if (iterations > 0 && mesh->GetNumberOfPoints() > 0)
    smoothed->SetPoints(windowedSincPoints(mesh, iterations, passBand));
  return smoothed;
}

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

  // Windowed sinc keeps the volume of the blocky voxel surface while rounding it.
  vtkSmartPointer<vtkPolyData> mesh =
      windowedSincSmoothed(contour->GetOutput(), smoothingIterations, 0.1);

  return placedInWorld(mesh, labels);
}

vtkSmartPointer<vtkPolyData> placedInWorld(vtkPolyData* mesh, vtkImageData* grid) {
  vtkNew<vtkPoints> world;
  world->SetDataTypeToFloat();
  world->SetNumberOfPoints(mesh->GetNumberOfPoints());
  for (vtkIdType n = 0; n < mesh->GetNumberOfPoints(); ++n) {
    double index[3], point[3];
    mesh->GetPoint(n, index);
    grid->TransformContinuousIndexToPhysicalPoint(index, point);
    world->SetPoint(n, point);
  }
  vtkNew<vtkPolyData> placed;
  placed->ShallowCopy(mesh);
  placed->SetPoints(world);

  // The surface is all triangles, consistently ordered by the contouring: each point's normal
  // is the area-weighted mean of its triangles' (vtkPolyDataNormals' consistency pass, which
  // reorders nothing here, cost several times the rest).
  vtkNew<vtkTriangleMeshPointNormals> normals;
  normals->SetInputData(placed);
  normals->Update();
  auto surface = vtkSmartPointer<vtkPolyData>::New();
  surface->ShallowCopy(normals->GetOutput());
  return surface;
}

bool isEmpty(const IndexBounds& bounds) {
  return bounds[0] > bounds[1] || bounds[2] > bounds[3] || bounds[4] > bounds[5];
}

void include(IndexBounds& bounds, int x, int y, int z) {
  if (isEmpty(bounds)) {
    bounds = {x, x, y, y, z, z};
    return;
  }
  bounds[0] = std::min(bounds[0], x);
  bounds[1] = std::max(bounds[1], x);
  bounds[2] = std::min(bounds[2], y);
  bounds[3] = std::max(bounds[3], y);
  bounds[4] = std::min(bounds[4], z);
  bounds[5] = std::max(bounds[5], z);
}

std::array<IndexBounds, 256> labelIndexBounds(vtkImageData* labels) {
  std::array<IndexBounds, 256> bounds;
  bounds.fill(kNoBounds);
  int extent[6];
  labels->GetExtent(extent);
  const auto* values = static_cast<const uint8_t*>(labels->GetScalarPointer());
  const int width = extent[1] - extent[0] + 1;
  for (int z = extent[4]; z <= extent[5]; ++z)
    for (int y = extent[2]; y <= extent[3]; ++y, values += width)
      // Each run of one value along the row widens that value's bounds by its two ends.
      for (int x = 0; x < width;) {
        const uint8_t value = values[x];
        const int first = x;
        while (x < width && values[x] == value) ++x;
        include(bounds[value], extent[0] + first, y, z);
        include(bounds[value], extent[0] + x - 1, y, z);
      }
  return bounds;
}

vtkSmartPointer<vtkImageData> labelSurfaceInput(vtkImageData* labels, const IndexBounds& bounds) {
  if (isEmpty(bounds)) return nullptr;
  int extent[6];
  labels->GetExtent(extent);
  int part[6];
  for (int axis = 0; axis < 3; ++axis) {
    part[2 * axis] = std::max(extent[2 * axis], bounds[2 * axis] - 1);
    part[2 * axis + 1] = std::min(extent[2 * axis + 1], bounds[2 * axis + 1] + 1);
    if (part[2 * axis] > part[2 * axis + 1]) return nullptr;
  }
  auto copy = vtkSmartPointer<vtkImageData>::New();
  copy->SetExtent(part);
  copy->SetOrigin(labels->GetOrigin());
  copy->SetSpacing(labels->GetSpacing());
  copy->SetDirectionMatrix(labels->GetDirectionMatrix());
  copy->AllocateScalars(VTK_UNSIGNED_CHAR, 1);
  const size_t row = static_cast<size_t>(part[1] - part[0] + 1);
  for (int z = part[4]; z <= part[5]; ++z)
    for (int y = part[2]; y <= part[3]; ++y)
      std::memcpy(copy->GetScalarPointer(part[0], y, z), labels->GetScalarPointer(part[0], y, z),
                  row);
  return copy;
}

void buildLabelSurfaces(std::vector<LabelSurfaceJob>& jobs, int smoothingIterations) {
  // One label per task: smoothing, the larger part, runs on one thread per surface.
  vtkSMPTools::For(0, static_cast<vtkIdType>(jobs.size()), 1, [&](vtkIdType begin, vtkIdType end) {
    for (vtkIdType n = begin; n < end; ++n) {
      LabelSurfaceJob& job = jobs[static_cast<size_t>(n)];
      job.surface = job.input ? labelSurface(job.input, job.value, smoothingIterations)
                              : vtkSmartPointer<vtkPolyData>::New();
    }
  });
}

}  // namespace seqseg
