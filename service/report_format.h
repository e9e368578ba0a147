// How the CLI prints reports: protobuf JSON (proto field names) and CSV rows
// of every figure.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace gongkai::service {

// Protobuf's JSON mapping with proto field names, unset fields left out,
// indented. Ends without a newline.
absl::StatusOr<std::string> ToJson(const google::protobuf::Message& message);

// s as a JSON string literal (quotes included). Invalid UTF-8 becomes U+FFFD.
std::string JsonQuote(absl::string_view s);

// Every set scalar under the report's proactive, applications and reviews
// fields, as (dotted path with proto field names, value) in field order.
std::vector<std::pair<std::string, std::string>> FigureRows(
    const google::protobuf::Message& report);

// One CSV field, quoted when it holds a comma, quote or line break.
std::string CsvField(absl::string_view s);

}  // namespace gongkai::service
