// Layout -> Report: sections, template, table rows and columns to contract
// paths, figures, and a warning for every template cell that was not read.
#include "gongkai/interpret.h"

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "document_fields.h"
#include "evidence.h"
#include "figures.h"
#include "labels.h"

namespace gongkai {
namespace {

// A row split into its label (the text cells) and the cells after it.
struct ReadRow {
  std::string label;           // text cells joined, whitespace removed
  std::vector<const Cell*> values;  // cells after the last text cell
  std::vector<CellValue> parsed;    // same length as values
  int numbers = 0;             // figure cells among values
  std::vector<const Cell*> texts;
};

class Interpreter {
 public:
  Interpreter(absl::string_view original, const NormalizedText& doc,
              const Layout& layout, v1::Report* report)
      : out_(original, doc, report), doc_(doc), layout_(layout),
        ocr_(layout.ocr) {}

  void Run() {
    tmpl_ = DetectTemplate();
    out_.report()->set_template_(tmpl_);
    ReadBlocks();
    ReadDocumentFields(doc_, layout_, &out_);
    WarnUnread();
  }

 private:
  ReadRow Split(const Row& row) const {
    ReadRow r;
    int last_text = -1;
    std::vector<CellValue> all;
    for (size_t i = 0; i < row.cells.size(); ++i) {
      all.push_back(ReadCell(row.cells[i].text, ocr_));
      if (all.back().kind == CellValue::Kind::kText) last_text = i;
    }
    for (int i = 0; i <= last_text; ++i) {
      if (all[i].kind == CellValue::Kind::kText) {
        r.label += Compact(row.cells[i].text);
        r.texts.push_back(&row.cells[i]);
      }
    }
    for (size_t i = last_text + 1; i < row.cells.size(); ++i) {
      r.values.push_back(&row.cells[i]);
      r.parsed.push_back(all[i]);
      if (all[i].kind == CellValue::Kind::kNumber) ++r.numbers;
    }
    // Leading and trailing empty cells hold no position: they are the
    // flattened spans and ragged edges of converted tables.
    while (!r.parsed.empty() &&
           r.parsed.back().kind == CellValue::Kind::kEmpty) {
      r.parsed.pop_back();
      r.values.pop_back();
    }
    size_t lead = 0;
    while (lead < r.parsed.size() &&
           r.parsed[lead].kind == CellValue::Kind::kEmpty)
      ++lead;
    r.parsed.erase(r.parsed.begin(), r.parsed.begin() + lead);
    r.values.erase(r.values.begin(), r.values.begin() + lead);
    return r;
  }

  // The template, from the header words of the tables (never the year).
  v1::Template DetectTemplate() const {
    std::string all = Compact(doc_.text);
    auto count = [&](v1::Template t) {
      int n = 0;
      for (std::string_view m : TemplateMarkers(t)) {
        if (all.find(m) != std::string::npos) ++n;
      }
      return n;
    };
    int n2019 = count(v1::TEMPLATE_2019), n2021 = count(v1::TEMPLATE_2021);
    if (n2019 > n2021) return v1::TEMPLATE_2019;
    if (n2021 > n2019) return v1::TEMPLATE_2021;
    // A tie, or section 二's headers lost: section 三 tells the templates
    // apart too -- 2021 splits （六）其他处理 into three sub-rows.
    bool split = all.find("不补正") != std::string::npos ||
                 all.find("收费通知") != std::string::npos;
    // The row labels of the standard table, not prose about applications.
    bool applications =
        all.find("本年新收政府信息公开申请") != std::string::npos ||
        all.find("上年结转政府信息公开申请") != std::string::npos;
    if (n2019 > 0 || applications) {
      return split ? v1::TEMPLATE_2021 : v1::TEMPLATE_2019;
    }
    return v1::TEMPLATE_NONSTANDARD;
  }

  // Maps a row's value cells onto `columns` (contract keys, in order).
  // Returns the index into r.values for each column, or nothing if the row
  // does not fit. `fallback` is a second column list (a table's own header)
  // tried when the counts do not fit the first.
  std::optional<std::vector<int>> Fit(
      const ReadRow& r, const std::vector<std::string_view>& columns) const {
    std::vector<int> idx;
    if (r.parsed.size() == columns.size()) {
      for (size_t i = 0; i < columns.size(); ++i) idx.push_back(i);
      return idx;
    }
    for (size_t i = 0; i < r.parsed.size(); ++i) {
      if (r.parsed[i].kind != CellValue::Kind::kEmpty) idx.push_back(i);
    }
    if (idx.size() == columns.size()) return idx;
    return std::nullopt;
  }

  void Assign(const std::string& prefix, const ReadRow& r,
              const std::vector<std::string_view>& columns,
              const std::vector<int>& idx, double scale) {
    for (size_t c = 0; c < columns.size(); ++c) {
      const CellValue& v = r.parsed[idx[c]];
      const Cell& cell = *r.values[idx[c]];
      std::string path = prefix + "." + std::string(columns[c]);
      if (v.kind != CellValue::Kind::kNumber) {
        // Blank in the document: absent. OCR drops cells, so there a blank
        // is not evidence of an empty cell.
        if (!ocr_ && v.kind != CellValue::Kind::kText) blank_.insert(path);
        continue;
      }
      bool money = columns[c] == "amount_10k_yuan";
      if (!money && !v.integral) {
        out_.Warn("figure_not_integer", path,
                  absl::StrCat("'", cell.text, "' is not a whole number"),
                  cell.span);
        continue;
      }
      if (v.number < 0 && columns[c] != "change") {
        out_.Warn("figure_negative", path,
                  absl::StrCat("'", cell.text, "' is negative in a count"),
                  cell.span);
        continue;
      }
      if (out_.HasFigure(path)) {
        out_.Warn("figure_duplicate", path,
                  "the row appears twice; the first reading is kept",
                  cell.span);
        continue;
      }
      if (!out_.SetFigure(path, money ? v.number * scale : v.number,
                          cell.span)) {
        out_.Warn("figure_out_of_range", path,
                  "'" + cell.text + "' is too large to be a figure", cell.span);
        continue;
      }
      if (v.repaired) {
        out_.Warn("figure_repaired", path,
                  absl::StrCat("read '", cell.text, "' as ", v.number,
                               " (OCR)"),
                  cell.span);
      }
    }
  }

  void ReadBlocks() {
    std::string* section_text = nullptr;
    std::string overview, problems, other;
    for (const Block& b : layout_.blocks) {
      if (b.kind == Block::Kind::kParagraph) {
        std::string_view text(doc_.text);
        text = text.substr(b.span.begin, b.span.end - b.span.begin);
        std::optional<Section> s = SectionOfHeading(text);
        if (s) {
          EnterSection(*s);
          section_text = *s == Section::kOverview     ? &overview
                         : *s == Section::kProblems    ? &problems
                         : *s == Section::kOtherMatters ? &other
                                                        : nullptr;
          continue;
        }
        if (section_text) {
          std::string_view t = text;
          while (!t.empty() && (t.front() == ' ' || t.front() == '\n'))
            t.remove_prefix(1);
          while (!t.empty() && (t.back() == ' ' || t.back() == '\n'))
            t.remove_suffix(1);
          if (!t.empty()) {
            if (!section_text->empty()) section_text->push_back('\n');
            section_text->append(t);
          }
        }
        continue;
      }
      for (const Row& row : b.table.rows) ReadTableRow(row);
    }
    FlushPending();
    FinishReviews();
    auto* report = out_.report();
    if (!overview.empty()) report->set_overview(overview);
    if (!problems.empty()) report->set_problems(problems);
    if (!other.empty()) report->set_other_matters(other);
  }

  void EnterSection(Section s) {
    FlushPending();
    if (section_ == Section::kReviews && s != Section::kReviews)
      FinishReviews();
    section_ = s;
    group_ = 0;
    applicant_header_.clear();
    unit_scale_ = 1;
  }

  // The row of the template a label names, given the section we are in.
  struct RowKey {
    Section section;
    std::string_view key;
  };

  std::optional<RowKey> Identify(const std::string& label) {
    if (label.empty()) return std::nullopt;
    if (section_ != Section::kProactive) {
      if (auto key = MatchApplicationRow(label, &group_, ocr_))
        return RowKey{Section::kApplications, *key};
    }
    if (section_ != Section::kApplications) {
      if (auto key = MatchProactiveRow(label, ocr_))
        return RowKey{Section::kProactive, *key};
    }
    return std::nullopt;
  }

  size_t ExpectedColumns(const RowKey& k) const {
    if (k.section == Section::kProactive)
      return ProactiveColumnsOf(k.key, tmpl_).size();
    return ApplicantColumns().size();
  }

  static bool LooksLikeHeader(const ReadRow& r) {
    for (const Cell* c : r.texts) {
      std::string t = Compact(c->text);
      if (MatchApplicantColumn(t) || MatchProactiveColumn(t) ||
          t.find("第二十条") != std::string::npos ||
          t.find("信息内容") != std::string::npos ||
          t.find("申请人情况") != std::string::npos)
        return true;
    }
    return false;
  }

  static size_t Filled(const ReadRow& r) {
    size_t n = 0;
    for (const CellValue& v : r.parsed) n += v.kind != CellValue::Kind::kEmpty;
    return n;
  }

  // Tables come with their rows whole (one line per row), or split: a label
  // on one line and its figures on the next lines (one cell per line), or a
  // label wrapped over two lines. A label with no figures waits here for the
  // figure rows that follow it.
  void ReadTableRow(const Row& row) {
    ReadRow r = Split(row);
    const bool text_only = r.values.empty() && !r.texts.empty();
    if (r.values.empty() && r.texts.empty()) return;
    if (text_only && r.texts.size() == 1) {
      if (std::optional<Section> s = SectionOfHeading(r.texts[0]->text)) {
        EnterSection(*s);
        return;
      }
    }
    if (tmpl_ == v1::TEMPLATE_NONSTANDARD) return;
    if (section_ == Section::kReviews) {
      if (text_only) {
        ReadHeaderRow(r);
      } else {
        ReadReviewRow(r);
      }
      return;
    }
    if (text_only && LooksLikeHeader(r)) {
      FlushPending();
      ReadHeaderRow(r);
      return;
    }
    if (std::optional<RowKey> key = Identify(r.label)) {
      FlushPending();
      if (text_only) {
        pending_.emplace(*key, std::move(r));
      } else {
        Emit(*key, r);
      }
      return;
    }
    if (pending_) {
      if (!text_only) {
        // Figures (perhaps after the wrapped end of the label) for the
        // label that waits.
        ReadRow& p = pending_->second;
        p.values.insert(p.values.end(), r.values.begin(), r.values.end());
        p.parsed.insert(p.parsed.end(), r.parsed.begin(), r.parsed.end());
        if (Filled(p) >= ExpectedColumns(pending_->first)) FlushPending();
        return;
      }
      return;  // the wrapped rest of a label
    }
    if (text_only) ReadHeaderRow(r);
  }

  void FlushPending() {
    if (!pending_) return;
    auto [key, r] = std::move(*pending_);
    pending_.reset();
    // Cells between figures are positions only when the row came whole.
    while (!r.parsed.empty() &&
           r.parsed.back().kind == CellValue::Kind::kEmpty) {
      r.parsed.pop_back();
      r.values.pop_back();
    }
    if (!r.values.empty()) Emit(key, r);
  }

  void Emit(const RowKey& key, const ReadRow& r) {
    if (key.section == Section::kProactive) {
      EmitProactive(key.key, r);
    } else {
      EmitApplication(key.key, r);
    }
  }

  void ReadHeaderRow(const ReadRow& r) {
    for (const Cell* c : r.texts) {
      std::string text = Compact(c->text);
      if (std::optional<std::string_view> col = MatchApplicantColumn(text)) {
        applicant_header_.insert(std::string(*col));
      }
      if (text.find("第二十条") != std::string::npos) unit_scale_ = 1;
      // Amounts are in 万元 unless the header says 元.
      if (text.find("金额") != std::string::npos) {
        bool yuan = text.find("元") != std::string::npos &&
                    text.find("万元") == std::string::npos;
        unit_scale_ = yuan ? 1e-4 : 1;
      }
    }
  }

  void EmitProactive(std::string_view key, const ReadRow& r) {
    std::vector<std::string_view> columns = ProactiveColumnsOf(key, tmpl_);
    if (columns.empty()) return;  // a row this template lacks
    std::string prefix = "proactive." + std::string(key);
    std::optional<std::vector<int>> idx = Fit(r, columns);
    if (!idx) {
      Unfit(prefix, r, columns.size());
      return;
    }
    Assign(prefix, r, columns, *idx, unit_scale_);
  }

  void EmitApplication(std::string_view key, const ReadRow& r) {
    std::string prefix = "applications." + std::string(key);
    std::vector<std::string_view> all;
    for (const ColumnSpec& c : ApplicantColumns()) all.push_back(c.key);
    std::optional<std::vector<int>> idx = Fit(r, all);
    if (idx) {
      Assign(prefix, r, all, *idx, 1);
      return;
    }
    // The table's own header may name fewer columns (e.g. no 其他).
    std::vector<std::string_view> header;
    for (std::string_view c : all) {
      if (applicant_header_.count(std::string(c))) header.push_back(c);
    }
    if (!header.empty() && header.size() < all.size()) {
      if ((idx = Fit(r, header))) {
        Assign(prefix, r, header, *idx, 1);
        return;
      }
    }
    Unfit(prefix, r, all.size());
  }

  void ReadReviewRow(const ReadRow& r) {
    for (size_t i = 0; i < r.values.size(); ++i) {
      if (r.parsed[i].kind == CellValue::Kind::kEmpty) continue;
      review_cells_.push_back({r.values[i], r.parsed[i]});
    }
    review_rows_.push_back(r);
  }

  // Section 四 is one row of 15 figures (three groups of five), sometimes
  // wrapped over several rows: read them in order once the section ends.
  void FinishReviews() {
    if (review_rows_.empty()) return;
    std::vector<std::string_view> columns;
    std::vector<std::string> names;
    for (std::string_view g : ReviewGroups()) {
      for (std::string_view c : ReviewColumns()) {
        names.push_back(std::string(g) + "." + std::string(c));
      }
    }
    for (const std::string& n : names) columns.push_back(n);
    bool done = false;
    for (const ReadRow& r : review_rows_) {
      if (r.parsed.size() == columns.size()) {
        std::optional<std::vector<int>> idx = Fit(r, columns);
        Assign("reviews", r, columns, *idx, 1);
        done = true;
        break;
      }
    }
    if (!done && review_cells_.size() == columns.size()) {
      ReadRow joined;
      for (auto& [cell, value] : review_cells_) {
        joined.values.push_back(cell);
        joined.parsed.push_back(value);
      }
      std::optional<std::vector<int>> idx = Fit(joined, columns);
      Assign("reviews", joined, columns, *idx, 1);
      done = true;
    }
    if (!done && !review_cells_.empty()) {
      out_.Warn("table_unfit", "reviews",
                absl::StrCat("section 四 holds ", review_cells_.size(),
                             " figure cells where the template has 15; "
                             "none was assigned"),
                review_cells_.front().first->span);
    }
    review_rows_.clear();
    review_cells_.clear();
  }

  void Unfit(const std::string& prefix, const ReadRow& r, size_t expected) {
    Span span = r.values.empty() ? Span{} : r.values.front()->span;
    out_.Warn("row_unfit", prefix,
              absl::StrCat("row '", r.label, "' has ", r.parsed.size(),
                           " value cells where ", expected,
                           " columns were expected; none was assigned"),
              span);
  }

  void WarnUnread() {
    for (const std::string& path : TemplatePaths(tmpl_)) {
      if (out_.HasFigure(path) || blank_.count(path)) continue;
      out_.Warn("cell_unread", path,
                "this cell of the template could not be read");
    }
  }

  ReportWriter out_;
  const NormalizedText& doc_;
  const Layout& layout_;
  const bool ocr_;
  v1::Template tmpl_ = v1::TEMPLATE_UNSPECIFIED;
  Section section_ = Section::kUnknown;
  int group_ = 0;
  std::set<std::string> applicant_header_;
  double unit_scale_ = 1;
  std::vector<ReadRow> review_rows_;
  std::vector<std::pair<const Cell*, CellValue>> review_cells_;
  std::set<std::string> blank_;  // paths the document leaves blank
  std::optional<std::pair<RowKey, ReadRow>> pending_;
};

}  // namespace

void Interpret(absl::string_view original, const NormalizedText& doc,
               const Layout& layout, v1::Report* report) {
  Interpreter(original, doc, layout, report).Run();
}

}  // namespace gongkai
