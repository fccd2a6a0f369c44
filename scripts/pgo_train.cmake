# The training run of profile-guided optimisation (CMakeLists.txt, LLMSTACK_PGO): grades a
# generated capture of 20k pairs, the crafted mistakes and the kernel's replies of many sizes
# with the instrumented binary, which leaves one profile per hot source in WORK.
# Inputs: TRAINER (instrumented binary), PYTHON, ROOT (source tree), WORK (the profile
# directory), STAMP (written when done).
file(GLOB stale "${WORK}/*.gcda")
if(stale)
  file(REMOVE ${stale})  # from an earlier build of the sources: counts would be merged in
endif()
execute_process(
  COMMAND "${PYTHON}" "${ROOT}/bench/make_requests.py" "${WORK}/training.pcap" 20000 --replies
          --ipv6-every 8
  RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "pgo_train: making the training capture failed (${rc})")
endif()
# Exit 0 (all correct) and 1 (mistakes found) are both a finished run.
foreach(capture "${WORK}/training.pcap" "${ROOT}/captures/crafted-mistakes.pcap"
        "${ROOT}/captures/kernel-sizes.pcap")
  execute_process(COMMAND "${TRAINER}" grade "${capture}" -q RESULT_VARIABLE rc OUTPUT_QUIET)
  if(NOT (rc EQUAL 0 OR rc EQUAL 1))
    message(FATAL_ERROR "pgo_train: the training run on ${capture} failed (${rc})")
  endif()
endforeach()
file(REMOVE "${WORK}/training.pcap")
file(TOUCH "${STAMP}")
