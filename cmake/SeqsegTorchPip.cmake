# -DSEQSEG_TORCH=pip: LibTorch from PyPI's torch wheel in the venv of scripts/bootstrap-torch2,
# with the CUDA 13 toolkit at CUDAToolkit_ROOT (default /usr/local/cuda) for the CUDA libraries
# the wheel does not carry, and the venv's nvidia/*/lib for the few the toolkit lacks.
set(SEQSEG_TORCH2_VENV "$ENV{HOME}/.cache/seqseg/torch2-2.11.0" CACHE PATH
    "venv made by scripts/bootstrap-torch2")
if(NOT Torch_DIR)
  file(GLOB _seqseg_torch_dirs "${SEQSEG_TORCH2_VENV}/lib/python3*/site-packages/torch/share/cmake/Torch")
  if(NOT _seqseg_torch_dirs)
    message(FATAL_ERROR "SEQSEG_TORCH=pip: no torch in ${SEQSEG_TORCH2_VENV}; run scripts/bootstrap-torch2")
  endif()
  list(GET _seqseg_torch_dirs 0 _seqseg_torch_dir)
  set(Torch_DIR "${_seqseg_torch_dir}" CACHE PATH "LibTorch CMake config" FORCE)
endif()
# TorchConfig's find_library/find_package calls name their own folder with PATHS, which CMake
# searches after the system's: put the wheel's prefix first so Debian's libtorch 1.13 (in
# /usr/lib) is never picked up beside the 2.x headers.
get_filename_component(_seqseg_torch_prefix "${Torch_DIR}/../../.." ABSOLUTE)
list(PREPEND CMAKE_PREFIX_PATH "${_seqseg_torch_prefix}")
set(Caffe2_DIR "${_seqseg_torch_prefix}/share/cmake/Caffe2" CACHE PATH "" FORCE)
if(NOT CUDAToolkit_ROOT AND EXISTS /usr/local/cuda)
  set(CUDAToolkit_ROOT /usr/local/cuda)
endif()
# Runtime search path of every binary: the libraries libtorch_cuda.so needs that are neither in
# torch/lib (already on its own RUNPATH) nor in the toolkit.
get_filename_component(_seqseg_site "${Torch_DIR}/../../../.." ABSOLUTE)
file(GLOB _seqseg_nvidia_libs LIST_DIRECTORIES true "${_seqseg_site}/nvidia/*/lib")
set(SEQSEG_TORCH_RPATH ${_seqseg_nvidia_libs} "${CUDAToolkit_ROOT}/lib64")
list(APPEND CMAKE_BUILD_RPATH ${SEQSEG_TORCH_RPATH})
foreach(_dir IN LISTS SEQSEG_TORCH_RPATH)
  string(APPEND CMAKE_EXE_LINKER_FLAGS " -Wl,-rpath-link,${_dir}")
endforeach()
