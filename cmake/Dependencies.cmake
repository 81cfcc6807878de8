# Every dependency comes from a Debian package installed by scripts/install-deps; nothing is
# downloaded at build time.
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(absl REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(CURL REQUIRED)
find_package(CLI11 REQUIRED)
# simdjson reads ingested bodies and stored label sets (docs/adr/0006-simdjson-for-ingestion.md).
find_package(simdjson 3.0 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(HS REQUIRED IMPORTED_TARGET libhs)
# libyaml (C) reads topology files, which can be large; yaml-cpp reads configuration and playbooks
# (docs/adr/0003-libyaml-topology-loader.md).
pkg_check_modules(LIBYAML REQUIRED IMPORTED_TARGET yaml-0.1)
if(AWOOOI_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(AWOOOI_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
