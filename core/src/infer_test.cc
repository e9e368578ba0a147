// Arithmetic inference on hand-made reports: what the table's sums fix
// uniquely is filled and marked inferred; blanks, contradictions and
// open choices are left alone.
#include "infer.h"

#include <bit>
#include <string>

#include "evidence.h"
#include "gtest/gtest.h"
#include "labels.h"

namespace gongkai {
namespace {

class InferTest : public ::testing::Test {
 protected:
  void SetUp() override { report_.set_template_(v1::TEMPLATE_2021); }

  void Set(const std::string& path, double v) {
    ASSERT_TRUE(writer_.SetFigure(path, v, Span{}));
  }
  // Sets a whole application row: natural_person ... other_org, total.
  void Row(const std::string& row, std::vector<double> v) {
    const auto& cols = ApplicantColumns();
    for (size_t i = 0; i < cols.size() && i < v.size(); ++i) {
      if (v[i] >= 0) Set("applications." + row + "." + std::string(cols[i].key), v[i]);
    }
  }
  std::optional<double> Get(const std::string& path) const {
    double v;
    if (!GetFigure(report_, path, &v)) return std::nullopt;
    return v;
  }
  bool Inferred(const std::string& path) const {
    for (const v1::Evidence& e : report_.evidence()) {
      if (e.path() == path) return e.inferred();
    }
    return false;
  }
  int Warnings(const std::string& code) const {
    int n = 0;
    for (const v1::Warning& w : report_.warnings()) n += w.code() == code;
    return n;
  }

  v1::Report report_;
  NormalizedText doc_;
  ReportWriter writer_{"", doc_, &report_};
  InferenceNotes notes_;
};

TEST_F(InferTest, SingleMissingCellOfARow) {
  Row("granted", {5, 2, 0, 0, 1, -1, 10});
  InferFigures(notes_, &writer_);
  EXPECT_EQ(Get("applications.granted.other_org"), 2);
  EXPECT_TRUE(Inferred("applications.granted.other_org"));
  EXPECT_GE(Warnings("figure_inferred"), 1);
  EXPECT_FALSE(Inferred("applications.granted.natural_person"));
}

TEST_F(InferTest, MissingTotalOfAWholeRow) {
  Row("granted", {5, 2, 0, 0, 1, 0, -1});
  InferFigures(notes_, &writer_);
  EXPECT_EQ(Get("applications.granted.total"), 8);
}

TEST_F(InferTest, KnownPartsReachTheTotalSoTheRestAreZero) {
  Row("partially_granted", {7, -1, -1, -1, -1, -1, 7});
  InferFigures(notes_, &writer_);
  for (const char* c : {"commercial", "research", "social_welfare",
                        "legal_services", "other_org"}) {
    EXPECT_EQ(Get(std::string("applications.partially_granted.") + c), 0) << c;
  }
}

TEST_F(InferTest, TwoUnknownsWithRoomLeftAreNotGuessed) {
  Row("granted", {5, -1, 0, 0, -1, 0, 10});
  InferFigures(notes_, &writer_);
  EXPECT_FALSE(Get("applications.granted.commercial"));
  EXPECT_FALSE(Get("applications.granted.legal_services"));
  EXPECT_EQ(Warnings("figure_inferred"), 0);
}

TEST_F(InferTest, NeverIntoACellTheDocumentLeavesBlank) {
  Row("granted", {5, 2, 0, 0, 1, -1, 10});
  notes_.blank.insert("applications.granted.other_org");
  InferFigures(notes_, &writer_);
  EXPECT_FALSE(Get("applications.granted.other_org"));
}

TEST_F(InferTest, AContradictedSumInfersNothing) {
  // The stated parts already exceed the total: the sum says nothing about
  // the missing cell, and no stated figure is touched.
  Row("granted", {5, 9, 0, 0, 1, -1, 10});
  InferFigures(notes_, &writer_);
  EXPECT_FALSE(Get("applications.granted.other_org"));
  EXPECT_EQ(Get("applications.granted.commercial"), 9);
}

TEST_F(InferTest, ColumnSumsFillALostRow) {
  // balance: new_received + carried_over = total_handled + carried_forward.
  Row("new_received", {4, 0, 0, 0, 0, 0, 4});
  Row("carried_over", {0, 0, 0, 0, 0, 0, 0});
  Row("total_handled", {3, 0, 0, 0, 0, 0, 3});
  InferFigures(notes_, &writer_);
  EXPECT_EQ(Get("applications.carried_forward.natural_person"), 1);
  EXPECT_EQ(Get("applications.carried_forward.total"), 1);
  EXPECT_EQ(Get("applications.carried_forward.commercial"), 0);
}

TEST_F(InferTest, NothingForANonstandardReport) {
  report_.set_template_(v1::TEMPLATE_NONSTANDARD);
  InferFigures(notes_, &writer_);
  EXPECT_EQ(report_.evidence_size(), 0);
}

TEST_F(InferTest, OcrRowPlacedByTheColumnSums) {
  // An OCR row read as "3 3" with the five narrow cells lost: the column
  // sums rule every placement out but natural_person ... total.
  Row("total_handled", {3, 0, 0, 0, 0, 0, 3});
  std::vector<std::string> paths;
  for (const ColumnSpec& c : ApplicantColumns())
    paths.push_back("applications.granted." + std::string(c.key));
  OpenRow row;
  row.paths = paths;
  row.sources = {Span{}, Span{}};
  for (size_t a = 0; a < 7; ++a) {
    for (size_t b = a + 1; b < 7; ++b) {
      OcrCandidate c(7);
      c[a].value = 3;
      c[a].source = 0;
      c[b].value = 3;
      c[b].source = 1;
      row.candidates.push_back(c);
    }
  }
  notes_.open_rows.push_back(row);
  notes_.ocr = true;
  InferFigures(notes_, &writer_);
  EXPECT_EQ(Get("applications.granted.natural_person"), 3);
  EXPECT_EQ(Get("applications.granted.commercial"), 0);
  EXPECT_EQ(Get("applications.granted.total"), 3);
  EXPECT_TRUE(Inferred("applications.granted.total"));
}

TEST_F(InferTest, OcrRowWhoseReadingsDisagreeStaysOpen) {
  std::vector<std::string> paths;
  for (std::string_view c : ReviewColumns())
    paths.push_back("reviews.administrative_review." + std::string(c));
  OpenRow row;
  row.paths = paths;
  row.sources = {Span{}};
  // "5" is upheld or corrected; the total is not read.
  for (size_t at : {0, 1}) {
    OcrCandidate c(5);
    for (size_t k = 0; k < 4; ++k) c[k].value = 0;
    c[at].value = 5;
    row.candidates.push_back(c);
  }
  notes_.open_rows.push_back(row);
  InferFigures(notes_, &writer_);
  EXPECT_FALSE(Get("reviews.administrative_review.upheld"));
  EXPECT_EQ(Get("reviews.administrative_review.total"), 5);
  EXPECT_EQ(Get("reviews.administrative_review.other"), 0);
}

TEST_F(InferTest, OcrFigureTwoFailedChecksShareIsWithheld) {
  Row("new_received", {10, 0, 0, 0, 0, 0, 10});
  Row("carried_over", {4, 0, 0, 0, 0, 0, 1});  // total misread: 4 -> 1
  Row("total_handled", {12, 0, 0, 0, 0, 0, 12});
  Row("carried_forward", {2, 0, 0, 0, 0, 0, 2});
  notes_.ocr = true;
  InferFigures(notes_, &writer_);
  EXPECT_FALSE(Get("applications.carried_over.total"));
  EXPECT_EQ(Warnings("figure_contradicted"), 1);
  int failed = 0;
  for (const v1::Check& c : report_.checks()) failed += !c.passed();
  EXPECT_EQ(failed, 2);
  EXPECT_EQ(Get("applications.carried_over.natural_person"), 4);
}

TEST_F(InferTest, CleanTextFigureIsNeverWithheld) {
  Row("new_received", {10, 0, 0, 0, 0, 0, 10});
  Row("carried_over", {4, 0, 0, 0, 0, 0, 1});
  Row("total_handled", {12, 0, 0, 0, 0, 0, 12});
  Row("carried_forward", {2, 0, 0, 0, 0, 0, 2});
  InferFigures(notes_, &writer_);  // notes_.ocr is false
  EXPECT_EQ(Get("applications.carried_over.total"), 1);
}

}  // namespace
}  // namespace gongkai

namespace gongkai {
namespace {

TEST_F(InferTest, OcrRowOutsideTheTemplateInfersNothingThere) {
  // A 2019 row in a 2021 report: its cells are in no sum and no template,
  // so its readings narrow nothing and nothing is inferred into them.
  OpenRow row;
  for (const ColumnSpec& c : ApplicantColumns())
    row.paths.push_back("applications.other_handled." + std::string(c.key));
  row.sources = {Span{}};
  OcrCandidate c(7);
  c[0].value = 2;
  c[0].source = 0;
  row.candidates.push_back(c);
  notes_.open_rows.push_back(row);
  notes_.ocr = true;
  Row("granted", {5, 2, 0, 0, 1, -1, 10});
  InferFigures(notes_, &writer_);
  EXPECT_FALSE(Get("applications.other_handled.natural_person"));
  EXPECT_EQ(Get("applications.granted.other_org"), 2);
}

TEST_F(InferTest, InferenceChainsAcrossSums) {
  // The row sum gives granted.total; the column sum then gives the lost
  // total_handled.natural_person, and its row the rest.
  Row("granted", {5, 0, 0, 0, 0, 0, -1});
  Row("new_received", {5, 0, 0, 0, 0, 0, 5});
  Row("carried_over", {0, 0, 0, 0, 0, 0, 0});
  Row("carried_forward", {0, 0, 0, 0, 0, 0, 0});
  InferFigures(notes_, &writer_);
  EXPECT_EQ(Get("applications.granted.total"), 5);
  EXPECT_EQ(Get("applications.total_handled.natural_person"), 5);
  EXPECT_EQ(Get("applications.total_handled.total"), 5);
  EXPECT_EQ(Get("applications.partially_granted.natural_person"), 0);
  EXPECT_TRUE(Inferred("applications.partially_granted.natural_person"));
  EXPECT_FALSE(Inferred("applications.granted.natural_person"));
}

}  // namespace
}  // namespace gongkai

namespace gongkai {
namespace {

class MisreadTest : public InferTest {
 protected:
  // new_received.legal_services read as 1 where the table's sums say 61;
  // new_received.commercial lost.
  void SetUp() override {
    InferTest::SetUp();
    Row("new_received", {3001, -1, 0, 0, 1, 4, 3119});
    Row("carried_over", {0, 0, 0, 0, 0, 0, 0});
    Row("total_handled", {3001, 53, 0, 0, 61, 4, 3119});
    Row("carried_forward", {0, 0, 0, 0, 0, 0, 0});
  }
  int Failed(const std::string& id, const std::string& scope) const {
    int n = 0;
    for (const v1::Check& c : report_.checks())
      n += !c.passed() && c.id() == id && c.scope() == scope;
    return n;
  }
};

TEST_F(MisreadTest, OcrFigureTheSumsContradictIsWithheldNotReplaced) {
  notes_.ocr = true;
  InferFigures(notes_, &writer_);
  // Its row and its column both put 61 there: the 1 is withheld, with the
  // two sums reported failed as read, and never replaced by 61.
  EXPECT_FALSE(Get("applications.new_received.legal_services"));
  EXPECT_EQ(Warnings("figure_contradicted"), 1);
  EXPECT_EQ(Failed("applications.row_total", "new_received"), 1);
  EXPECT_EQ(Failed("applications.balance", "legal_services"), 1);
  // Without it the sums settle: the lost cell follows from its column.
  EXPECT_EQ(Get("applications.new_received.commercial"), 53);
  EXPECT_TRUE(Inferred("applications.new_received.commercial"));
  // Figures no sum doubts stay as read.
  EXPECT_EQ(Get("applications.total_handled.legal_services"), 61);
  EXPECT_EQ(Get("applications.new_received.natural_person"), 3001);
}

TEST_F(MisreadTest, CleanTextFigureIsNeverWithheld) {
  InferFigures(notes_, &writer_);  // notes_.ocr is false
  EXPECT_EQ(Get("applications.new_received.legal_services"), 1);
  EXPECT_EQ(Warnings("figure_contradicted"), 0);
}

}  // namespace
}  // namespace gongkai

namespace gongkai {
namespace {

// An open OCR row over the applicant columns: `read` placed every way that
// keeps its order (a lost cell leaves its column unread).
OpenRow PlacedEveryWay(const std::string& row, std::vector<double> read) {
  OpenRow out;
  for (const ColumnSpec& c : ApplicantColumns())
    out.paths.push_back("applications." + row + "." + std::string(c.key));
  for (size_t i = 0; i < read.size(); ++i) out.sources.push_back(Span{});
  const size_t n = out.paths.size();
  // Every subset of `read.size()` columns, in order.
  for (unsigned mask = 0; mask < (1u << n); ++mask) {
    if (static_cast<size_t>(std::popcount(mask)) != read.size()) continue;
    OcrCandidate cand(n);
    size_t next = 0;
    for (size_t c = 0; c < n; ++c) {
      if (!(mask & (1u << c))) continue;
      cand[c].value = read[next];
      cand[c].source = static_cast<int>(next);
      ++next;
    }
    out.candidates.push_back(cand);
  }
  return out;
}

TEST_F(InferTest, OcrRowOfZerosShortOneIsZeroDespiteAMisreadElsewhere) {
  // Six zeros read of granted's seven cells: whichever OCR lost, the row's
  // own total makes it 0. A 9 misread into partially_granted's commercial
  // cell breaks the commercial column; that says nothing against granted's
  // reading, which stays (it used to be taken back with the column).
  const int bit = TemplateBit(v1::TEMPLATE_2021);
  for (const RowSpec& r : ApplicationRows()) {
    if (!r.outcome || !(r.templates & bit)) continue;
    if (r.key == "granted" || r.key == "partially_granted") continue;
    Row(std::string(r.key), {0, 0, 0, 0, 0, 0, 0});
  }
  Row("partially_granted", {0, 9, 0, 0, 0, 0, 0});
  Row("new_received", {0, 0, 0, 0, 0, 0, 0});
  Row("carried_over", {0, 0, 0, 0, 0, 0, 0});
  Row("carried_forward", {0, 0, 0, 0, 0, 0, 0});
  notes_.open_rows.push_back(PlacedEveryWay("granted", {0, 0, 0, 0, 0, 0}));
  notes_.ocr = true;
  InferFigures(notes_, &writer_);
  for (const ColumnSpec& c : ApplicantColumns()) {
    const std::string path = "applications.granted." + std::string(c.key);
    EXPECT_EQ(Get(path), 0) << path;
    EXPECT_TRUE(Inferred(path)) << path;
  }
  // The misread stays for the checks to show; nothing is put over it.
  EXPECT_EQ(Get("applications.partially_granted.commercial"), 9);
}

TEST_F(InferTest, OcrRowBalancedOnlyByALostCellIsNotSettledAlone) {
  // "3001 局 0 0 1 4 3119": the lost cell would take 113 by the row, but
  // the 1 is a misread 61 and the column says 53. A reading that balances
  // only with a lost cell's help does not vouch for itself: the column
  // breaks against it, so nothing is put there.
  Row("carried_over", {0, 0, 0, 0, 0, 0, 0});
  Row("total_handled", {3000, 53, 0, 0, 61, 4, 3118});
  Row("carried_forward", {1, 0, 0, 0, 0, 0, 1});
  OpenRow row;
  for (const ColumnSpec& c : ApplicantColumns())
    row.paths.push_back("applications.new_received." + std::string(c.key));
  row.sources = {Span{}};
  OcrCandidate cand(7);
  const double read[] = {3001, -1, 0, 0, 1, 4, 3119};
  for (size_t c = 0; c < 7; ++c) {
    if (read[c] >= 0) cand[c].value = read[c];
  }
  row.candidates.push_back(cand);
  notes_.open_rows.push_back(row);
  notes_.ocr = true;
  InferFigures(notes_, &writer_);
  EXPECT_NE(Get("applications.new_received.commercial"), 113);
}

}  // namespace
}  // namespace gongkai
