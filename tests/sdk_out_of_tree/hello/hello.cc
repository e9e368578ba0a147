// An example plugin written with the SDK's C++ helper: "key: value" lines
// become rows of a two-column table, every other line a paragraph.
#include <string_view>

#include "gongkai/plugin.h"
#include "gongkai/plugin_text.h"

namespace {

namespace sdk = gongkai::sdk;

class Hello : public sdk::Plugin {
 public:
  int Detect(std::string_view text) const override {
    return text.find("hello") != std::string_view::npos ? 60 : 1;
  }

  sdk::Status Extract(std::string_view text,
                      sdk::LayoutWriter& out) const override {
    bool in_table = false;
    for (sdk::TextSpan line : sdk::SplitLines(text)) {
      sdk::TextSpan t = sdk::Trim(text, line);
      if (t.empty()) continue;
      size_t colon = sdk::SpanText(text, t).find(':');
      if (colon == std::string_view::npos) {
        if (in_table) out.EndTable();
        in_table = false;
        out.Paragraph(t.begin, t.end);
        continue;
      }
      if (!in_table) out.BeginTable();
      in_table = true;
      out.BeginRow();
      sdk::TextSpan key = sdk::Trim(text, {t.begin, t.begin + colon});
      sdk::TextSpan value = sdk::Trim(text, {t.begin + colon + 1, t.end});
      out.Cell(key.begin, key.end);
      out.Cell(value.begin, value.end);
    }
    if (in_table) out.EndTable();
    return sdk::Status::Ok();
  }
};

}  // namespace

GONGKAI_EXPORT_PLUGIN(Hello, "hello", "0.1.0",
                      "Example: key: value lines as a two-column table");
