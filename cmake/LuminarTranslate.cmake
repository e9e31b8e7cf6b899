# luminar_translate(): run the `luminar` tool over a target's C++ sources before they
# are compiled, and compile the translated files instead.
#
#   luminar_translate(<target>
#                     [METADATA <file>]                  # ConcurrencyCodeMetadata JSON
#                     [MODE auto|bare_metal|runtime]     # --mode for every block
#                     [EXTRA_ARGS <arg>...])             # more luminar options, before `--`
#
# For every C++ source `dir/x.cpp` of <target> (after all target_sources() calls: call
# this last) it adds a build rule
#
#   luminar [--mode=…] [EXTRA_ARGS] -o <bin>/luminar_generated/<target>/dir/x.cpp
#           [--metadata <…>.metadata.json] <src>/dir/x.cpp
#           -- -I<target's include dirs> -D<target's definitions> -std=c++17
#
# that re-runs when the source or the tool changes (and, with Makefile generators, when a
# header the source includes changes), and puts the translated file in the target in
# place of the original. The translated file is compiled with `-iquote <src>/dir`, so
# `#include "x.h"` still finds the headers next to the original; its `#line` directives
# send compiler errors and debuggers back to the original too.
#
# METADATA: each source's fragment is merged into <file> (relative paths are taken from
# the current binary directory) as part of building <target>.
#
# The target also gets Threads::Threads (translated code runs std::thread),
# Luminar::headers (bare-metal blocks may use the header-only support code) and, linked
# --as-needed, Luminar::luminar_runtime (libluminar, for runtime-assisted blocks).
#
# Works with the installed package (find_package(Luminar)) and inside Luminar's own build
# tree, where cmake/CMakeLists.txt names the freshly built tool `Luminar::luminar`.
#
# Limits: sources given as generator expressions are left alone (their names are not
# known when this runs), and so are sources with the source property LUMINAR_SKIP set.
# Only the target's include directories and compile definitions reach the tool, not its
# compile options (they are the real compiler's, which need not be Clang).

cmake_minimum_required(VERSION 3.20)

# --- Metadata merge (script mode) --------------------------------------------------------
# The merge step runs this same file: `cmake -DLUMINAR_MERGE_OUTPUT=<file> -P
# LuminarTranslate.cmake <fragment>...`. Keeping it here means the package needs no extra
# helper file and the step always matches the function that wrote the rule.
function(_luminar_merge_metadata output)
  set(merged "")
  set(count 0)
  foreach(fragment IN LISTS ARGN)
    if(NOT EXISTS "${fragment}")
      message(FATAL_ERROR "luminar_translate: ${fragment} was not written by luminar")
    endif()
    file(READ "${fragment}" doc)
    if(merged STREQUAL "")
      # schema_version and tool are the same in every fragment: take the first one's.
      string(JSON merged SET "${doc}" blocks "[]")
    endif()
    string(JSON n LENGTH "${doc}" blocks)
    if(n GREATER 0)
      math(EXPR last "${n} - 1")
      foreach(i RANGE ${last})
        string(JSON block GET "${doc}" blocks ${i})
        # An index one past the end appends.
        string(JSON merged SET "${merged}" blocks ${count} "${block}")
        math(EXPR count "${count} + 1")
      endforeach()
    endif()
  endforeach()
  # Write then rename, like the tool itself: a reader never sees half a document.
  file(WRITE "${output}.tmp" "${merged}\n")
  file(RENAME "${output}.tmp" "${output}")
endfunction()

if(CMAKE_SCRIPT_MODE_FILE AND DEFINED LUMINAR_MERGE_OUTPUT)
  # CMAKE_ARGV: cmake -D… -P <this file> <fragment>…; the fragments follow the file name.
  set(fragments "")
  set(seen_p FALSE)
  set(taking FALSE)
  math(EXPR last_arg "${CMAKE_ARGC} - 1")
  foreach(i RANGE ${last_arg})
    if(taking)
      list(APPEND fragments "${CMAKE_ARGV${i}}")
    elseif(seen_p)
      set(taking TRUE)  # This argument is the script's own name.
    elseif(CMAKE_ARGV${i} STREQUAL "-P")
      set(seen_p TRUE)
    endif()
  endforeach()
  _luminar_merge_metadata("${LUMINAR_MERGE_OUTPUT}" ${fragments})
  return()
endif()

include_guard(GLOBAL)

# Extensions CMake compiles as C++ (Objective-C++ left out on purpose).
set(_LUMINAR_CXX_EXTENSIONS C c++ cc cp cpp cxx CPP)

# Where a source of the current directory goes under the generated root: its path
# relative to the source directory, or to the binary directory for generated sources, or
# its absolute path below `_external/` for anything else. Distinct inputs never collide.
function(_luminar_generated_path abs out_var)
  file(RELATIVE_PATH rel "${CMAKE_CURRENT_SOURCE_DIR}" "${abs}")
  if(rel MATCHES "^\\.\\./")
    file(RELATIVE_PATH rel "${CMAKE_CURRENT_BINARY_DIR}" "${abs}")
    if(rel MATCHES "^\\.\\./")
      string(REGEX REPLACE "^[A-Za-z]:" "" rel "${abs}")
      set(rel "_external/${rel}")
      string(REPLACE "//" "/" rel "${rel}")
    else()
      set(rel "_binary/${rel}")
    endif()
  endif()
  set(${out_var} "${rel}" PARENT_SCOPE)
endfunction()

function(luminar_translate target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "METADATA;MODE" "EXTRA_ARGS")
  set(where "luminar_translate(${target})")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "${where}: unexpected arguments: ${arg_UNPARSED_ARGUMENTS}\n"
      "usage: luminar_translate(<target> [METADATA <file>] [MODE auto|bare_metal|runtime] "
      "[EXTRA_ARGS <arg>...])")
  endif()

  # --- The target ------------------------------------------------------------------------
  if(NOT TARGET "${target}")
    message(FATAL_ERROR "${where}: no target named '${target}'")
  endif()
  get_target_property(real "${target}" ALIASED_TARGET)
  if(real)
    set(target "${real}")
  endif()
  get_target_property(imported "${target}" IMPORTED)
  get_target_property(type "${target}" TYPE)
  if(imported)
    message(FATAL_ERROR "${where}: '${target}' is imported; only targets built by this "
      "project can be translated")
  elseif(NOT type MATCHES "^(EXECUTABLE|STATIC_LIBRARY|SHARED_LIBRARY|MODULE_LIBRARY|OBJECT_LIBRARY)$")
    message(FATAL_ERROR "${where}: '${target}' is an ${type}; only executables and "
      "libraries with sources can be translated")
  endif()
  get_target_property(already "${target}" LUMINAR_TRANSLATED)
  if(already)
    message(FATAL_ERROR "${where}: the target's sources are already translated")
  endif()
  # A custom command's output becomes a rule of the targets of the directory that calls
  # add_custom_command() only; from elsewhere the translated files would never be built.
  get_target_property(target_dir "${target}" SOURCE_DIR)
  if(NOT target_dir STREQUAL CMAKE_CURRENT_SOURCE_DIR)
    message(FATAL_ERROR "${where}: call it in the directory that creates '${target}' "
      "(${target_dir}), not in ${CMAKE_CURRENT_SOURCE_DIR}")
  endif()

  # --- The tool --------------------------------------------------------------------------
  if(NOT TARGET Luminar::luminar)
    message(FATAL_ERROR "${where}: the luminar tool is not available (Luminar was built "
      "without LUMINAR_BUILD_TOOL, or find_package(Luminar) was not called)")
  endif()
  # Inside Luminar's build tree Luminar::luminar is an ALIAS; naming the real target in
  # COMMAND and DEPENDS is what makes CMake build the tool first and re-run the rule when
  # it is rebuilt. An imported (installed) tool is a file dependency the same way.
  get_target_property(tool Luminar::luminar ALIASED_TARGET)
  if(NOT tool)
    set(tool Luminar::luminar)
  endif()

  # --- Options ---------------------------------------------------------------------------
  set(tool_options "")
  if(DEFINED arg_MODE)
    if(NOT arg_MODE MATCHES "^(auto|bare_metal|runtime)$")
      message(FATAL_ERROR "${where}: MODE must be auto, bare_metal or runtime, not '${arg_MODE}'")
    endif()
    list(APPEND tool_options "--mode=${arg_MODE}")
  endif()
  list(APPEND tool_options ${arg_EXTRA_ARGS})

  # The tool parses as C++17 (what its output needs) unless the target asks for newer.
  get_target_property(cxx_standard "${target}" CXX_STANDARD)
  set(std_flag "-std=c++17")
  if(cxx_standard MATCHES "^(20|23|26)$")
    set(std_flag "-std=c++${cxx_standard}")
  endif()

  # Evaluated at build time, so include directories and definitions added after this call
  # and those of linked libraries (TARGET_PROPERTY is transitive for these) are seen too.
  # They are written inline in add_custom_command() below: a `;` inside a generator
  # expression would be split apart if it went through a list variable.
  set(include_dirs "$<TARGET_PROPERTY:${target},INCLUDE_DIRECTORIES>")
  set(definitions "$<TARGET_PROPERTY:${target},COMPILE_DEFINITIONS>")

  set(generated_root "${CMAKE_CURRENT_BINARY_DIR}/luminar_generated/${target}")
  if(DEFINED arg_METADATA)
    get_filename_component(metadata "${arg_METADATA}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  endif()

  # --- One rule per C++ source -----------------------------------------------------------
  get_target_property(sources "${target}" SOURCES)
  if(NOT sources)
    set(sources "")
  endif()
  set(new_sources "")
  set(fragments "")
  set(translated 0)
  foreach(src IN LISTS sources)
    get_source_file_property(header_only "${src}" HEADER_FILE_ONLY)
    get_source_file_property(skip "${src}" LUMINAR_SKIP)
    get_source_file_property(language "${src}" LANGUAGE)
    get_filename_component(ext "${src}" LAST_EXT)
    string(REGEX REPLACE "^\\." "" ext "${ext}")
    if(language STREQUAL "CXX")
      set(is_cxx TRUE)
    elseif(language)                                   # C, ASM, … set explicitly
      set(is_cxx FALSE)
    else()
      list(FIND _LUMINAR_CXX_EXTENSIONS "${ext}" ext_index)
      set(is_cxx FALSE)
      if(ext_index GREATER -1)
        set(is_cxx TRUE)
      endif()
    endif()
    if(src MATCHES "\\$<" OR header_only OR skip OR NOT is_cxx)
      list(APPEND new_sources "${src}")
      continue()
    endif()

    # Relative sources are relative to the source directory, except generated ones that
    # only the binary directory can hold.
    get_source_file_property(generated "${src}" GENERATED)
    set(base "${CMAKE_CURRENT_SOURCE_DIR}")
    if(generated AND NOT IS_ABSOLUTE "${src}" AND NOT EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/${src}")
      set(base "${CMAKE_CURRENT_BINARY_DIR}")
    endif()
    get_filename_component(abs "${src}" ABSOLUTE BASE_DIR "${base}")
    get_filename_component(src_dir "${abs}" DIRECTORY)
    _luminar_generated_path("${abs}" rel)
    set(out "${generated_root}/${rel}")
    get_filename_component(out_dir "${out}" DIRECTORY)
    file(MAKE_DIRECTORY "${out_dir}")

    # Properties set on the one source reach both the tool and the translated file.
    get_source_file_property(src_defs "${src}" COMPILE_DEFINITIONS)
    get_source_file_property(src_incs "${src}" INCLUDE_DIRECTORIES)
    get_source_file_property(src_opts "${src}" COMPILE_OPTIONS)
    foreach(var src_defs src_incs src_opts)
      if(NOT ${var})
        set(${var} "")
      endif()
    endforeach()
    set(src_args "")
    foreach(dir IN LISTS src_incs)
      list(APPEND src_args "-I${dir}")
    endforeach()
    foreach(def IN LISTS src_defs)
      list(APPEND src_args "-D${def}")
    endforeach()

    set(metadata_args "")
    set(fragment "")
    if(DEFINED metadata)
      set(fragment "${out}.metadata.json")
      set(metadata_args --metadata "${fragment}")
      list(APPEND fragments "${fragment}")
    endif()

    add_custom_command(
      OUTPUT "${out}" ${fragment}
      COMMAND "${tool}" ${tool_options} -o "${out}" ${metadata_args} "${abs}"
              --
              "$<$<BOOL:${include_dirs}>:-I$<JOIN:${include_dirs},;-I>>"
              "$<$<BOOL:${definitions}>:-D$<JOIN:${definitions},;-D>>"
              ${src_args}
              "${std_flag}"
      DEPENDS "${abs}" "${tool}"
      # Headers the source includes can change the translation (e.g. a function that
      # gains a spawn). Only Makefile generators can scan for them; others ignore this.
      IMPLICIT_DEPENDS CXX "${abs}"
      COMMENT "Luminar: translating ${rel}"
      COMMAND_EXPAND_LISTS
      VERBATIM)

    # The translated file lives elsewhere, so quoted includes must still search the
    # original's directory. (-iquote comes after the file's own directory, which holds
    # only other translated sources.) Joined to its argument because CMake drops repeated
    # options, which could tear a separate `-iquote` from its directory.
    set_source_files_properties("${out}" PROPERTIES
      COMPILE_OPTIONS "${src_opts};-iquote${src_dir}"
      COMPILE_DEFINITIONS "${src_defs}"
      INCLUDE_DIRECTORIES "${src_incs}")
    list(APPEND new_sources "${out}")
    math(EXPR translated "${translated} + 1")
  endforeach()

  if(translated EQUAL 0)
    message(WARNING "${where}: the target has no C++ sources to translate")
  endif()

  # --- Metadata: merge the fragments as part of building the target ----------------------
  if(DEFINED metadata)
    add_custom_command(
      OUTPUT "${metadata}"
      COMMAND "${CMAKE_COMMAND}" "-DLUMINAR_MERGE_OUTPUT=${metadata}"
              -P "${CMAKE_CURRENT_FUNCTION_LIST_FILE}" ${fragments}
      DEPENDS ${fragments} "${CMAKE_CURRENT_FUNCTION_LIST_FILE}"
      COMMENT "Luminar: writing ${arg_METADATA}"
      VERBATIM)
    # Listing the document as a (never compiled) source makes the target build it, and
    # keeps every rule that produces the fragments owned by this one target.
    set_source_files_properties("${metadata}" PROPERTIES HEADER_FILE_ONLY ON)
    list(APPEND new_sources "${metadata}")
  endif()

  set_property(TARGET "${target}" PROPERTY SOURCES ${new_sources})
  set_property(TARGET "${target}" PROPERTY LUMINAR_TRANSLATED TRUE)

  # --- What translated code needs at compile and link time -------------------------------
  find_package(Threads REQUIRED)
  # Set the properties directly rather than with target_link_libraries(): that command
  # refuses to mix its plain and PRIVATE/PUBLIC forms on one target, and we cannot know
  # which form the caller used.
  set_property(TARGET "${target}" APPEND PROPERTY LINK_LIBRARIES Threads::Threads Luminar::headers)
  # Runtime-assisted blocks call libluminar (SPEC 3.1). Which blocks are runtime-assisted is
  # only known once the tool has run, at build time, so libluminar is always on the link
  # line but --as-needed: a program whose blocks are all bare-metal does not depend on it.
  if(TARGET Luminar::luminar_runtime)
    set_property(TARGET "${target}" APPEND PROPERTY LINK_LIBRARIES
      "-Wl,--push-state,--as-needed" Luminar::luminar_runtime "-Wl,--pop-state")
  endif()
  if(type MATCHES "^(STATIC_LIBRARY|OBJECT_LIBRARY)$")
    # Whoever links a static library links its threads too (what PRIVATE would do).
    set_property(TARGET "${target}" APPEND PROPERTY INTERFACE_LINK_LIBRARIES
      "$<LINK_ONLY:Threads::Threads>")
  endif()
endfunction()
