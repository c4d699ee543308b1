# Finds every external dependency once, by layer, and exposes it as an imported target.

find_package(Torch REQUIRED)
# TorchConfig puts its include directories on its targets without SYSTEM: wrap them so that
# warnings from LibTorch headers do not drown ours.
add_library(seqseg_torch INTERFACE)
target_link_libraries(seqseg_torch INTERFACE ${TORCH_LIBRARIES})
target_include_directories(seqseg_torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
find_package(nlohmann_json REQUIRED)

if(NOT SEQSEG_ENGINE_ONLY)
  find_package(ITK REQUIRED COMPONENTS ITKCommon ITKIOImageBase ITKIONIFTI ITKNIFTI)
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
