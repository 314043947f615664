# typehost::build_options: the compile and link options of every target of this project
# (libraries, apps, native plugins, tests, benchmarks), as usage requirements of one INTERFACE
# target instead of global flags, so that code built from other projects (Qt's moc output is
# ours; imported packages are not) keeps its own.
#
# - Warnings: -Wall -Wextra (missing field initializers are allowed: C-API structs such as
#   PyTypeObject are filled field by field).
# - TYPEHOST_SANITIZE: AddressSanitizer + UndefinedBehaviorSanitizer (scripts/test-asan.sh builds
#   build-asan/ with it and runs every test there with the environment it needs); UBSan stops at
#   its first report. Checks that tests/sanitizers/ubsan.supp names are recoverable (a
#   non-recoverable check dies even when suppressed): they halt through
#   UBSAN_OPTIONS=halt_on_error=1, which the script sets.
# - TYPEHOST_BUILD_FUZZ: fuzzer coverage and ASan/UBSan on every target; only the fuzz targets
#   link libFuzzer's main (tests/fuzz).

add_library(typehost_build_options INTERFACE)
add_library(typehost::build_options ALIAS typehost_build_options)
target_compile_options(typehost_build_options INTERFACE -Wall -Wextra -Wno-missing-field-initializers)
if(TYPEHOST_SANITIZE)
  target_compile_options(typehost_build_options INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -fsanitize-recover=null)
  target_link_options(typehost_build_options INTERFACE -fsanitize=address,undefined)
endif()
if(TYPEHOST_BUILD_FUZZ)
  target_compile_options(typehost_build_options INTERFACE
    -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(typehost_build_options INTERFACE -fsanitize=address,undefined)
endif()

# Links the options into a target of this project.
function(typehost_target_defaults target)
  target_link_libraries(${target} PRIVATE typehost::build_options)
endfunction()
