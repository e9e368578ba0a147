// Records where each figure and field came from, in the caller's bytes, and
// sets values on the report by their contract path.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"
#include "gongkai/layout.h"
#include "gongkai/normalize.h"
#include "gongkai/v1/report.pb.h"

namespace gongkai {

class ReportWriter {
 public:
  ReportWriter(absl::string_view original, const NormalizedText& doc,
               v1::Report* report)
      : original_(original), doc_(doc), report_(report) {}

  v1::Report* report() { return report_; }
  const NormalizedText& doc() const { return doc_; }

  // Sets the figure at a table path ("applications.granted.total"); false if
  // the path does not exist in the contract.
  bool SetFigure(const std::string& path, double value, Span span,
                 bool inferred = false);
  bool HasFigure(const std::string& path) const;
  // Removes the figure at a path and its evidence (a reading withheld as
  // unsure after the fact); false if there was none.
  bool ClearFigure(const std::string& path);
  // Sets a string or int field at a path ("agency", "contact.phone").
  bool SetField(const std::string& path, const std::string& value, Span span);
  bool SetField(const std::string& path, int value, Span span);
  void AddEvidence(const std::string& path, Span span, bool inferred = false);
  void Warn(std::string code, std::string path, std::string message,
            Span span = {});

 private:
  absl::string_view original_;
  const NormalizedText& doc_;
  v1::Report* report_;
};

// Reads a figure at a path from a report, if set.
bool GetFigure(const v1::Report& report, const std::string& path,
               double* value);

struct FieldPath;

// A contract path resolved once, for code that reads the same figures of
// many reports (the checks): reading through it skips hashing the path.
class FigureRef {
 private:
  explicit FigureRef(const FieldPath* path) : path_(path) {}
  const FieldPath* path_;
  friend std::optional<FigureRef> ResolveFigure(absl::string_view path);
  friend bool GetFigure(const v1::Report& report, FigureRef ref, double* value);
};

// Null if the path is not a figure or message of the contract.
std::optional<FigureRef> ResolveFigure(absl::string_view path);
bool GetFigure(const v1::Report& report, FigureRef ref, double* value);

}  // namespace gongkai
