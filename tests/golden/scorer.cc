// The scoring rules of ../shared/tools/score.py, in C++, so that accuracy is
// asserted by ctest and cannot quietly regress.
#include "scorer.h"

#include <cmath>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace gongkai::testing {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

void Flatten(const Struct& s, const std::string& prefix,
             std::map<std::string, Value>* out) {
  for (const auto& [k, v] : s.fields()) {
    if (prefix.empty() &&
        (k == "evidence" || k == "checks" || k == "warnings"))
      continue;
    std::string path = prefix.empty() ? k : absl::StrCat(prefix, ".", k);
    if (v.has_struct_value()) {
      Flatten(v.struct_value(), path, out);
    } else if (!v.has_list_value()) {
      (*out)[path] = v;
    }
  }
}

bool AsNumber(const Value& v, double* d) {
  if (v.has_number_value()) {
    *d = v.number_value();
    return true;
  }
  if (v.has_string_value()) {
    char* end = nullptr;
    const std::string& s = v.string_value();
    *d = std::strtod(s.c_str(), &end);
    return !s.empty() && end == s.c_str() + s.size();
  }
  return false;
}

std::string Show(const Value& v) {
  if (v.has_number_value()) return absl::StrCat(v.number_value());
  if (v.has_string_value()) return v.string_value();
  if (v.has_bool_value()) return v.bool_value() ? "true" : "false";
  return "?";
}

bool Same(const Value& want, const Value* got) {
  if (got == nullptr) return false;
  double a, b;
  if (AsNumber(want, &a) && AsNumber(*got, &b)) return std::fabs(a - b) < 1e-6;
  return Show(want) == Show(*got);
}

bool IsTable(const std::string& key) {
  return absl::StartsWith(key, "proactive.") ||
         absl::StartsWith(key, "applications.") ||
         absl::StartsWith(key, "reviews.");
}

std::set<std::string> StringList(const Struct& s, const std::string& key) {
  std::set<std::string> out;
  auto it = s.fields().find(key);
  if (it == s.fields().end()) return out;
  if (it->second.has_string_value()) out.insert(it->second.string_value());
  for (const Value& v : it->second.list_value().values())
    out.insert(v.string_value());
  return out;
}

}  // namespace

void Score::Add(const Score& o) {
  cells += o.cells;
  cells_ok += o.cells_ok;
  missing += o.missing;
  wrong += o.wrong;
  invented += o.invented;
  doc += o.doc;
  doc_ok += o.doc_ok;
}

absl::StatusOr<Score> ScoreReport(const std::string& truth_json,
                                  const v1::Report& report) {
  Struct truth;
  if (!google::protobuf::util::JsonStringToMessage(truth_json, &truth).ok())
    return absl::InvalidArgumentError("truth is not a JSON object");
  std::string out_json;
  google::protobuf::util::JsonPrintOptions opts;
  opts.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(report, &out_json, opts)
           .ok())
    return absl::InternalError("report does not print as JSON");
  Struct out_struct;
  if (!google::protobuf::util::JsonStringToMessage(out_json, &out_struct).ok())
    return absl::InternalError("report JSON does not parse");
  std::map<std::string, Value> out;
  Flatten(out_struct, "", &out);

  Score r;
  std::set<std::string> optional = StringList(truth, "_ambiguous");
  std::set<std::string> unreadable = StringList(truth, "_unreadable");
  for (const auto& [key, want] : truth.fields()) {
    if (key.empty() || key[0] == '_') continue;
    auto it = out.find(key);
    const Value* got = it == out.end() ? nullptr : &it->second;
    if (optional.count(key) && (got == nullptr || Same(want, got))) continue;
    if (IsTable(key)) {
      ++r.cells;
      if (Same(want, got)) {
        ++r.cells_ok;
      } else if (got == nullptr) {
        ++r.missing;
        r.problems.push_back(absl::StrCat(key, ": want ", Show(want),
                                          ", missing"));
      } else {
        ++r.wrong;
        r.wrong_paths.push_back(key);
        r.problems.push_back(
            absl::StrCat(key, ": want ", Show(want), ", got ", Show(*got)));
      }
    } else {
      ++r.doc;
      bool ok = Same(want, got);
      for (const std::string& alt : StringList(truth, "_" + key + "_alt")) {
        Value v;
        v.set_string_value(alt);
        ok = ok || Same(v, got);
      }
      if (ok) {
        ++r.doc_ok;
      } else {
        r.problems.push_back(absl::StrCat(key, ": want ", Show(want), ", got ",
                                          got ? Show(*got) : "nothing"));
      }
    }
  }
  for (const auto& [key, got] : out) {
    if (!IsTable(key) || truth.fields().count(key)) continue;
    double v;
    if (AsNumber(got, &v) && (v != 0 || unreadable.count(key))) {
      ++r.invented;
      r.problems.push_back(absl::StrCat(key, ": invented ", Show(got)));
    }
  }
  return r;
}

}  // namespace gongkai::testing
