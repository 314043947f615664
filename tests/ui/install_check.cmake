# ui.install: `cmake --install BUILD --prefix PREFIX`, then the installed apps run from there.
# Run as: cmake -DBUILD=... -DPREFIX=... -P install_check.cmake
file(REMOVE_RECURSE ${PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD} --prefix ${PREFIX}
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${rc}")
endif()
foreach(f bin/typehost bin/typehost-headless lib/libtypesys.so
          lib/typehost/python/typehost/__init__.py share/typehost/python_plugins
          share/applications/typehost.desktop share/icons/hicolor/scalable/apps/typehost.svg
          share/typehost/icons/state-failed.svg)
  if(NOT EXISTS ${PREFIX}/${f})
    message(FATAL_ERROR "not installed: ${PREFIX}/${f}")
  endif()
endforeach()
file(GLOB native_plugins ${PREFIX}/lib/typehost/plugins/*.so)
if(NOT native_plugins)
  message(FATAL_ERROR "no native plugin under ${PREFIX}/lib/typehost/plugins")
endif()

# The installed headless app finds its Python package and the installed plugins.
execute_process(COMMAND ${PREFIX}/bin/typehost-headless plugins
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "${PREFIX}/share/typehost/python_plugins")
  message(FATAL_ERROR "installed typehost-headless plugins (${rc}):\n${out}\n${err}")
endif()
# The installed UI app starts (offscreen) and answers --version.
execute_process(COMMAND ${CMAKE_COMMAND} -E env QT_QPA_PLATFORM=offscreen ${PREFIX}/bin/typehost --version
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "typehost|Typehost")
  message(FATAL_ERROR "installed typehost --version (${rc}):\n${out}\n${err}")
endif()
message(STATUS "installed and ran from ${PREFIX}")
