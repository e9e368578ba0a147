// Agency, year, published_on and contact details: read from the title, the
// signature, the contact sentence and the crawler's page header, by general
// rules about how these reports are written.
#include "document_fields.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "place_names.h"
#include "utf8.h"

namespace gongkai {
namespace {

// A line with its whitespace removed, and where each kept byte came from.
struct Compacted {
  std::string text;
  std::vector<size_t> at;  // at[i]: offset in the document of text[i]
  Span SpanOf(size_t b, size_t e) const {
    if (b >= e || e > at.size()) return {};
    return {at[b], at[e - 1] + 1};
  }
};

Compacted CompactRange(std::string_view doc, size_t begin, size_t end) {
  Compacted c;
  // Often the whole document: reserve rather than grow byte by byte.
  const size_t stop = std::min(end, doc.size());
  c.text.reserve(stop > begin ? stop - begin : 0);
  c.at.reserve(stop > begin ? stop - begin : 0);
  for (size_t i = begin; i < end && i < doc.size(); ++i) {
    char ch = doc[i];
    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') continue;
    c.text.push_back(ch);
    c.at.push_back(i);
  }
  return c;
}

struct Line {
  size_t begin, end;
};

std::vector<Line> NonEmptyLines(std::string_view text) {
  std::vector<Line> lines;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    bool blank = true;
    for (size_t i = pos; i < nl; ++i) {
      char c = text[i];
      if (c != ' ' && c != '\t' && c != '\r' && c != '|') {
        blank = false;
        break;
      }
    }
    if (!blank) lines.push_back({pos, nl});
    pos = nl + 1;
  }
  return lines;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads digits at s[i...]; returns how many.
size_t Digits(std::string_view s, size_t i, int* value) {
  size_t n = 0;
  int v = 0;
  while (i + n < s.size() && IsDigit(s[i + n]) && n < 9) {
    v = v * 10 + (s[i + n] - '0');
    ++n;
  }
  *value = v;
  return n;
}

struct Date {
  int y = 0, m = 0, d = 0;
  size_t begin = 0, end = 0;  // in the compacted text
};

bool Plausible(const Date& d) {
  return d.y >= 1990 && d.y <= 2100 && d.m >= 1 && d.m <= 12 && d.d >= 1 &&
         d.d <= 31;
}

// "2024年1月18日", "2024-01-18", "2024/1/18", "2024.01.18" at s[i].
std::optional<Date> DateAt(std::string_view s, size_t i) {
  Date d;
  d.begin = i;
  size_t n = Digits(s, i, &d.y);
  if (n != 4) return std::nullopt;
  i += n;
  auto sep = [&](std::string_view word) {
    if (s.substr(i, word.size()) == word) {
      i += word.size();
      return true;
    }
    return false;
  };
  bool cjk = sep("年");
  if (!cjk && !sep("-") && !sep("/") && !sep(".")) return std::nullopt;
  n = Digits(s, i, &d.m);
  if (n == 0 || n > 2) return std::nullopt;
  i += n;
  if (cjk ? !sep("月") : !(sep("-") || sep("/") || sep(".")))
    return std::nullopt;
  n = Digits(s, i, &d.d);
  if (n == 0 || n > 2) return std::nullopt;
  i += n;
  if (cjk && !sep("日")) return std::nullopt;
  d.end = i;
  if (!Plausible(d)) return std::nullopt;
  return d;
}

std::optional<Date> FindDate(std::string_view s, size_t from = 0) {
  for (size_t i = from; i + 4 <= s.size(); ++i) {
    if (IsDigit(s[i]) && (i == 0 || !IsDigit(s[i - 1]))) {
      if (auto d = DateAt(s, i)) return d;
    }
  }
  return std::nullopt;
}

// Is this plausibly the name of a government body (not a sentence)?
bool LooksLikeAgency(std::string_view s) {
  std::vector<char32_t> cps = DecodeUtf8(s);
  if (cps.size() < 2 || cps.size() > 40) return false;
  int cjk = 0;
  for (char32_t c : cps) {
    if (IsCjk(c)) ++cjk;
    if (c == U'，' || c == ',' || c == U'。' || c == ':' || c == ';')
      return false;
  }
  return cjk * 10 >= static_cast<int>(cps.size()) * 8;
}

// Strips a page-metadata label ("标题:") and brackets around a title part.
std::string_view StripLabel(std::string_view s) {
  size_t colon = s.rfind(':');
  if (colon != std::string_view::npos && colon <= 12) s = s.substr(colon + 1);
  return s;
}

class FieldReader {
 public:
  FieldReader(const NormalizedText& doc, ReportWriter* out, bool ocr)
      : doc_(doc),
        text_(doc.text),
        out_(out),
        lines_(NonEmptyLines(text_)),
        ocr_(ocr) {}

  void Run() {
    ReadTitle();
    ReadSignature();
    ReadContact();
    if (!agency_) ReadAgencyFromContactSentence();
    if (!year_) ReadYearFromPeriod();
    if (!published_) ReadPublishedFromMetadata();
  }

 private:
  Compacted LineAt(size_t i) const {
    return CompactRange(text_, lines_[i].begin, lines_[i].end);
  }

  void SetAgency(const Compacted& c, size_t b, size_t e) {
    std::string name = c.text.substr(b, e - b);
    if (agency_ || !LooksLikeAgency(name)) return;
    // OCR misreads characters: a place name the gazetteer lacks, one
    // similar character from one it holds, is restored, with a warning.
    std::optional<PlaceRepair> repair;
    if (ocr_) repair = RepairAgencyPlace(name);
    out_->SetField("agency", repair ? repair->name : name, c.SpanOf(b, e));
    if (repair) {
      out_->Warn("field_repaired", "agency",
                 absl::StrCat("OCR read the place name as ", repair->misread,
                              ", which no place is called; ", repair->place,
                              " differs by one similar character"),
                 c.SpanOf(b, e));
    }
    agency_ = true;
  }

  void SetYear(const Compacted& c, size_t b, int year) {
    if (year_ || year < 1990 || year > 2100) return;
    out_->SetField("year", year, c.SpanOf(b, b + 4));
    year_ = true;
  }

  // The title: "<agency><year>年(度)政府信息公开工作年度报告", possibly with
  // the agency on the line before or after the year.
  void ReadTitle() {
    size_t limit = std::min<size_t>(lines_.size(), 40);
    for (size_t i = 0; i < limit && !(agency_ && year_); ++i) {
      Compacted c = LineAt(i);
      size_t k = c.text.find("政府信息公开");
      if (k == std::string::npos) k = c.text.find("政务公开");
      if (k == std::string::npos ||
          c.text.find("报告", k) == std::string::npos || c.text.size() > 200)
        continue;
      std::string_view head(c.text.data(), k);
      size_t label_end = head.size() - StripLabel(head).size();
      // Heading markup of a converter ("# ", "****** ") is no part of it.
      while (label_end < head.size() &&
             std::string_view("#*=").find(head[label_end]) !=
                 std::string_view::npos)
        ++label_end;
      // The last "<4 digits>年" before 政府信息公开.
      size_t y = std::string::npos;
      for (size_t p = label_end; p + 4 < head.size() + 1; ++p) {
        int v;
        if (Digits(head, p, &v) == 4 && (p == 0 || !IsDigit(head[p - 1])) &&
            head.substr(p + 4, 3) == "年")
          y = p;
      }
      if (y == std::string::npos) continue;
      int year;
      Digits(head, y, &year);
      SetYear(c, y, year);
      size_t after = y + 4 + 3;
      if (head.substr(after, 3) == "度") after += 3;
      if (y > label_end) {
        SetAgency(c, label_end, y);
      } else if (after < head.size()) {
        SetAgency(c, after, head.size());
      } else if (i > 0) {
        Compacted prev = LineAt(i - 1);
        SetAgency(prev, 0, prev.text.size());
      }
    }
  }

  // The signature: the last lines hold "<agency>" and "<date>", or both on
  // one line.
  void ReadSignature() {
    size_t n = lines_.size();
    size_t first = n > 6 ? n - 6 : 0;
    for (size_t i = n; i-- > first;) {
      Compacted c = LineAt(i);
      if (c.text.size() > 120) continue;
      std::optional<Date> d = FindDate(c.text);
      if (!d || d->end != c.text.size()) continue;
      published_ = true;
      out_->SetField("published_on",
                     absl::StrFormat("%04d-%02d-%02d", d->y, d->m, d->d),
                     c.SpanOf(d->begin, d->end));
      if (d->begin > 0) {
        SetAgency(c, 0, d->begin);
      } else if (i > 0) {
        Compacted prev = LineAt(i - 1);
        SetAgency(prev, 0, prev.text.size());
      }
      return;
    }
  }

  // "请与<agency>办公室联系".
  void ReadAgencyFromContactSentence() {
    static constexpr std::string_view kOffices[] = {
        "办公室", "政务公开", "政府信息公开", "信息公开", "领导小组", "综合科"};
    size_t p = text_.find("请与");
    while (p != std::string_view::npos && !agency_) {
      size_t e = text_.find("联系", p);
      if (e == std::string_view::npos || e - p > 150) break;
      Compacted c = CompactRange(text_, p + 6, e);
      size_t cut = c.text.size();
      for (std::string_view o : kOffices) {
        size_t k = c.text.find(o);
        if (k != std::string::npos && k > 0) cut = std::min(cut, k);
      }
      SetAgency(c, 0, cut);
      p = text_.find("请与", e);
    }
  }

  // "统计期限自2024年1月1日起至2024年12月31日止".
  void ReadYearFromPeriod() {
    Compacted all =
        CompactRange(text_, 0, std::min<size_t>(text_.size(), 20000));
    for (size_t p = 0; (p = all.text.find("年1月1日", p)) != std::string::npos;
         ++p) {
      if (p < 4) continue;
      int year;
      if (Digits(all.text, p - 4, &year) == 4) {
        SetYear(all, p - 4, year);
        return;
      }
    }
  }

  // A crawler's page header: "发布时间: 2018-01-23 08:51".
  void ReadPublishedFromMetadata() {
    size_t limit = std::min<size_t>(lines_.size(), 15);
    for (size_t i = 0; i < limit; ++i) {
      Compacted c = LineAt(i);
      for (std::string_view label : {"发布时间:", "发布日期:", "成文日期:"}) {
        if (c.text.rfind(label, 0) != 0 || c.at.size() <= label.size())
          continue;
        // Read the date in the line itself: compacting ran it into the time
        // after it ("2018-01-23 08:51").
        if (std::optional<Date> d = DateAt(text_, c.at[label.size()])) {
          out_->SetField("published_on",
                         absl::StrFormat("%04d-%02d-%02d", d->y, d->m, d->d),
                         Span{d->begin, d->end});
          published_ = true;
          return;
        }
      }
    }
  }

  // The value after "<label>:" up to a separator, whitespace removed.
  // Returns its span in the compacted `c`.
  static std::optional<std::pair<size_t, size_t>> ValueAfter(
      const Compacted& c, std::string_view label, size_t max_bytes) {
    size_t k = c.text.find(label);
    if (k == std::string::npos) return std::nullopt;
    size_t b = k + label.size();
    if (c.text.substr(b, 1) == ":") ++b;
    size_t e = b;
    while (e < c.text.size() && e - b < max_bytes) {
      char ch = c.text[e];
      if (ch == ',' || ch == ';' || ch == ')' || ch == '(') break;
      std::string_view rest(c.text.data() + e, c.text.size() - e);
      if (rest.rfind("。", 0) == 0 || rest.rfind("、", 0) == 0 ||
          rest.rfind("电话", 0) == 0 || rest.rfind("邮编", 0) == 0 ||
          rest.rfind("邮政编码", 0) == 0 || rest.rfind("联系电话", 0) == 0)
        break;
      e += Utf8Length(static_cast<unsigned char>(ch));
    }
    if (e == b || e - b >= max_bytes) return std::nullopt;
    return std::make_pair(b, e);
  }

  void ReadContact() {
    // The contact block sits in the first part of most reports, or in a
    // closing paragraph: search the whole text, compacted (converters wrap
    // lines inside addresses and phone numbers).
    Compacted all = CompactRange(text_, 0, text_.size());
    if (auto v = ValueAfter(all, "地址:", 150)) {
      out_->SetField("contact.address",
                     all.text.substr(v->first, v->second - v->first),
                     all.SpanOf(v->first, v->second));
    }
    for (std::string_view label : {"联系电话", "电话", "咨询电话"}) {
      size_t k = all.text.find(label);
      if (k == std::string::npos) continue;
      size_t b = k + label.size();
      // "电话/传真:0591-...": one number for both.
      if (all.text.substr(b, 1) == "/") {
        size_t len = 0;
        for (int n = 0; n < 2 && b + 1 < all.text.size() &&
                        IsCjk(CodePointAt(all.text, b + 1, &len));
             ++n)
          b += len;
        ++b;
      }
      if (all.text.substr(b, 1) == ":") ++b;
      size_t e = b;
      int digits = 0;
      while (e < all.text.size() &&
             (IsDigit(all.text[e]) || all.text[e] == '-')) {
        digits += IsDigit(all.text[e]);
        ++e;
      }
      if (digits >= 5 && digits <= 16) {
        out_->SetField("contact.phone", all.text.substr(b, e - b),
                       all.SpanOf(b, e));
        break;
      }
    }
    for (std::string_view label : {"邮编", "邮政编码"}) {
      size_t k = all.text.find(label);
      if (k == std::string::npos) continue;
      size_t b = k + label.size();
      if (all.text.substr(b, 1) == ":") ++b;
      int v;
      if (Digits(all.text, b, &v) == 6) {
        out_->SetField("contact.postcode", all.text.substr(b, 6),
                       all.SpanOf(b, b + 6));
        break;
      }
    }
    ReadEmail(all);
    ReadWebsite(all);
  }

  void ReadEmail(const Compacted& all) {
    auto ok = [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) ||
             c == '.' || c == '_' || c == '-' || c == '+' || c == '%';
    };
    for (size_t at = all.text.find('@'); at != std::string::npos;
         at = all.text.find('@', at + 1)) {
      size_t b = at, e = at + 1;
      while (b > 0 && ok(all.text[b - 1])) --b;
      while (e < all.text.size() && ok(all.text[e])) ++e;
      while (e > at + 1 && all.text[e - 1] == '.') --e;
      std::string_view domain(all.text.data() + at + 1, e - at - 1);
      if (b == at || domain.find('.') == std::string_view::npos) continue;
      out_->SetField("contact.email", all.text.substr(b, e - b),
                     all.SpanOf(b, e));
      return;
    }
  }

  // The site named as 网站/网址, given right after the word.
  void ReadWebsite(const Compacted& all) {
    for (std::string_view word : {"网站", "网址"}) {
      for (size_t k = all.text.find(word); k != std::string::npos;
           k = all.text.find(word, k + 1)) {
        size_t b = k + word.size();
        std::string_view rest(all.text.data() + b,
                              std::min<size_t>(all.text.size() - b, 12));
        size_t u = rest.find("http");
        if (u == std::string_view::npos) u = rest.find("www.");
        if (u == std::string_view::npos) continue;
        b += u;
        size_t e = b;
        while (e < all.text.size()) {
          char c = all.text[e];
          if (c == ')' || c == '(' || c == ',' || c == ';' || c == '"' ||
              c == '\'' || c == '<' || c == '>' ||
              static_cast<unsigned char>(c) >= 0x80)
            break;
          ++e;
        }
        if (e - b < 8) continue;
        out_->SetField("contact.website", all.text.substr(b, e - b),
                       all.SpanOf(b, e));
        return;
      }
    }
  }

  const NormalizedText& doc_;
  std::string_view text_;
  ReportWriter* out_;
  std::vector<Line> lines_;
  bool ocr_;
  bool agency_ = false, year_ = false, published_ = false;
};

}  // namespace

void ReadDocumentFields(const NormalizedText& doc, const Layout& layout,
                        ReportWriter* out) {
  FieldReader(doc, out, layout.ocr).Run();
}

}  // namespace gongkai
