// The whole path for one document: normalize -> plugin -> interpret -> check.
#include "gongkai/pipeline.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cancel.h"
#include "gongkai/check.h"
#include "gongkai/interpret.h"
#include "infer.h"
#include "layout_text.h"

namespace gongkai {
namespace {

absl::Status Cancelled() {
  return absl::CancelledError("the extraction was cancelled");
}

std::string LoadedNames(const PluginRegistry& registry) {
  std::vector<std::string> names;
  for (const auto& p : registry.List()) names.push_back(p.name);
  return names.empty() ? "none" : absl::StrJoin(names, ", ");
}

}  // namespace

absl::StatusOr<v1::Report> Pipeline::Extract(
    absl::string_view document, const ExtractOptions& options) const {
  if (options.plugin && !registry_->Has(*options.plugin)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown plugin \"", *options.plugin,
                     "\"; loaded plugins: ", LoadedNames(*registry_)));
  }
  // Polled between the stages here and inside the long loops of the stages.
  CancelScope cancel_scope(options.cancelled);
  if (ExtractionCancelled()) return Cancelled();
  NormalizeOptions normalize_options;
  normalize_options.max_bytes = options.max_bytes;
  absl::StatusOr<NormalizedText> doc = Normalize(document, normalize_options);
  if (!doc.ok()) return doc.status();
  if (ExtractionCancelled()) return Cancelled();

  std::string plugin;
  if (options.plugin) {
    plugin = *options.plugin;
  } else {
    std::vector<PluginScore> scores = registry_->Detect(doc->text);
    if (scores.empty()) {
      return absl::FailedPreconditionError("no extractor plugin is loaded");
    }
    plugin = scores.front().name;
  }
  absl::StatusOr<Layout> layout =
      registry_->Extract(plugin, doc->text, options.cancelled);
  if (ExtractionCancelled()) return Cancelled();
  if (!layout.ok()) return layout.status();

  v1::Report report;
  report.set_source_format(plugin);
  report.set_charset(doc->charset);
  // Markup (HTML) is read from the text its layout shows, not the tags.
  std::optional<LayoutDocument> shown;
  if (layout->markup) shown = LayoutText(*doc, *layout);
  const NormalizedText& read = shown ? shown->doc : *doc;
  InferenceNotes notes;
  Interpret(document, read, shown ? shown->layout : *layout, &report, &notes);
  if (ExtractionCancelled()) return Cancelled();
  ReportWriter writer(document, read, &report);
  InferFigures(notes, &writer);  // before the checks, so they see it all
  if (ExtractionCancelled()) return Cancelled();
  RunChecks(&report);
  return report;
}

absl::StatusOr<std::pair<std::vector<PluginScore>, std::string>>
Pipeline::Detect(absl::string_view document,
                 const ExtractOptions& options) const {
  NormalizeOptions normalize_options;
  normalize_options.max_bytes = options.max_bytes;
  absl::StatusOr<NormalizedText> doc = Normalize(document, normalize_options);
  if (!doc.ok()) return doc.status();
  return std::make_pair(registry_->Detect(doc->text), doc->charset);
}

}  // namespace gongkai
