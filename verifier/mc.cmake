# The model checker (hoc check): a driver of the generated code, like the simulator.
add_library(hocmc STATIC ${CMAKE_CURRENT_LIST_DIR}/mc.c ${CMAKE_CURRENT_LIST_DIR}/rank.c
    ${CMAKE_CURRENT_LIST_DIR}/domain.c ${CMAKE_CURRENT_LIST_DIR}/trace.c)
target_include_directories(hocmc PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(hocmc PUBLIC hocrt Threads::Threads)
