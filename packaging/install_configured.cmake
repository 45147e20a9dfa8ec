# Run by `cmake --install` (and CPack): writes the files that name installed
# paths, for the prefix being installed to. AEGIR_* come from the install(CODE)
# before it in packaging/CMakeLists.txt.
set(prefix "${CMAKE_INSTALL_PREFIX}")
if(prefix STREQUAL "/usr")
  set(sysconfdir "/etc")
else()
  set(sysconfdir "${prefix}/etc")
endif()
set(AEGIR_SBINDIR "${prefix}/${AEGIR_SBINDIR_REL}")
set(AEGIR_DATADIR "${prefix}/${AEGIR_DATADIR_REL}")
set(AEGIR_DOCDIR "${prefix}/${AEGIR_DOCDIR_REL}")
set(AEGIR_CONFIG_FILE "${sysconfdir}/aegir/aegir.yml")

set(unit_dir "$ENV{DESTDIR}${prefix}/lib/systemd/system")
foreach(unit aegir-web.service aegir-scheduler.service aegir-executor.service)
  message(STATUS "Installing: ${unit_dir}/${unit}")
  configure_file("${AEGIR_SOURCE_DIR}/systemd/${unit}.in" "${unit_dir}/${unit}" @ONLY)
endforeach()

# The example, with the data directory of this prefix, becomes aegir.yml;
# an existing aegir.yml is the administrator's and is never overwritten.
file(READ "${AEGIR_SOURCE_DIR}/aegir.yml.example" example)
string(REPLACE "/usr/share/aegir/" "${AEGIR_DATADIR}/" example "${example}")
set(config "$ENV{DESTDIR}${AEGIR_CONFIG_FILE}")
if(EXISTS "${config}")
  message(STATUS "Keeping: ${config} (the new example is in ${AEGIR_DOCDIR})")
else()
  message(STATUS "Installing: ${config}")
  file(WRITE "${config}" "${example}")
endif()

# The control panel's site for the web server, filled in for this prefix and
# for the units' socket: link it into nginx's sites-enabled, or Apache's
# sites-available (docs/configuration.md, "The web server in front").
set(web_socket "/run/aegir/web/aegir-web.sock")
set(nginx_site "$ENV{DESTDIR}${AEGIR_DATADIR}/nginx-conf/aegir-site.conf")
message(STATUS "Installing: ${nginx_site}")
file(READ "${AEGIR_SOURCE_DIR}/../nginx-conf/aegir-site.conf.in" site)
string(REPLACE "@AEGIR_LISTEN@" "80" site "${site}")
string(REPLACE "@AEGIR_SHARE@" "${AEGIR_DATADIR}" site "${site}")
string(REPLACE "@AEGIR_WEB_SOCKET@" "${web_socket}" site "${site}")
file(WRITE "${nginx_site}" "${site}")
set(apache_site "$ENV{DESTDIR}${AEGIR_DATADIR}/apache-conf/aegir-site.conf")
message(STATUS "Installing: ${apache_site}")
file(READ "${AEGIR_SOURCE_DIR}/../apache-conf/aegir.conf.in" site)
string(REPLACE "@AEGIR_PORT@" "80" site "${site}")
string(REPLACE "@AEGIR_SERVER_NAME@" "localhost" site "${site}")
string(REPLACE "@AEGIR_SHARE@" "${AEGIR_DATADIR}" site "${site}")
string(REPLACE "@AEGIR_WEB_SOCKET@" "${web_socket}" site "${site}")
file(WRITE "${apache_site}" "${site}")
