# Build conventions shared by every module: one folder = one module = one namespace = one target.

add_library(pingan_options INTERFACE)
# -Wshadow=local is GCC's spelling (clang, for the fuzz build, has no such option).
target_compile_options(pingan_options INTERFACE -Wall -Wextra
                                                $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local>
                                                -Wnon-virtual-dtor)
# GCC 12 reports -Wmaybe-uninitialized false positives inside std::variant and std::optional
# at -O2 (GCC bugs 105562, 107138); with -Werror they would fail correct code. -Wuninitialized
# (definite cases) stays on, and the clang fuzz build keeps its own uninitialised checks.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(pingan_options INTERFACE -Wno-maybe-uninitialized)
endif()
# A unity build (the asan and fuzz presets) compiles several files of a target as one; GCC then
# takes a file's anonymous-namespace types used by its own classes (an Impl, a test fixture) for
# a header's, and warns about each one.
if(CMAKE_UNITY_BUILD AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(pingan_options INTERFACE -Wno-subobject-linkage)
endif()
if(PINGAN_WERROR)
  target_compile_options(pingan_options INTERFACE -Werror)
endif()
if(PINGAN_SANITIZE)
  target_compile_options(pingan_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                  -fno-sanitize-recover=undefined)
  target_link_options(pingan_options INTERFACE -fsanitize=address,undefined)
endif()
# Beast/Asio: no deprecated interfaces, and a separately compiled Beast would need src.hpp.
target_compile_definitions(pingan_options INTERFACE BOOST_ASIO_NO_DEPRECATED BOOST_BEAST_USE_STD_STRING_VIEW)
target_include_directories(pingan_options INTERFACE ${PROJECT_SOURCE_DIR}/src)

# pingan_module(NAME SOURCES a.cpp ... DEPS target ...)
# Creates the static library pingan_NAME from src/NAME.
function(pingan_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(pingan_${name} STATIC ${ARG_SOURCES})
  target_link_libraries(pingan_${name} PUBLIC pingan_options ${ARG_DEPS})
endfunction()

# pingan_discover_tests(TARGET PREFIX p LABELS l ...)
# Registers a GoogleTest program's tests with CTest when ctest runs. gtest_discover_tests
# flattens PROPERTIES into one list, so several labels would split into bogus property names
# (LABELS "unit;slow" became LABELS=unit, slow=…); the properties are set by a script CTest
# includes after discovery instead, where the discovered names are in TARGET_TESTS.
function(pingan_discover_tests target)
  cmake_parse_arguments(ARG "" "PREFIX" "LABELS" ${ARGN})
  gtest_discover_tests(${target}
    DISCOVERY_MODE PRE_TEST
    DISCOVERY_TIMEOUT 120
    TEST_PREFIX "${ARG_PREFIX}")
  set(script "${CMAKE_CURRENT_BINARY_DIR}/${target}_properties.cmake")
  file(WRITE "${script}"
    "if(${target}_TESTS)\n  set_tests_properties(\${${target}_TESTS} PROPERTIES LABELS [==[${ARG_LABELS}]==])\nendif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${script}")
endfunction()

# pingan_unit_test(MODULE SOURCES a_test.cpp ... DEPS target ... [LABELS l ...])
# One GoogleTest program per module: unit_MODULE, labelled unit and LABELS.
function(pingan_unit_test module)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(unit_${module} ${ARG_SOURCES})
  target_link_libraries(unit_${module} PRIVATE pingan_options ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(unit_${module} PRIVATE
    PINGAN_DATA_DIR="${PINGAN_DATA_DIR}"
    PINGAN_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  pingan_discover_tests(unit_${module} PREFIX "${module}." LABELS unit ${ARG_LABELS})
endfunction()
