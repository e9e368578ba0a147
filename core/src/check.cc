// The cross-checks of report-schema.md over the report's own figures. A
// check runs only where every figure it needs is present; one that cannot
// run is simply not reported.
#include "gongkai/check.h"

#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "evidence.h"
#include "labels.h"

namespace gongkai {
namespace {

// Debian's absl::string_view is not std::string_view.
absl::string_view Av(std::string_view s) { return {s.data(), s.size()}; }

// One check a template can have: its id, scope and the figures it adds up
// (paths[0, split) against paths[split, end)), each resolved once.
struct CheckSpec {
  std::string_view id;
  std::string scope;
  std::vector<std::string> paths;
  std::vector<FigureRef> refs;
  size_t split = 0;
};

void AddSpec(std::vector<CheckSpec>* specs, std::string_view id,
             std::string scope, std::vector<std::string> paths, size_t split) {
  CheckSpec spec{id, std::move(scope), std::move(paths), {}, split};
  for (const std::string& p : spec.paths) {
    std::optional<FigureRef> ref = ResolveFigure(p);
    if (!ref) return;  // not in the contract: the check can never run
    spec.refs.push_back(*ref);
  }
  specs->push_back(std::move(spec));
}

// Every check of template t, in the order they are reported. Built once per
// template: building and looking up the path strings of every check for
// every report was over half of the checks' cost.
std::vector<CheckSpec> BuildSpecs(v1::Template t) {
  std::vector<CheckSpec> specs;
  std::vector<std::string_view> applicants;
  for (const ColumnSpec& c : ApplicantColumns()) {
    if (c.key != "total") applicants.push_back(c.key);
  }

  // applications.row_total: the six applicant columns add up to total.
  for (const RowSpec& r : ApplicationRows()) {
    if (!(r.templates & TemplateBit(t))) continue;
    std::string row(r.key);
    std::vector<std::string> paths;
    for (std::string_view c : applicants)
      paths.push_back(absl::StrCat("applications.", row, ".", Av(c)));
    paths.push_back(absl::StrCat("applications.", row, ".total"));
    size_t split = paths.size() - 1;
    AddSpec(&specs, "applications.row_total", row, std::move(paths), split);
  }

  std::vector<std::string_view> columns = applicants;
  columns.push_back("total");
  for (std::string_view col : columns) {
    auto path = [&](std::string_view row) {
      return absl::StrCat("applications.", Av(row), ".", Av(col));
    };
    // applications.balance: 一 + 二 = 三（七） + 四.
    AddSpec(&specs, "applications.balance", std::string(col),
            {path("new_received"), path("carried_over"), path("total_handled"),
             path("carried_forward")},
            2);

    // applications.handled_sum: 三（七） = the sum of the outcome rows.
    std::vector<std::string> outcome_paths;
    for (const RowSpec& r : ApplicationRows()) {
      if (r.outcome && (r.templates & TemplateBit(t)))
        outcome_paths.push_back(path(r.key));
    }
    outcome_paths.push_back(path("total_handled"));
    size_t split = outcome_paths.size() - 1;
    AddSpec(&specs, "applications.handled_sum", std::string(col),
            std::move(outcome_paths), split);
  }

  // reviews.group_total: upheld + corrected + other + pending = total.
  for (std::string_view g : ReviewGroups()) {
    std::vector<std::string> paths;
    for (std::string_view c : ReviewColumns())
      paths.push_back(absl::StrCat("reviews.", Av(g), ".", Av(c)));
    size_t split = paths.size() - 1;
    AddSpec(&specs, "reviews.group_total", std::string(g), std::move(paths),
            split);
  }
  return specs;
}

const std::vector<CheckSpec>& SpecsFor(v1::Template t) {
  static const auto* specs = [] {
    auto* out = new std::vector<std::vector<CheckSpec>>();
    for (int i = 0; i <= v1::Template_MAX; ++i) {
      out->push_back(v1::Template_IsValid(i)
                         ? BuildSpecs(static_cast<v1::Template>(i))
                         : std::vector<CheckSpec>());
    }
    return out;
  }();
  return (*specs)[t];
}

void AppendSum(const double* values, size_t b, size_t e, std::string* out) {
  for (size_t i = b; i < e; ++i) {
    if (i > b) out->append(" + ");
    absl::StrAppend(out, values[i]);
  }
}

}  // namespace

void RunChecks(v1::Report* report) {
  const v1::Template t = report->template_();
  if (TemplateBit(t) == 0 || t < 0 || t > v1::Template_MAX) return;
  std::vector<double> values;
  for (const CheckSpec& spec : SpecsFor(t)) {
    // A check runs only where every figure it adds is present.
    values.resize(spec.refs.size());
    bool all = true;
    for (size_t i = 0; i < spec.refs.size() && all; ++i) {
      all = GetFigure(*report, spec.refs[i], &values[i]);
    }
    if (!all) continue;
    double left = 0, right = 0;
    for (size_t i = 0; i < values.size(); ++i) {
      (i < spec.split ? left : right) += values[i];
    }
    v1::Check* c = report->add_checks();
    c->set_id(std::string(spec.id));
    c->set_scope(spec.scope);
    c->set_passed(std::fabs(left - right) < 1e-6);
    c->mutable_paths()->Reserve(static_cast<int>(spec.paths.size()));
    for (const std::string& p : spec.paths) c->add_paths(p);
    std::string detail;
    AppendSum(values.data(), 0, spec.split, &detail);
    detail.append(c->passed() ? " = " : " != ");
    AppendSum(values.data(), spec.split, values.size(), &detail);
    c->set_detail(std::move(detail));
  }
}

}  // namespace gongkai
