# Erasure coding on ISA-L: the hoc_ec library (stdlib/hec.c), its test and its
# benchmark. Included from the root CMakeLists.txt, hence the absolute paths.

find_library(ISAL_LIB isal REQUIRED)
find_path(ISAL_INCLUDE_DIR isa-l/erasure_code.h REQUIRED)

add_library(hoc_ec STATIC ${CMAKE_SOURCE_DIR}/stdlib/hec.c)
target_include_directories(hoc_ec PUBLIC ${CMAKE_SOURCE_DIR}/stdlib)
target_include_directories(hoc_ec PRIVATE ${ISAL_INCLUDE_DIR})
# PUBLIC: whoever links hoc_ec (replicas, Amalgam servers) needs libisal too.
target_link_libraries(hoc_ec PUBLIC ${ISAL_LIB})

add_executable(test-ec ${CMAKE_SOURCE_DIR}/tests/ec/test_ec.c)
target_link_libraries(test-ec PRIVATE hoc_ec)
add_test(NAME ec COMMAND test-ec)
set_tests_properties(ec PROPERTIES TIMEOUT 120 LABELS ec)

# The benchmark also calls ISA-L directly, to measure the library's overhead.
add_executable(bench-ec ${CMAKE_SOURCE_DIR}/bench/bench_ec.c)
target_include_directories(bench-ec PRIVATE ${ISAL_INCLUDE_DIR})
target_link_libraries(bench-ec PRIVATE hoc_ec)

# The .ho-facing functions (stdlib/ec.c), against the library, and through the simulator.
add_executable(test-ec-ho tests/ec/test_ec_ho.c stdlib/ec.c)
target_link_libraries(test-ec-ho PRIVATE hoc_ec)
target_include_directories(test-ec-ho PRIVATE ${CMAKE_SOURCE_DIR}/tests)
add_test(NAME ec-ho COMMAND test-ec-ho)
add_test(NAME ec-parity-sim COMMAND hoc sim ${CMAKE_SOURCE_DIR}/tests/ec/parity.ho -n 3 --rounds 12)
# The same stripe with the wrong coefficient must be caught by the invariant.
add_test(NAME ec-parity-mutant COMMAND ${CMAKE_SOURCE_DIR}/tests/expect_exit.sh 1
  $<TARGET_FILE:hoc> sim ${CMAKE_SOURCE_DIR}/tests/ec/parity_wrong_index.ho -n 3 --rounds 12)
