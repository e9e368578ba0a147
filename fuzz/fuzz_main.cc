// The libFuzzer entry of one fuzz target; which one is GONGKAI_FUZZ_TARGET
// (fuzz/CMakeLists.txt builds this file once per target).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string target = GONGKAI_FUZZ_TARGET;
  return gongkai::fuzz::RunTarget(target, data, size);
}
