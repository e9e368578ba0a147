// Setting report values by contract path, with evidence into the caller's
// bytes (see evidence.h).
#include "evidence.h"

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace gongkai {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

}  // namespace

// A contract path as fields from the Report down, with the reflection of
// the message holding each (looked up once: every GetReflection() call goes
// through protobuf's descriptor-assignment once-flag).
struct FieldPath {
  std::vector<const FieldDescriptor*> fields;
  std::vector<const google::protobuf::Reflection*> reflections;
};

namespace {

// Transparent, so a lookup by string_view builds no std::string.
struct PathHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const {
    return std::hash<std::string_view>()(s);
  }
};
using PathMap =
    std::unordered_map<std::string, FieldPath, PathHash, std::equal_to<>>;

// Every contract path of the Report ("applications.granted.total", and the
// messages on the way), read from the descriptor once. Paths are resolved
// for every figure read or written -- inference and the checks read each
// figure many times -- and splitting the path and looking each name up was
// most of the pipeline's CPU time.
const PathMap& ContractPaths() {
  static const auto* paths = [] {
    auto* out = new PathMap();
    FieldPath at;
    auto walk = [&](auto& self, const google::protobuf::Descriptor* d,
                    const std::string& prefix) -> void {
      if (at.fields.size() > 8) return;  // the contract is shallow
      const google::protobuf::Reflection* r =
          google::protobuf::MessageFactory::generated_factory()
              ->GetPrototype(d)
              ->GetReflection();
      for (int i = 0; i < d->field_count(); ++i) {
        const FieldDescriptor* f = d->field(i);
        if (f->is_repeated()) continue;
        std::string name =
            prefix.empty() ? f->name() : prefix + "." + f->name();
        at.fields.push_back(f);
        at.reflections.push_back(r);
        (*out)[name] = at;
        if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
          self(self, f->message_type(), name);
        }
        at.fields.pop_back();
        at.reflections.pop_back();
      }
    };
    walk(walk, v1::Report::descriptor(), "");
    return out;
  }();
  return *paths;
}

// Walks to the message holding the last path element; creates submessages
// when `create`. Returns null if any element is not in the contract.
const FieldDescriptor* Resolve(Message* root, const std::string& path,
                               bool create, Message** holder) {
  if (root->GetDescriptor() == v1::Report::descriptor()) {
    const auto& paths = ContractPaths();
    auto it = paths.find(path);
    if (it == paths.end()) return nullptr;
    const FieldPath& p = it->second;
    Message* m = root;
    for (size_t i = 0; i + 1 < p.fields.size(); ++i) {
      const auto* r = p.reflections[i];
      if (!create && !r->HasField(*m, p.fields[i])) return nullptr;
      m = r->MutableMessage(m, p.fields[i]);
    }
    *holder = m;
    return p.fields.back();
  }
  std::vector<std::string> parts = absl::StrSplit(path, '.');
  Message* m = root;
  for (size_t i = 0; i < parts.size(); ++i) {
    const FieldDescriptor* f =
        m->GetDescriptor()->FindFieldByName(parts[i]);
    if (f == nullptr || f->is_repeated()) return nullptr;
    if (i + 1 == parts.size()) {
      *holder = m;
      return f;
    }
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) return nullptr;
    if (!create && !m->GetReflection()->HasField(*m, f)) return nullptr;
    m = m->GetReflection()->MutableMessage(m, f);
  }
  return nullptr;
}

}  // namespace

bool ReportWriter::SetFigure(const std::string& path, double value, Span span,
                             bool inferred) {
  Message* holder = nullptr;
  const FieldDescriptor* f = Resolve(report_, path, true, &holder);
  if (f == nullptr) return false;
  const auto* r = holder->GetReflection();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      if (!(std::fabs(value) <= std::numeric_limits<int32_t>::max()))
        return false;  // no real figure is this large: a misreading
      r->SetInt32(holder, f, static_cast<int32_t>(std::llround(value)));
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      r->SetDouble(holder, f, value);
      break;
    default:
      return false;
  }
  AddEvidence(path, span, inferred);
  return true;
}

bool ReportWriter::HasFigure(const std::string& path) const {
  double unused;
  return GetFigure(*report_, path, &unused);
}

bool ReportWriter::ClearFigure(const std::string& path) {
  if (!HasFigure(path)) return false;
  Message* holder = nullptr;
  const FieldDescriptor* f = Resolve(report_, path, false, &holder);
  if (f == nullptr) return false;
  holder->GetReflection()->ClearField(holder, f);
  auto* evidence = report_->mutable_evidence();
  for (int i = evidence->size() - 1; i >= 0; --i) {
    if (evidence->Get(i).path() == path) evidence->DeleteSubrange(i, 1);
  }
  return true;
}

bool ReportWriter::SetField(const std::string& path, const std::string& value,
                            Span span) {
  Message* holder = nullptr;
  const FieldDescriptor* f = Resolve(report_, path, true, &holder);
  if (f == nullptr || f->cpp_type() != FieldDescriptor::CPPTYPE_STRING)
    return false;
  holder->GetReflection()->SetString(holder, f, value);
  AddEvidence(path, span);
  return true;
}

bool ReportWriter::SetField(const std::string& path, int value, Span span) {
  Message* holder = nullptr;
  const FieldDescriptor* f = Resolve(report_, path, true, &holder);
  if (f == nullptr || f->cpp_type() != FieldDescriptor::CPPTYPE_INT32)
    return false;
  holder->GetReflection()->SetInt32(holder, f, value);
  AddEvidence(path, span);
  return true;
}

void ReportWriter::AddEvidence(const std::string& path, Span span,
                               bool inferred) {
  v1::Evidence* e = report_->add_evidence();
  e->set_path(path);
  e->set_inferred(inferred);
  if (span.end <= span.begin || doc_.origin.empty()) return;
  auto [b, en] = doc_.OriginalSpan(span.begin, span.end);
  if (en > original_.size()) en = original_.size();
  if (b > en) b = en;
  e->set_begin(b);
  e->set_end(en);
  // The caller's own bytes when they are UTF-8; otherwise (GBK, UTF-16...)
  // the normalized slice, since the field must hold UTF-8.
  if (doc_.charset == "UTF-8") {
    e->set_text(std::string(original_.substr(b, en - b)));
  } else {
    e->set_text(doc_.text.substr(span.begin, span.end - span.begin));
  }
}

void ReportWriter::Warn(std::string code, std::string path,
                        std::string message, Span span) {
  v1::Warning* w = report_->add_warnings();
  w->set_code(std::move(code));
  w->set_path(std::move(path));
  w->set_message(std::move(message));
  if (span.end > span.begin && !doc_.origin.empty()) {
    auto [b, e] = doc_.OriginalSpan(span.begin, span.end);
    w->set_begin(b);
    w->set_end(e);
  }
}

std::optional<FigureRef> ResolveFigure(absl::string_view path) {
  const PathMap& paths = ContractPaths();
  auto it = paths.find(std::string_view(path.data(), path.size()));
  if (it == paths.end()) return std::nullopt;
  return FigureRef(&it->second);
}

bool GetFigure(const v1::Report& report, FigureRef ref, double* value) {
  // Read-only walk: an unset submessage reads as its default instance, in
  // which the figure is unset too, so only the last field needs HasField
  // (this runs ~1000 times per document, from inference and the checks).
  const FieldPath& p = *ref.path_;
  const Message* holder = &report;
  for (size_t i = 0; i + 1 < p.fields.size(); ++i) {
    holder = &p.reflections[i]->GetMessage(*holder, p.fields[i]);
  }
  const FieldDescriptor* f = p.fields.back();
  const auto* r = p.reflections.back();
  if (!r->HasField(*holder, f)) return false;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      *value = static_cast<double>(r->GetInt32(*holder, f));
      return true;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      *value = r->GetDouble(*holder, f);
      return true;
    default:
      return false;
  }
}

bool GetFigure(const v1::Report& report, const std::string& path,
               double* value) {
  std::optional<FigureRef> ref = ResolveFigure(path);
  return ref && GetFigure(report, *ref, value);
}

}  // namespace gongkai
