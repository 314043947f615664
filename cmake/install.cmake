# Install layout (cmake --install build --prefix DIR), such that DIR/bin/typehost runs:
#   bin/typehost, bin/typehost-headless           RPATH $ORIGIN/../lib
#   lib/libtypesys.so                             shared by the apps and native plugins
#   lib/typehost/python/typehost/                 the typehost Python package (typehostPythonDir)
#   lib/typehost/plugins/lib*.so                  native plugins (installed by plugins/)
#   share/typehost/python_plugins/                bundled Python plugins (bundledPluginDirs)
#   share/applications/typehost.desktop, share/icons/hicolor/scalable/apps/typehost.svg
#   share/typehost/icons/                         origin and plugin-state icons
# Included from the top-level CMakeLists.txt after every target exists: a build without the UI
# (TYPEHOST_BUILD_UI=OFF) installs typesys, the headless host, the package and the plugins.

include(GNUInstallDirs)

set_target_properties(typesys PROPERTIES INSTALL_RPATH "$ORIGIN")
install(TARGETS typesys LIBRARY DESTINATION lib)
foreach(app typehost typehost-headless)
  if(TARGET ${app})
    set_target_properties(${app} PROPERTIES INSTALL_RPATH "$ORIGIN/../lib")
    install(TARGETS ${app} RUNTIME DESTINATION bin)
  endif()
endforeach()

if(TYPEHOST_BUILD_HOST)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/host/python/typehost
          DESTINATION lib/typehost/python
          PATTERN "__pycache__" EXCLUDE PATTERN "*.pyc" EXCLUDE)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/python_plugins/
          DESTINATION share/typehost/python_plugins
          PATTERN "__pycache__" EXCLUDE PATTERN "*.pyc" EXCLUDE)
endif()

if(TARGET typehost)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/typehost.desktop DESTINATION share/applications)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/typehost.svg DESTINATION share/icons/hicolor/scalable/apps)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/icons/ DESTINATION share/typehost/icons FILES_MATCHING PATTERN "*.svg")
endif()
