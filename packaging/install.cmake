# packaging/install.cmake — `cmake --install`, the /opt/vigil bundle, the
# tarball and the .deb (docs/install.md). Included at the end of the top
# CMakeLists.txt, after the targets it installs.
#
# One set of install rules serves both layouts, split in components:
#   runtime   bin/vigil, libexec/vigil/vigil-analyzer, share/vigil/rules/,
#             share/vigil/ca-certificates.crt              (both layouts)
#   fhs       etc/vigil/vigil.yaml.example, share/doc/vigil/ (README, docs,
#             LICENSES)                                   (cmake --install)
#   bundle    etc/vigil.yaml.example, LICENSES/           (the bundle only:
#             EXCLUDE_FROM_ALL, so a plain install never gets them)
# The bundle is PREFIX=/opt/vigil, where DESIGN.md puts the configuration
# at /opt/vigil/etc/vigil.yaml; an FHS install keeps its own directory
# under etc/ as packages do.
include(GNUInstallDirs)

# The CA bundle for images without one (vigil/sharedir.h): Debian's, copied
# at build time beside the rules, so build trees and installs find it the
# same way. The file is the ca-certificates package's (setup-debian.sh).
set(VIGIL_CA_SOURCE /etc/ssl/certs/ca-certificates.crt CACHE FILEPATH
    "CA bundle copied into share/vigil/ca-certificates.crt")
if(NOT EXISTS ${VIGIL_CA_SOURCE})
  message(FATAL_ERROR "${VIGIL_CA_SOURCE} is missing: install ca-certificates "
                      "(packaging/setup-debian.sh) or set -DVIGIL_CA_SOURCE=FILE")
endif()
set(VIGIL_CA_BUILD ${CMAKE_BINARY_DIR}/share/vigil/ca-certificates.crt)
add_custom_command(OUTPUT ${VIGIL_CA_BUILD}
  COMMAND ${CMAKE_COMMAND} -E copy ${VIGIL_CA_SOURCE} ${VIGIL_CA_BUILD}
  DEPENDS ${VIGIL_CA_SOURCE}
  COMMENT "Copying the CA bundle to share/vigil/ca-certificates.crt"
  VERBATIM)
add_custom_target(vigil_ca_bundle ALL DEPENDS ${VIGIL_CA_BUILD})

set(VIGIL_DATA ${CMAKE_INSTALL_DATADIR}/vigil)
install(TARGETS vigil RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
install(TARGETS vigil-analyzer RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/vigil
        COMPONENT runtime)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/rules/ DESTINATION ${VIGIL_DATA}/rules COMPONENT runtime)
install(FILES ${VIGIL_CA_BUILD} DESTINATION ${VIGIL_DATA} COMPONENT runtime)

set(VIGIL_EXAMPLE ${CMAKE_SOURCE_DIR}/packaging/vigil.yaml.example)
set(VIGIL_LICENSES ${CMAKE_SOURCE_DIR}/packaging/LICENSES/)
install(FILES ${VIGIL_EXAMPLE} DESTINATION ${CMAKE_INSTALL_SYSCONFDIR}/vigil COMPONENT fhs)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT fhs)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs COMPONENT fhs)
install(DIRECTORY ${VIGIL_LICENSES} DESTINATION ${CMAKE_INSTALL_DOCDIR}/LICENSES COMPONENT fhs)
install(FILES ${VIGIL_EXAMPLE} DESTINATION etc COMPONENT bundle EXCLUDE_FROM_ALL)
install(DIRECTORY ${VIGIL_LICENSES} DESTINATION LICENSES COMPONENT bundle EXCLUDE_FROM_ALL)

# build/bundle/opt/vigil: the runtime and bundle components installed with
# PREFIX=/opt/vigil under DESTDIR, stripped. It takes the binaries this
# build directory made (dynamic, or static with -DVIGIL_STATIC=ON).
add_custom_target(bundle
  COMMAND sh ${CMAKE_SOURCE_DIR}/packaging/bundle.sh ${CMAKE_COMMAND} ${CMAKE_BINARY_DIR}
  DEPENDS vigil vigil-analyzer vigil_bundled_rules vigil_ca_bundle
  COMMENT "Making the /opt/vigil bundle in ${CMAKE_BINARY_DIR}/bundle"
  VERBATIM)

# The tarball and the .deb of that bundle, in build/package/. A target of
# our own, not CPack: the archives must come out byte-identical (package.sh).
add_custom_target(package
  COMMAND sh ${CMAKE_SOURCE_DIR}/packaging/package.sh ${CMAKE_BINARY_DIR} ${CMAKE_SOURCE_DIR}
          ${PROJECT_VERSION}
  COMMENT "Making the tarball and the .deb in ${CMAKE_BINARY_DIR}/package"
  VERBATIM)
add_dependencies(package bundle)
