// The cross-checks of report-schema.md over the report's own figures. A
// check runs only where every figure it needs is present; one that cannot
// run is simply not reported.
#include "gongkai/check.h"

#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "evidence.h"
#include "labels.h"

namespace gongkai {
namespace {

struct Term {
  std::string path;
  double value;
};

// Reads every path; false if any is absent.
bool ReadAll(const v1::Report& r, const std::vector<std::string>& paths,
             std::vector<Term>* terms) {
  for (const std::string& p : paths) {
    double v;
    if (!GetFigure(r, p, &v)) return false;
    terms->push_back({p, v});
  }
  return true;
}

std::string Sum(const std::vector<Term>& terms, size_t b, size_t e) {
  std::vector<std::string> parts;
  for (size_t i = b; i < e; ++i) parts.push_back(absl::StrCat(terms[i].value));
  return absl::StrJoin(parts, " + ");
}

double Total(const std::vector<Term>& terms, size_t b, size_t e) {
  double s = 0;
  for (size_t i = b; i < e; ++i) s += terms[i].value;
  return s;
}

// Adds a check that terms[0, split) sums to terms[split, end).
void AddSumCheck(v1::Report* report, std::string_view id, std::string scope,
                 const std::vector<Term>& terms, size_t split) {
  double left = Total(terms, 0, split), right = Total(terms, split, terms.size());
  v1::Check* c = report->add_checks();
  c->set_id(std::string(id));
  c->set_scope(std::move(scope));
  c->set_passed(std::fabs(left - right) < 1e-6);
  for (const Term& t : terms) c->add_paths(t.path);
  c->set_detail(absl::StrCat(Sum(terms, 0, split), c->passed() ? " = " : " != ",
                             Sum(terms, split, terms.size())));
}

std::vector<std::string> TemplateApplicationRows(v1::Template t) {
  std::vector<std::string> rows;
  for (const RowSpec& r : ApplicationRows()) {
    if (r.templates & TemplateBit(t)) rows.push_back(std::string(r.key));
  }
  return rows;
}

}  // namespace

void RunChecks(v1::Report* report) {
  const v1::Template t = report->template_();
  if (TemplateBit(t) == 0) return;
  std::vector<std::string_view> applicants;
  for (const ColumnSpec& c : ApplicantColumns()) {
    if (c.key != "total") applicants.push_back(c.key);
  }

  // applications.row_total: the six applicant columns add up to total.
  for (const std::string& row : TemplateApplicationRows(t)) {
    std::vector<std::string> paths;
    for (std::string_view c : applicants)
      paths.push_back("applications." + row + "." + std::string(c));
    paths.push_back(absl::StrCat("applications.", row, ".total"));
    std::vector<Term> terms;
    if (ReadAll(*report, paths, &terms))
      AddSumCheck(report, "applications.row_total", row, terms,
                  terms.size() - 1);
  }

  std::vector<std::string_view> columns = applicants;
  columns.push_back("total");
  for (std::string_view col : columns) {
    auto path = [&](std::string_view row) {
      return "applications." + std::string(row) + "." + std::string(col);
    };
    // applications.balance: 一 + 二 = 三（七） + 四.
    std::vector<Term> terms;
    if (ReadAll(*report,
                {path("new_received"), path("carried_over"),
                 path("total_handled"), path("carried_forward")},
                &terms))
      AddSumCheck(report, "applications.balance", std::string(col), terms, 2);

    // applications.handled_sum: 三（七） = the sum of the outcome rows.
    std::vector<std::string> outcome_paths;
    for (const RowSpec& r : ApplicationRows()) {
      if (r.outcome && (r.templates & TemplateBit(t)))
        outcome_paths.push_back(path(r.key));
    }
    outcome_paths.push_back(path("total_handled"));
    terms.clear();
    if (ReadAll(*report, outcome_paths, &terms))
      AddSumCheck(report, "applications.handled_sum", std::string(col), terms,
                  terms.size() - 1);
  }

  // reviews.group_total: upheld + corrected + other + pending = total.
  for (std::string_view g : ReviewGroups()) {
    std::vector<std::string> paths;
    for (std::string_view c : ReviewColumns())
      paths.push_back("reviews." + std::string(g) + "." + std::string(c));
    std::vector<Term> terms;
    if (ReadAll(*report, paths, &terms))
      AddSumCheck(report, "reviews.group_total", std::string(g), terms,
                  terms.size() - 1);
  }
}

}  // namespace gongkai
