# packaging/reproducible.cmake — the same commit gives the same bytes,
# wherever the source and build directories are (docs/install.md).
#
# Included from the top CMakeLists.txt before any target, so every object
# gets the flags. What would differ between two builds otherwise:
#  - paths: __FILE__ (assert, logging) and debug info name the source and
#    build directories; -ffile-prefix-map rewrites both to ".";
#  - dates: __DATE__, __TIME__ and __TIMESTAMP__ are refused (-Wdate-time
#    with -Werror); SOURCE_DATE_EPOCH (packaging/source-date-epoch.sh) is
#    for the archives' timestamps;
#  - archives: Debian's ar is deterministic (D) by default; it is asked for
#    explicitly so other binutils builds agree;
#  - the linker: --build-id is a hash of the output, so it follows the rest.
add_compile_options(-Wdate-time
                    -ffile-prefix-map=${CMAKE_SOURCE_DIR}=.
                    -ffile-prefix-map=${CMAKE_BINARY_DIR}=.)
set(CMAKE_C_ARCHIVE_CREATE "<CMAKE_AR> qcD <TARGET> <LINK_FLAGS> <OBJECTS>")
set(CMAKE_C_ARCHIVE_APPEND "<CMAKE_AR> qD <TARGET> <LINK_FLAGS> <OBJECTS>")
set(CMAKE_C_ARCHIVE_FINISH "<CMAKE_RANLIB> -D <TARGET>")
