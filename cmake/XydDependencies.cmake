# Every third-party dependency comes from Debian's packages (installed by ops/setup.sh).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(RocksDB REQUIRED)
find_package(cpprestsdk REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS unit_test_framework)
find_package(OpenSSL REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)  # GET /metrics (prometheus-cpp-dev): registry and text serializer
find_package(ZLIB REQUIRED)  # gzip of HTTP answers (zlib1g-dev)
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(XLSXWRITER REQUIRED IMPORTED_TARGET xlsxwriter)  # XLSX exports (libxlsxwriter-dev)
# The programs' allocator (libgoogle-perftools-dev, linked by xyd_program): a command allocates and
# frees hundreds of small JSON nodes and strings across threads; the measured gain is in
# docs/BENCHMARKS.md ("Bank results through the connector", re-measured 2026-12-06).
pkg_check_modules(TCMALLOC REQUIRED IMPORTED_TARGET libtcmalloc_minimal)
