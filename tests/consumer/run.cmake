# Builds and runs the tiny consumer project in tests/consumer/project against musiclab, either
#   MODE=find_package:     install musiclab to a temporary prefix, then find_package(musiclab CONFIG REQUIRED)
#   MODE=add_subdirectory: add_subdirectory(<musiclab source>)
# Usage: cmake -DSOURCE_DIR=.. -DWORK_DIR=.. -DMODE=.. -DCXX=.. -P run.cmake
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

function(run_step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "step failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
endfunction()

set(consumer_args -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=Release)
if(MODE STREQUAL "find_package")
  set(prefix "${WORK_DIR}/prefix")
  run_step(${CMAKE_COMMAND} -S "${SOURCE_DIR}" -B "${WORK_DIR}/musiclab-build"
           -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_INSTALL_PREFIX=${prefix}
           -DMUSICLAB_BUILD_TESTS=OFF -DMUSICLAB_BUILD_EXAMPLES=OFF -DMUSICLAB_BUILD_BENCHMARKS=OFF)
  run_step(${CMAKE_COMMAND} --install "${WORK_DIR}/musiclab-build")
  if(NOT EXISTS "${prefix}/share/cmake/musiclab/musiclabConfig.cmake")
    message(FATAL_ERROR "install did not produce share/cmake/musiclab/musiclabConfig.cmake")
  endif()
  list(APPEND consumer_args -DCMAKE_PREFIX_PATH=${prefix} -DMUSICLAB_CONSUMER_MODE=find_package)
elseif(MODE STREQUAL "add_subdirectory")
  list(APPEND consumer_args -DMUSICLAB_SOURCE_DIR=${SOURCE_DIR} -DMUSICLAB_CONSUMER_MODE=add_subdirectory)
else()
  message(FATAL_ERROR "unknown MODE '${MODE}'")
endif()

run_step(${CMAKE_COMMAND} -S "${CMAKE_CURRENT_LIST_DIR}/project" -B "${WORK_DIR}/consumer-build" ${consumer_args})
run_step(${CMAKE_COMMAND} --build "${WORK_DIR}/consumer-build")
execute_process(COMMAND "${WORK_DIR}/consumer-build/consumer" RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "consumer ok")
  message(FATAL_ERROR "consumer program failed (${rc}): ${out}")
endif()
message(STATUS "${MODE} consumer: ${out}")
