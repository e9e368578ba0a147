// Layout -> Report: sections, template, table rows and columns to contract
// paths, figures, and a warning for every template cell that was not read.
#include "gongkai/interpret.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cancel.h"
#include "cut_labels.h"
#include "document_fields.h"
#include "evidence.h"
#include "figures.h"
#include "infer.h"
#include "labels.h"
#include "ocr_cells.h"
#include "run_together.h"
#include "utf8.h"

namespace gongkai {
namespace {

// A row split into its label (the text cells) and the cells after it.
struct ReadRow {
  std::string label;                // text cells joined, whitespace removed
  std::vector<const Cell*> values;  // cells after the last text cell
  std::vector<CellValue> parsed;    // same length as values
  int numbers = 0;                  // figure cells among values
  std::vector<const Cell*> texts;
};

class Interpreter {
 public:
  Interpreter(absl::string_view original, const NormalizedText& doc,
              const Layout& layout, v1::Report* report, InferenceNotes* notes)
      : out_(original, doc, report),
        doc_(doc),
        layout_(layout),
        ocr_(layout.ocr),
        notes_(notes) {}

  void Run() {
    tmpl_ = DetectTemplate();
    out_.report()->set_template_(tmpl_);
    if (layout_.run_together) {  // cells ran together: split figures first
      SplitLayout split = SplitRunTogether(doc_.text, layout_, tmpl_);
      split_ = std::move(split.layout);
      for (SplitWarning& w : split.warnings)
        out_.Warn(std::move(w.code), std::move(w.path), std::move(w.message),
                  w.span);
    }
    ReadBlocks();
    if (ExtractionCancelled()) return;
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
    if (ocr_) {
      // OCR: the label ends with its last word (two ideographs or more)
      // when figures follow; a mark after it ("上", "ip") stands where a
      // figure was, misread, and is weighed with the figures. Without a
      // word, what comes before the figures is what is left of the label.
      size_t from = 0;
      for (size_t i = 0; i < row.cells.size(); ++i) {
        if (CjkCount(row.cells[i].text) >= 2) from = i + 1;
      }
      for (size_t i = from; i < row.cells.size(); ++i) {
        if (IsOcrFigureCell(row.cells[i].text)) {
          last_text = static_cast<int>(i) - 1;
          while (from > 0 && last_text >= static_cast<int>(from) &&
                 MayBeMisreadFigure(row.cells[last_text].text))
            --last_text;
          break;
        }
      }
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
    // Whole-text searches, each word once (the counts and the header test
    // ask about the same markers). Horspool rather than find(): find()
    // scans for the first byte, and in CJK text a lead byte recurs every
    // few bytes; these searches were a tenth of a document's CPU.
    std::map<std::string_view, bool> seen;
    auto has = [&](std::string_view m) {
      auto [it, fresh] = seen.try_emplace(m, false);
      if (fresh) {
        std::boyer_moore_horspool_searcher searcher(m.begin(), m.end());
        it->second = std::search(all.begin(), all.end(), searcher) != all.end();
      }
      return it->second;
    };
    auto count = [&](v1::Template t) {
      int n = 0;
      for (std::string_view m : TemplateMarkers(t)) n += has(m);
      return n;
    };
    int n2019 = count(v1::TEMPLATE_2019), n2021 = count(v1::TEMPLATE_2021);
    // The row labels of the standard table, not prose about applications
    // (their last words may be cut off: html2text).
    bool applications =
        has("本年新收政府信息公开") || has("上年结转政府信息公开");
    // A marker that names a row (政府集中采购) also occurs in prose
    // ("政府集中采购项目类信息7条"): without a column header or the
    // applications table it decides nothing.
    int headers = 0;
    for (v1::Template t : {v1::TEMPLATE_2019, v1::TEMPLATE_2021}) {
      for (std::string_view m : TemplateMarkers(t)) {
        headers += !MatchProactiveRow(m, false) && has(m);
      }
    }
    if (headers == 0 && !applications) return v1::TEMPLATE_NONSTANDARD;
    if (n2019 > n2021) return v1::TEMPLATE_2019;
    if (n2021 > n2019) return v1::TEMPLATE_2021;
    // A tie, or section 二's headers lost: section 三 tells the templates
    // apart too -- 2021 splits （六）其他处理 into three sub-rows.
    bool split = has("不补正") || has("收费通知");
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
        out_.Warn(
            "figure_repaired", path,
            absl::StrCat("read '", cell.text, "' as ", v.number, " (OCR)"),
            cell.span);
      }
    }
  }

  void ReadBlocks() {
    std::string* section_text = nullptr;
    std::string overview, problems, other;
    for (const Block& b : (layout_.run_together ? split_ : layout_).blocks) {
      if (ExtractionCancelled()) return;  // the caller discards the report
      if (b.kind == Block::Kind::kParagraph) {
        std::string_view text(doc_.text);
        text = text.substr(b.span.begin, b.span.end - b.span.begin);
        if (!b.text.empty()) text = b.text;  // the plugin's reading of it
        std::optional<Section> s = SectionOfHeading(text);
        if (s) {
          EnterSection(*s);
          section_text = *s == Section::kOverview       ? &overview
                         : *s == Section::kProblems     ? &problems
                         : *s == Section::kOtherMatters ? &other
                                                        : nullptr;
          continue;
        }
        // "第二十条第(五)项" above a sub-table, as a line of its own.
        if (text.size() <= 60) cut_labels_.SeeHeader(Compact(text));
        // OCR: a row's label wrapped onto the line above it comes out as a
        // line without figures, a paragraph. The next row may need it.
        wrapped_label_.clear();
        if (ocr_ && section_ == Section::kApplications && text.size() <= 90)
          wrapped_label_ = Compact(text);
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
      for (const Row& row : b.table.rows) {
        if (ExtractionCancelled()) return;
        ReadTableRow(row);
      }
    }
    FlushPending();
    if (section_ == Section::kApplications) {
      PlaceOrphans("");
      PlaceOcrOrphans("");
    }
    FinishReviews();
    auto* report = out_.report();
    if (!overview.empty()) report->set_overview(overview);
    if (!problems.empty()) report->set_problems(problems);
    if (!other.empty()) report->set_other_matters(other);
  }

  void EnterSection(Section s) {
    FlushPending();
    if (section_ == Section::kApplications) {
      PlaceOrphans("");
      PlaceOcrOrphans("");
    }
    if (section_ == Section::kReviews && s != Section::kReviews)
      FinishReviews();
    section_ = s;
    group_ = 0;
    cut_labels_.Reset();
    applicant_header_.clear();
    unit_scale_ = 1;
    last_application_ = {};
    wrapped_label_.clear();
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

  bool InTemplate(const RowKey& k) const {
    if (k.section == Section::kProactive)
      return !ProactiveColumnsOf(k.key, tmpl_).empty();
    for (const RowSpec& r : ApplicationRows()) {
      if (r.key == k.key) return (r.templates & TemplateBit(tmpl_)) != 0;
    }
    return false;
  }

  // Identify(), or else the row a label cut short names (cut_labels.h). A
  // keyword of a row this template lacks (2019's 其他处理 in a 2021 report,
  // the sub-row's own words cut) gives way to a cut label that fits.
  std::optional<RowKey> IdentifyRow(const ReadRow& r) {
    std::optional<RowKey> key = Identify(r.label);
    if (key && InTemplate(*key)) return key;
    // OCR: the group label that is the other template's single row
    // ("(六)其他处理") shares its line with the group's first sub-row, whose
    // own words OCR garbled or wrapped away.
    if (ocr_ && key && key->section == Section::kApplications) {
      if (std::optional<std::string_view> first =
              FirstSubRowOfGroupRow(key->key, tmpl_))
        return RowKey{Section::kApplications, *first};
    }
    std::vector<std::string> cells;
    for (const Cell* c : r.texts) cells.push_back(Compact(c->text));
    for (Section s : {Section::kApplications, Section::kProactive}) {
      Section other = s == Section::kProactive ? Section::kApplications
                                               : Section::kProactive;
      if (section_ == other) continue;
      if (auto cut = cut_labels_.Match(cells, s, tmpl_)) return RowKey{s, *cut};
    }
    return key;
  }

  // OCR: a row of section 三 whose label is too garbled to name it, named
  // by the table's order instead (labels.h), with a warning: the row's
  // figures rest on that reading.
  std::optional<RowKey> IdentifyByOrder(const ReadRow& r) {
    if (!ocr_ || section_ != Section::kApplications || r.label.empty() ||
        FigureCells(r) == 0)
      return std::nullopt;
    std::optional<std::string_view> key =
        MatchApplicationRowInOrder(r.label, last_application_, tmpl_);
    if (!key) return std::nullopt;
    out_.Warn("row_by_order", "applications." + std::string(*key),
              absl::StrCat("OCR garbled the label '", r.label,
                           "'; read as this row, which the table's order "
                           "puts here"),
              r.values.front()->span);
    return RowKey{Section::kApplications, *key};
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
        // Words between figures: the text may have scattered them.
        reviews_interrupted_ = reviews_interrupted_ || !review_rows_.empty();
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
    std::optional<RowKey> key = IdentifyRow(r);
    std::string wrapped = std::move(wrapped_label_);
    wrapped_label_.clear();
    if (!key && !text_only && !wrapped.empty()) {
      // The label's first words on the line above (see ReadBlocks).
      ReadRow joined = r;
      joined.label = wrapped + r.label;
      key = IdentifyRow(joined);
      if (key) r.label = std::move(joined.label);
    }
    if (!key && !text_only) key = IdentifyByOrder(r);
    if (key) {
      if (key->section == Section::kApplications) {
        PlaceOrphans(key->key);
        PlaceOcrOrphans(key->key);
        last_application_ = key->key;
      }
      FlushPending();
      // OCR wraps a row's figures onto the next line too: a row short of
      // figures waits for them like a label alone.
      if (text_only || (ocr_ && Filled(r) < ExpectedColumns(*key))) {
        pending_short_ = !text_only;
        pending_.emplace(*key, std::move(r));
      } else {
        Emit(*key, r);
      }
      return;
    }
    if (pending_ && pending_short_ &&
        (!r.label.empty() || FigureCells(pending_->second) + FigureCells(r) !=
                                 ExpectedColumns(pending_->first))) {
      // Only figures alone that make the short OCR row whole continue it.
      FlushPending();
      if (text_only) {
        ReadHeaderRow(r);
      } else {
        KeepOcrOrphan(std::move(r));
      }
      return;
    }
    // Split run-together figures always come with their own label: none
    // is handed to a label that waits.
    if (pending_ && !layout_.run_together) {
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
    if (text_only) {
      ReadHeaderRow(r);
    } else if (ocr_) {
      KeepOcrOrphan(std::move(r));
    } else if (r.label.empty() && section_ == Section::kApplications &&
               !layout_.run_together) {
      // Figures with no label: their rows' labels stand elsewhere
      // (pdftotext without -layout). PlaceOrphans() may place them.
      if (orphans_.empty()) orphans_after_ = last_application_;
      for (size_t i = 0; i < r.values.size(); ++i) {
        if (r.parsed[i].kind != CellValue::Kind::kEmpty)
          orphans_.push_back({r.values[i], r.parsed[i]});
      }
    }
  }

  // OCR: a row of section 三 with figures whose label names no row (lost,
  // or garbled past recognition) waits for the next row named.
  void KeepOcrOrphan(ReadRow r) {
    if (!ocr_ || section_ != Section::kApplications || FigureCells(r) == 0)
      return;
    if (ocr_orphans_.empty()) ocr_orphans_after_ = last_application_;
    ocr_orphans_.push_back(std::move(r));
  }

  // OCR: the rows kept by KeepOcrOrphan between the row of 三 read before
  // them (ocr_orphans_after_, "" for the table's start) and `next` ("" for
  // the table's end) are the template rows between those two, in order, if
  // exactly as many of these are unread. Each is then read as such (its
  // figures weighed as any OCR row's), with a warning; otherwise none is.
  void PlaceOcrOrphans(std::string_view next) {
    if (ocr_orphans_.empty()) return;
    std::vector<ReadRow> orphans = std::move(ocr_orphans_);
    ocr_orphans_.clear();
    std::vector<std::string_view> order = ApplicationRowOrder(tmpl_);
    auto from = order.begin();
    if (!ocr_orphans_after_.empty()) {
      from = std::find(order.begin(), order.end(), ocr_orphans_after_);
      if (from != order.end()) ++from;
    }
    auto until = next.empty() ? order.end()
                              : std::find(order.begin(), order.end(), next);
    std::vector<std::string_view> rows;
    for (auto it = from; it < until; ++it) {
      std::string prefix = "applications." + std::string(*it);
      bool unread = true;
      for (const ColumnSpec& c : ApplicantColumns())
        unread = unread && !out_.HasFigure(prefix + "." + std::string(c.key));
      if (unread) rows.push_back(*it);
    }
    if (rows.size() != orphans.size()) {
      out_.Warn("figures_unplaced", "applications",
                absl::StrCat(orphans.size(),
                             " rows of section 三 whose labels OCR garbled "
                             "could not be told apart; none was assigned"),
                orphans.front().values.front()->span);
      return;
    }
    for (size_t i = 0; i < rows.size(); ++i) {
      std::string prefix = "applications." + std::string(rows[i]);
      out_.Warn("row_by_order", prefix,
                absl::StrCat("OCR garbled the label '", orphans[i].label,
                             "'; read as this row, the only one unread where "
                             "the table's order puts it"),
                orphans[i].values.front()->span);
      Emit(RowKey{Section::kApplications, rows[i]}, orphans[i]);
    }
  }

  // Figures that came without a label between the rows of section 三 read
  // before them (orphans_after_) and `next` ("" for the table's end) belong
  // to the template rows between those two, in order, if these are unread,
  // the figures fill exactly a row of seven each, and each such row adds up
  // to its total. Each placed row gets a warning; otherwise none is placed.
  void PlaceOrphans(std::string_view next) {
    if (orphans_.empty()) return;
    std::vector<std::pair<const Cell*, CellValue>> cells = std::move(orphans_);
    orphans_.clear();
    std::vector<std::string_view> order = ApplicationRowOrder(tmpl_);
    auto after = std::find(order.begin(), order.end(), orphans_after_);
    auto until = next.empty() ? order.end()
                              : std::find(order.begin(), order.end(), next);
    std::vector<std::string_view> columns;
    for (const ColumnSpec& c : ApplicantColumns()) columns.push_back(c.key);
    std::vector<std::string_view> rows;
    if (after != order.end() && after < until) {
      for (auto it = after + 1; it < until; ++it) {
        std::string prefix = "applications." + std::string(*it);
        bool unread = true;
        for (std::string_view c : columns)
          unread = unread && !out_.HasFigure(prefix + "." + std::string(c));
        if (unread) rows.push_back(*it);
      }
    }
    bool fit = !rows.empty() && cells.size() == rows.size() * columns.size();
    for (size_t i = 0; fit && i < rows.size(); ++i) {
      double sum = 0;
      for (size_t c = 0; c < columns.size(); ++c) {
        const CellValue& v = cells[i * columns.size() + c].second;
        fit = fit && v.kind == CellValue::Kind::kNumber && v.integral;
        if (c + 1 < columns.size()) sum += v.number;
      }
      fit = fit && sum == cells[(i + 1) * columns.size() - 1].second.number;
    }
    if (!fit) {
      out_.Warn("figures_unplaced", "applications",
                absl::StrCat(cells.size(),
                             " figures of section 三 stand apart from any "
                             "row label and were not assigned"),
                cells.front().first->span);
      return;
    }
    for (size_t i = 0; i < rows.size(); ++i) {
      ReadRow r;
      std::vector<int> idx;
      for (size_t c = 0; c < columns.size(); ++c) {
        r.values.push_back(cells[i * columns.size() + c].first);
        r.parsed.push_back(cells[i * columns.size() + c].second);
        idx.push_back(static_cast<int>(c));
      }
      std::string prefix = "applications." + std::string(rows[i]);
      out_.Warn("row_by_order", prefix,
                "figures printed apart from their label; read as this row, "
                "which the table's order puts here, and their sum holds",
                r.values.front()->span);
      Assign(prefix, r, columns, idx, 1);
    }
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
      cut_labels_.SeeHeader(text);
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
    if (ocr_ && !(idx && AllFigures(r, *idx)) &&
        EmitOcr(prefix, r, columns, unit_scale_))
      return;
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
    if (ocr_ && !(idx && AllFigures(r, *idx)) &&
        EmitOcr(prefix, r, all, 1, LastColumn::kRowTotal))
      return;
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
      if (r.parsed.size() == columns.size() &&
          (!ocr_ || AllFigures(r, *Fit(r, columns)))) {
        std::optional<std::vector<int>> idx = Fit(r, columns);
        Assign("reviews", r, columns, *idx, 1);
        done = true;
        break;
      }
    }
    if (!done && ocr_) {
      ReadRow joined;
      for (auto& [cell, value] : review_cells_) {
        joined.values.push_back(cell);
        joined.parsed.push_back(value);
      }
      done = EmitOcr("reviews", joined, columns, 1, LastColumn::kGroupTotal);
    }
    if (!done && review_cells_.size() == columns.size()) {
      ReadRow joined;
      for (auto& [cell, value] : review_cells_) {
        joined.values.push_back(cell);
        joined.parsed.push_back(value);
      }
      // Figures gathered from rows with words between them are in the
      // table's order only if the text kept it; text that scatters them
      // (pdftotext without -layout) shows as groups that miss their total.
      // Figures that merely wrap keep the order, and a report's own wrong
      // total stays for the check to report.
      if (reviews_interrupted_ && !ReviewGroupsAddUp(joined.parsed)) {
        ReadScatteredReviews(joined, columns);
      } else {
        std::optional<std::vector<int>> idx = Fit(joined, columns);
        Assign("reviews", joined, columns, *idx, 1);
      }
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
    reviews_interrupted_ = false;
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

  // True if every cell idx maps to reads as a figure, blank or empty.
  static bool AllFigures(const ReadRow& r, const std::vector<int>& idx) {
    for (int i : idx) {
      if (r.parsed[i].kind == CellValue::Kind::kText) return false;
    }
    return true;
  }

  // Section 四's figures scattered by the text (pdftotext without -layout
  // prints its columns' cells apart): every reading is tried in which each
  // group's five figures keep their order, every group adds up, and the
  // first figure is the table's first cell (any reading order starts
  // there). A figure every such reading agrees on is assigned, with a
  // warning; the others are left absent.
  void ReadScatteredReviews(const ReadRow& joined,
                            const std::vector<std::string_view>& columns) {
    const size_t n = joined.parsed.size();
    const size_t width = ReviewColumns().size();
    bool figures = n == 3 * width && n < 32;
    for (const CellValue& v : joined.parsed)
      figures = figures && v.kind == CellValue::Kind::kNumber && v.integral;
    std::vector<std::optional<double>> agreed(n);
    std::vector<size_t> source(n, 0);  // the cell of the first reading
    std::vector<bool> conflict(n, false);
    size_t readings = 0;
    // Cells of `mask` in stream order, as one group: do they add up?
    auto adds_up = [&](uint32_t mask, std::vector<size_t>* cells) {
      cells->clear();
      for (size_t i = 0; i < n; ++i)
        if (mask & (1u << i)) cells->push_back(i);
      double sum = 0;
      for (size_t c = 0; c + 1 < width; ++c)
        sum += joined.parsed[(*cells)[c]].number;
      return sum == joined.parsed[cells->back()].number;
    };
    auto record = [&](size_t group, const std::vector<size_t>& cells) {
      for (size_t c = 0; c < width; ++c) {
        size_t slot = group * width + c;
        double v = joined.parsed[cells[c]].number;
        if (!agreed[slot]) {
          agreed[slot] = v;
          source[slot] = cells[c];
        }
        conflict[slot] = conflict[slot] || *agreed[slot] != v;
      }
    };
    const uint32_t all = figures ? (1u << n) - 1 : 0;
    std::vector<size_t> g1, g2, g3;
    for (uint32_t m1 = 1; figures && m1 <= all; m1 += 2) {  // holds cell 0
      if (__builtin_popcount(m1) != static_cast<int>(width) ||
          !adds_up(m1, &g1))
        continue;
      uint32_t rest = all & ~m1;
      for (uint32_t m2 = rest; m2 != 0; m2 = (m2 - 1) & rest) {
        if (__builtin_popcount(m2) != static_cast<int>(width) ||
            !adds_up(m2, &g2) || !adds_up(rest & ~m2, &g3))
          continue;
        ++readings;
        record(0, g1);
        record(1, g2);
        record(2, g3);
      }
    }
    if (readings == 0) {
      out_.Warn("table_order_unsure", "reviews",
                "section 四's figures come from several lines and no order "
                "of them adds up; none was assigned",
                review_cells_.front().first->span);
      return;
    }
    for (size_t slot = 0; slot < n; ++slot) {
      if (conflict[slot]) continue;
      const Span& cell = joined.values[source[slot]]->span;
      std::string path = "reviews." + std::string(columns[slot]);
      if (out_.HasFigure(path) || !out_.SetFigure(path, *agreed[slot], cell))
        continue;
      out_.Warn("figure_by_arithmetic", path,
                absl::StrCat("read as ", *agreed[slot],
                             ": section 四's figures are scattered, and every "
                             "order of them that adds up puts it here"),
                cell);
    }
  }

  // Section 四's 15 cells in the template's order: in every group whose five
  // cells are figures, the four outcomes add up to the total.
  static bool ReviewGroupsAddUp(const std::vector<CellValue>& cells) {
    const size_t width = ReviewColumns().size();
    for (size_t g = 0; g + width <= cells.size(); g += width) {
      double sum = 0;
      bool figures = true;
      for (size_t c = 0; c < width; ++c) {
        figures = figures && cells[g + c].kind == CellValue::Kind::kNumber;
        if (c + 1 < width) sum += cells[g + c].number;
      }
      if (figures && sum != cells[g + width - 1].number) return false;
    }
    return true;
  }

  static size_t FigureCells(const ReadRow& r) {
    size_t n = 0;
    for (const Cell* c : r.values) n += IsOcrFigureCell(c->text);
    return n;
  }

  static size_t CjkCount(std::string_view s) {
    size_t n = 0;
    for (size_t i = 0; i < s.size();) {
      size_t len = 0;
      if (IsCjk(CodePointAt(s, i, &len))) ++n;
      i += len > 0 ? len : 1;
    }
    return n;
  }

  // OCR: reads the row's value cells every way OCR may have garbled them
  // (ocr_cells.h). A figure every reading agrees on is assigned; the rest
  // is left to the table's arithmetic (infer.h). False if no reading fits
  // the columns.
  bool EmitOcr(const std::string& prefix, const ReadRow& r,
               const std::vector<std::string_view>& columns, double scale,
               LastColumn last = LastColumn::kPlain) {
    std::vector<std::string_view> texts;
    OpenRow open;
    for (size_t i = 0; i < r.values.size(); ++i) {
      if (r.parsed[i].kind == CellValue::Kind::kEmpty) continue;
      texts.push_back(r.values[i]->text);
      open.sources.push_back(r.values[i]->span);
    }
    std::vector<OcrCandidate> candidates =
        OcrCandidates(texts, columns.size(), last);
    if (candidates.empty()) return false;
    bool open_left = false;
    for (size_t c = 0; c < columns.size(); ++c) {
      std::string path = prefix + "." + std::string(columns[c]);
      open.paths.push_back(path);
      const OcrCell& first = candidates[0][c];
      bool agree = first.value.has_value();
      for (const OcrCandidate& k : candidates) {
        agree = agree && k[c].value && *k[c].value == *first.value &&
                k[c].integral == first.integral;
      }
      if (!agree) {
        open_left = true;
        continue;
      }
      bool money = columns[c] == "amount_10k_yuan";
      if ((!money && !first.integral) ||
          (*first.value < 0 && columns[c] != "change") || out_.HasFigure(path))
        continue;
      Span span = first.source >= 0 ? open.sources[first.source] : Span{};
      out_.SetFigure(path, money ? *first.value * scale : *first.value, span);
      if (first.placed_as_total) {
        out_.Warn("figure_repaired", path,
                  absl::StrCat("read as ", *first.value,
                               " (OCR lost cells of this row; its figures "
                               "add up with this one, its last, as the "
                               "row's total)"),
                  span);
      } else if (first.alternative || candidates.size() > 1) {
        out_.Warn("figure_repaired", path,
                  absl::StrCat("read as ", *first.value,
                               " (OCR: every reading of the row agrees)"),
                  span);
      }
    }
    if (open_left && notes_ != nullptr) {
      open.candidates = std::move(candidates);
      notes_->open_rows.push_back(std::move(open));
    }
    return true;
  }

  void WarnUnread() {
    if (notes_ != nullptr) {
      notes_->blank = blank_;
      notes_->ocr = ocr_;
    }
    for (const std::string& path : TemplatePaths(tmpl_)) {
      if (out_.HasFigure(path) || blank_.count(path)) continue;
      out_.Warn("cell_unread", path,
                "this cell of the template could not be read");
    }
  }

  ReportWriter out_;
  const NormalizedText& doc_;
  const Layout& layout_;
  Layout split_;  // layout_ with run-together figures split (run_together.h)
  const bool ocr_;
  InferenceNotes* notes_;
  v1::Template tmpl_ = v1::TEMPLATE_UNSPECIFIED;
  Section section_ = Section::kUnknown;
  int group_ = 0;
  std::string_view last_application_;  // the last row of 三 read ("" none)
  std::string wrapped_label_;          // OCR: the line above the next row (三)
  // Figures of 三 read with no label, and the row read before them.
  std::vector<ReadRow> ocr_orphans_;    // OCR rows of 三 no label names
  std::string_view ocr_orphans_after_;  // the row of 三 read before them
  std::vector<std::pair<const Cell*, CellValue>> orphans_;
  std::string_view orphans_after_;
  std::set<std::string> applicant_header_;
  double unit_scale_ = 1;
  std::vector<ReadRow> review_rows_;
  std::vector<std::pair<const Cell*, CellValue>> review_cells_;
  bool reviews_interrupted_ = false;  // words came between review figures
  std::set<std::string> blank_;       // paths the document leaves blank
  std::optional<std::pair<RowKey, ReadRow>> pending_;
  CutLabels cut_labels_;        // labels cut short: the 第二十条 item open
  bool pending_short_ = false;  // pending_ is an OCR row short of figures
};

}  // namespace

void Interpret(absl::string_view original, const NormalizedText& doc,
               const Layout& layout, v1::Report* report,
               InferenceNotes* notes) {
  Interpreter(original, doc, layout, report, notes).Run();
}

}  // namespace gongkai
