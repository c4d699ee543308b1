# Finds every external dependency once, by layer, and exposes it as an imported target.

# LibTorch: Debian's 1.13 CPU build (default), or PyTorch 2.x's (a CUDA build with cuDNN and NCCL)
# from the venv scripts/bootstrap-torch2 makes. Torch_DIR given on the command line (the GPU
# machine's own PyTorch) wins over both. A Torch_DIR inside a Python package (scripts/gpu-check
# passes the running Python's torch) is a wheel's: it gets the wheel's search order, so that
# Debian's libtorch 1.13, where it is also installed, is never linked beside it.
set(SEQSEG_TORCH "debian" CACHE STRING "LibTorch to build against: debian or pip")
set_property(CACHE SEQSEG_TORCH PROPERTY STRINGS debian pip)
if(SEQSEG_TORCH STREQUAL "pip" OR Torch_DIR MATCHES "/(site|dist)-packages/torch/")
  include(SeqsegTorchPip)
elseif(NOT SEQSEG_TORCH STREQUAL "debian")
  message(FATAL_ERROR "SEQSEG_TORCH must be debian or pip, not '${SEQSEG_TORCH}'")
endif()
find_package(Torch REQUIRED)
# PyTorch's libtorch.so (2.x wheels) exports std::filesystem functions of its own libstdc++ build
# (std::filesystem::remove_all from it crashes): put the system libstdc++ first in every binary's
# library search order so its definitions win.
if(Torch_VERSION VERSION_GREATER_EQUAL 2.0)
  string(PREPEND CMAKE_EXE_LINKER_FLAGS "-Wl,--push-state,--no-as-needed -lstdc++ -Wl,--pop-state ")
endif()
# Which c10d backends this LibTorch has: NCCL only in CUDA builds.
if(TARGET torch_cuda OR TARGET c10_cuda)
  set(SEQSEG_TORCH_CUDA ON)
else()
  set(SEQSEG_TORCH_CUDA OFF)
endif()
message(STATUS "seqseg: LibTorch ${Torch_VERSION} from ${Torch_DIR} (CUDA: ${SEQSEG_TORCH_CUDA})")
# TorchConfig puts its include directories on its targets without SYSTEM: wrap them so that
# warnings from LibTorch headers do not drown ours.
add_library(seqseg_torch INTERFACE)
target_link_libraries(seqseg_torch INTERFACE ${TORCH_LIBRARIES})
target_include_directories(seqseg_torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
find_package(nlohmann_json REQUIRED)

if(NOT SEQSEG_ENGINE_ONLY)
  find_package(ITK REQUIRED COMPONENTS ITKCommon ITKIOImageBase ITKIONIFTI ITKNIFTI ITKIOGDCM ITKGDCM
               ITKImageGrid ITKRegionGrowing ITKLabelMap ITKDistanceMap)
  find_package(ZLIB REQUIRED)
  find_package(CLI11 REQUIRED)
  find_package(spdlog REQUIRED)
  if(SEQSEG_GUI)
    find_package(Qt6 REQUIRED COMPONENTS Core Gui Widgets OpenGL OpenGLWidgets Charts Test)
    # Only VTK's Qt-free modules: Debian's VTK Qt module is built against Qt 5.
    find_package(VTK REQUIRED COMPONENTS CommonCore CommonDataModel RenderingCore
                 RenderingOpenGL2 RenderingFreeType RenderingUI InteractionStyle FiltersSources)
  endif()
endif()
