// The fuzz entry functions, one per target, shared by the libFuzzer binaries
// (fuzz_main.cc, clang) and the regression test that replays the inputs
// kept in fuzz/regressions/ (regression_test.cc, any compiler). Each returns
// 0 and aborts with a message on a broken invariant; the sanitizers catch
// the rest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gongkai::fuzz {

// Normalize(): decoding, NFKC, Traditional->Simplified, pinyin removal and
// the offset map back into the caller's bytes.
int FuzzNormalize(const uint8_t* data, size_t size);

// One plugin, loaded alone from the plugin dir: detect() and extract() on
// the normalized bytes, as the host calls them.
int FuzzPlugin(const std::string& plugin, const uint8_t* data, size_t size);

// Interpret (+ inference and checks) on a layout made from the bytes: the
// last two bytes choose how the rest, normalized, is cut into paragraphs,
// tables, rows and cells and which hints it carries (see fuzz_targets.cc),
// delivered through the plugin host like any plugin's layout.
int FuzzInterpret(const uint8_t* data, size_t size);

// Pipeline::Extract with every plugin loaded: detect's choice, and one
// plugin forced.
int FuzzPipeline(const uint8_t* data, size_t size);

// The target names ("normalize", "plugin_clean_text", "interpret",
// "pipeline", ...) and a dispatcher by name, for the regression test.
std::vector<std::string> TargetNames();
int RunTarget(const std::string& target, const uint8_t* data, size_t size);

}  // namespace gongkai::fuzz
