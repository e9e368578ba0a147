// Unit tests for Normalize(): charsets, NFKC, Traditional -> Simplified,
// pinyin annotations, line endings, and the map back to the caller's bytes.
#include "gongkai/normalize.h"

#include <unicode/ucnv.h>
#include <unicode/ustring.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "normalize_mapped.h"
#include "normalize_pinyin.h"
#include "normalize_t2s.h"

namespace gongkai {
namespace {

using normalize_internal::DecodeAt;
using normalize_internal::IsTonedPinyinSyllable;
using normalize_internal::T2S;
using ::testing::HasSubstr;

std::string Norm(absl::string_view s) {
  absl::StatusOr<NormalizedText> t = Normalize(s);
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? t->text : "<error>";
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Encodes UTF-8 text in `charset` with ICU (the test's own GBK/UTF-16).
std::string Encode(absl::string_view utf8, const char* charset) {
  UErrorCode ec = U_ZERO_ERROR;
  std::u16string u(utf8.size() + 1, u'\0');
  int32_t len = 0;
  u_strFromUTF8(u.data(), static_cast<int32_t>(u.size()), &len, utf8.data(),
                static_cast<int32_t>(utf8.size()), &ec);
  EXPECT_TRUE(U_SUCCESS(ec)) << u_errorName(ec);
  std::string out(utf8.size() * 4 + 8, '\0');
  const int32_t n = ucnv_convert(charset, "UTF-16LE", out.data(),
                                 static_cast<int32_t>(out.size()),
                                 reinterpret_cast<const char*>(u.data()),
                                 len * 2, &ec);
  EXPECT_TRUE(U_SUCCESS(ec)) << u_errorName(ec);
  out.resize(n);
  return out;
}

// Decodes bytes in `charset` to UTF-8 (to read slices of non-UTF-8 input).
std::string Decode(absl::string_view bytes, const char* charset) {
  UErrorCode ec = U_ZERO_ERROR;
  std::string out(bytes.size() * 4 + 8, '\0');
  const int32_t n = ucnv_convert("UTF-8", charset, out.data(),
                                 static_cast<int32_t>(out.size()),
                                 bytes.data(),
                                 static_cast<int32_t>(bytes.size()), &ec);
  EXPECT_TRUE(U_SUCCESS(ec)) << u_errorName(ec);
  out.resize(std::max(n, 0));
  return out;
}

// Checks the map on every normalized character: its original span is a
// non-empty run of whole characters, in order, and reading that run alone
// gives the same character back (or, for T->S inside a phrase, another
// ideograph: 乾 in 乾隆 is 乾 but alone it is 干).
void CheckCharacterMap(absl::string_view original, const NormalizedText& t,
                       const char* charset = "UTF-8") {
  ASSERT_EQ(t.origin.size(), t.text.size() + 1);
  EXPECT_EQ(t.origin.back(), original.size());
  EXPECT_TRUE(std::is_sorted(t.origin.begin(), t.origin.end()));
  EXPECT_TRUE(std::is_sorted(t.dropped.begin(), t.dropped.end()));
  size_t prev_end = 0;
  int mismatches = 0;
  for (size_t i = 0, len = 0; i < t.text.size(); i += len) {
    const char32_t c = DecodeAt(t.text.data(), t.text.size(), i, &len);
    const auto [b, e] = t.OriginalSpan(i, i + len);
    ASSERT_LT(b, e) << "at normalized byte " << i;
    ASSERT_LE(e, original.size());
    EXPECT_GE(b + 0, std::min(prev_end, static_cast<size_t>(b)));
    prev_end = e;
    std::string slice(original.substr(b, e - b));
    if (std::string(charset) != "UTF-8") slice = Decode(slice, charset);
    if (slice == "\r\n" || slice == "\r") slice = "\n";
    const std::string alone = t.text.substr(i, len);
    absl::StatusOr<NormalizedText> again = Normalize(slice);
    if (c == ' ' || c == '\t' || c == '\n') continue;  // alone: "empty"
    ASSERT_TRUE(again.ok()) << again.status() << " for " << slice;
    if (again->text == alone) continue;
    size_t l1 = 0;
    const bool ideograph_pair =
        normalize_internal::IsCjkIdeograph(c) && !again->text.empty() &&
        normalize_internal::IsCjkIdeograph(DecodeAt(
            again->text.data(), again->text.size(), 0, &l1));
    EXPECT_TRUE(ideograph_pair || again->text.find(alone) != std::string::npos)
        << "normalized '" << alone << "' at " << i << " maps to '" << slice
        << "' which normalizes to '" << again->text << "'";
    if (++mismatches > 20) return;
  }
}

// Checks the map line by line: each normalized line's original span,
// normalized on its own, gives the line back.
void CheckLineMap(absl::string_view original, const NormalizedText& t) {
  size_t start = 0;
  int lines = 0, failures = 0;
  while (start < t.text.size()) {
    size_t nl = t.text.find('\n', start);
    if (nl == std::string::npos) nl = t.text.size();
    const std::string line = t.text.substr(start, nl - start);
    const auto [b, e] = t.OriginalSpan(start, nl);
    start = nl + 1;
    if (line.find_first_not_of(" \t\f\v") == std::string::npos) continue;
    ++lines;
    absl::StatusOr<NormalizedText> again = Normalize(original.substr(b, e - b));
    ASSERT_TRUE(again.ok()) << again.status();
    if (again->text != line) {
      ADD_FAILURE() << "line '" << line << "' maps to '"
                    << original.substr(b, e - b) << "' -> '" << again->text
                    << "'";
      if (++failures > 5) return;
    }
  }
  EXPECT_GT(lines, 0);
}

TEST(Normalize, FullWidthAndIdeographicSpace) {
  EXPECT_EQ(Norm("２０２４年（一）：，；！"), "2024年(一):,;!");
  EXPECT_EQ(Norm("\u3000\u3000本年度"), "  本年度");
  EXPECT_EQ(Norm("ＡＢＣ　ｄｅｆ"), "ABC def");
  // A combining sequence is composed and maps to both of its characters.
  absl::StatusOr<NormalizedText> t = Normalize("e\xCC\x81!");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->text, "\xC3\xA9!");
  EXPECT_EQ(t->OriginalSpan(0, 2), std::make_pair(size_t{0}, size_t{3}));
  EXPECT_EQ(t->OriginalSpan(2, 3), std::make_pair(size_t{3}, size_t{4}));
}

TEST(Normalize, FullWidthOffsetsPointAtTheOriginalCharacters) {
  const std::string in = "（一）１２";
  absl::StatusOr<NormalizedText> t = Normalize(in);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->text, "(一)12");
  EXPECT_EQ(t->OriginalSpan(0, 1), std::make_pair(size_t{0}, size_t{3}));
  EXPECT_EQ(t->OriginalSpan(1, 4), std::make_pair(size_t{3}, size_t{6}));
  EXPECT_EQ(t->OriginalSpan(4, 6), std::make_pair(size_t{6}, size_t{12}));
  EXPECT_EQ(t->OriginalSpan(0, t->text.size()),
            std::make_pair(size_t{0}, in.size()));
  CheckCharacterMap(in, *t);
}

TEST(Normalize, TraditionalToSimplified) {
  EXPECT_EQ(Norm("樟樹市衛生健康委員會"), "樟树市卫生健康委员会");
  EXPECT_EQ(Norm("政府信息公開工作年度報告"), "政府信息公开工作年度报告");
  // Phrases OpenCC knows keep 乾, where 乾 alone is 干.
  EXPECT_EQ(Norm("乾隆年間的檔案"), "乾隆年间的档案");
  EXPECT_EQ(Norm("乾縣衛生健康局"), "乾县卫生健康局");
  EXPECT_EQ(Norm("衣服已經乾了"), "衣服已经干了");
  // Already Simplified text is left alone, 乾 included.
  EXPECT_EQ(Norm("乾县卫生健康局"), "乾县卫生健康局");
  EXPECT_EQ(Norm("乾隆年间的档案"), "乾隆年间的档案");
  EXPECT_EQ(Norm("湘乡市卫生健康局"), "湘乡市卫生健康局");
  // A Traditional phrase whose characters alone would not change.
  EXPECT_EQ(Norm("以此為藉口"), "以此为借口");
}

TEST(Normalize, TraditionalOffsetsAreExact) {
  const std::string in = "乾隆年間,衛生局";
  absl::StatusOr<NormalizedText> t = Normalize(in);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->text, "乾隆年间,卫生局");
  // Same number of characters: every character maps to its own original.
  for (size_t i = 0; i < t->text.size();) {
    size_t len;
    DecodeAt(t->text.data(), t->text.size(), i, &len);
    const auto [b, e] = t->OriginalSpan(i, i + len);
    EXPECT_EQ(b, t->origin[i]);
    EXPECT_EQ(e - b, len == 1 ? 1u : 3u);
    i += len;
  }
  EXPECT_EQ(in.substr(t->OriginalSpan(9, 12).first, 3), "間");
}

TEST(Normalize, AgreesWithOpenCc) {
  absl::StatusOr<const T2S*> t2s = T2S::Get();
  ASSERT_TRUE(t2s.ok()) << t2s.status();
  std::printf("[info] t2s tables loaded in %.2f ms\n", (*t2s)->load_ms());
  for (const char* s :
       {"樟樹市衛生健康委員會辦公室聯繫", "乾隆年間乾坤乾淨乾燥", "以此為藉口瞭解情況",
        "頭髮理髮髮型", "計畫與籌畫", "於是他們覆信", "鍾繇和錢鍾書"}) {
    EXPECT_EQ((*t2s)->ConvertString(s, T2S::Script::kTraditional),
              (*t2s)->OpenCcReference(s))
        << s;
  }
  const std::filesystem::path dir =
      std::filesystem::path(GONGKAI_CORPUS_DIR) / "seeds" / "input";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << dir << " is missing";
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    const std::string text = ReadFile(f.path());
    EXPECT_EQ((*t2s)->ConvertString(text, T2S::Script::kTraditional),
              (*t2s)->OpenCcReference(text))
        << f.path();
  }
}

TEST(Pinyin, Syllables) {
  for (const char* s : {"wèi", "guān", "shù", "zhuàng", "lüè", "nǚ", "bào",
                        "yù", "ér", "jié", "wǎng", "Wèi"}) {
    EXPECT_TRUE(IsTonedPinyinSyllable(s)) << s;
  }
  for (const char* s : {"wei", "a", "an", "cn", "http", "", "zhuàngg",
                        "xyzà", "2019", "一", "wèi shēng", "ā1"}) {
    EXPECT_FALSE(IsTonedPinyinSyllable(s)) << s;
  }
}

TEST(Pinyin, AnnotationsAfterCharactersAreRemoved) {
  EXPECT_EQ(Norm("衛(wèi)生"), "卫生");
  EXPECT_EQ(Norm("機關(guān)"), "机关");
  EXPECT_EQ(Norm("統(tǒng)計數(shù)據(jù)"), "统计数据");
  // Nested inside a parenthesis that stays.
  EXPECT_EQ(Norm("(國務(wù)院令第711號,以下簡稱新《條例》)"),
            "(国务院令第711号,以下简称新《条例》)");
  // Full-width parentheses become ASCII first.
  EXPECT_EQ(Norm("衛（wèi）生"), "卫生");
}

TEST(Pinyin, OtherParenthesesStay) {
  EXPECT_EQ(Norm("人民政府網(wǎng)站(http://www.qqqwwww.cn)下載"),
            "人民政府网站(http://www.qqqwwww.cn)下载");
  EXPECT_EQ(Norm("電子郵箱:(xjbzwjw@126.com)。"),
            "电子邮箱:(xjbzwjw@126.com)。");
  EXPECT_EQ(Norm("公開(一)主動"), "公开(一)主动");
  EXPECT_EQ(Norm("年度(2019)"), "年度(2019)");
  EXPECT_EQ(Norm("金額(單位:萬元)"), "金额(单位:万元)");
  EXPECT_EQ(Norm("字(a)與(an)"), "字(a)与(an)");
  // Not after an ideograph.
  EXPECT_EQ(Norm("x(wèi) (wèi)"), "x(wèi) (wèi)");
}

TEST(Pinyin, RemovedAnnotationIsNotPartOfTheCharactersSpan) {
  const std::string in = "衛(wèi)生";
  absl::StatusOr<NormalizedText> t = Normalize(in);
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->text, "卫生");
  EXPECT_EQ(t->OriginalSpan(0, 3), std::make_pair(size_t{0}, size_t{3}));
  EXPECT_EQ(t->OriginalSpan(3, 6),
            std::make_pair(in.size() - 3, in.size()));
  EXPECT_EQ(t->OriginalSpan(0, 6), std::make_pair(size_t{0}, in.size()));
  CheckCharacterMap(in, *t);
}

TEST(Normalize, LineEndingsTabsAndSpaces) {
  const std::string in = "a\r\nb\t\tc   d\re\n";
  absl::StatusOr<NormalizedText> t = Normalize(in);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->text, "a\nb\t\tc   d\ne\n");
  EXPECT_EQ(t->origin[1], 2u);  // the \n of \r\n
  EXPECT_EQ(t->OriginalSpan(0, 1), std::make_pair(size_t{0}, size_t{1}));
  EXPECT_EQ(t->OriginalSpan(1, 2), std::make_pair(size_t{2}, size_t{3}));
  CheckCharacterMap(in, *t);
}

TEST(Normalize, BomAndStrayNuls) {
  absl::StatusOr<NormalizedText> t = Normalize(std::string("\xEF\xBB\xBF" "ab\0c", 7));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->text, "abc");
  EXPECT_EQ(t->origin[0], 3u);
  EXPECT_EQ(t->OriginalSpan(1, 2), std::make_pair(size_t{4}, size_t{5}));
  EXPECT_EQ(t->OriginalSpan(2, 3), std::make_pair(size_t{6}, size_t{7}));
}

TEST(Normalize, OriginalSpanClampsBadInput) {
  absl::StatusOr<NormalizedText> t = Normalize("衛生abc");
  ASSERT_TRUE(t.ok());
  const size_t n = t->text.size();
  EXPECT_EQ(t->OriginalSpan(n + 5, n + 10),
            std::make_pair(size_t{9}, size_t{9}));
  EXPECT_EQ(t->OriginalSpan(4, 2), std::make_pair(size_t{0}, size_t{0}));
  auto [b, e] = t->OriginalSpan(1, 1000);
  EXPECT_EQ(b, 0u);
  EXPECT_EQ(e, 9u);
  NormalizedText empty;
  EXPECT_EQ(empty.OriginalSpan(0, 10), std::make_pair(size_t{0}, size_t{0}));
}

TEST(Charset, Gbk) {
  const std::string utf8 =
      "樟树市卫生健康委员会2024年政府信息公开工作年度报告\n"
      "本报告依据《中华人民共和国政府信息公开条例》要求编制。"
      "本年度主动公开政府信息222条,行政许可1347件。\n";
  const std::string gbk = Encode(utf8, "GBK");
  ASSERT_NE(gbk, utf8);
  absl::StatusOr<NormalizedText> t = Normalize(gbk);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->charset, "GB18030");
  EXPECT_EQ(t->text, utf8);
  EXPECT_EQ(t->origin.back(), gbk.size());
  // 卫 is the 4th character: bytes 6..8 of the GBK input.
  EXPECT_EQ(t->OriginalSpan(9, 12), std::make_pair(size_t{6}, size_t{8}));
  CheckCharacterMap(gbk, *t, "GB18030");
}

TEST(Charset, GbkTraditionalWithPinyin) {
  const std::string utf8 = "樟樹市衛(wèi)生健康委員會,行政許可1347件。";
  const std::string gbk = Encode(utf8, "GB18030");
  absl::StatusOr<NormalizedText> t = Normalize(gbk);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->charset, "GB18030");
  EXPECT_EQ(t->text, "樟树市卫生健康委员会,行政许可1347件。");
  EXPECT_EQ(Decode(gbk.substr(t->OriginalSpan(9, 12).first, 2), "GB18030"),
            "衛");
  CheckCharacterMap(gbk, *t, "GB18030");
}

TEST(Charset, Big5) {
  const std::string utf8 =
      "樟樹市衛生健康委員會2024年政府信息公開工作年度報告\n"
      "本報告依據《中華人民共和國政府信息公開條例》要求,由市衛健委結合"
      "樟樹市人民政府網站、樟樹市政府信息公開平臺等有關統計數據編制。"
      "本年度報告中所列數據的統計期限自2024年1月1日起至2024年12月31日止。\n";
  const std::string big5 = Encode(utf8, "Big5");
  absl::StatusOr<NormalizedText> t = Normalize(big5);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->charset, "Big5");
  EXPECT_THAT(t->text, HasSubstr("樟树市卫生健康委员会2024年"));
  CheckCharacterMap(big5, *t, "Big5");
}

TEST(Charset, HtmlMetaDeclaresGbk) {
  const std::string utf8 =
      "<html><head><meta http-equiv=\"Content-Type\" "
      "content=\"text/html; charset=gbk\"></head><body>卫生健康</body></html>";
  absl::StatusOr<NormalizedText> t = Normalize(Encode(utf8, "GBK"));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->charset, "GB18030");
  EXPECT_EQ(t->text, utf8);
}

TEST(Charset, Utf16LeWithBom) {
  const std::string utf8 = "衛生健康委員會\r\n２０２４年\n";
  const std::string bytes = "\xFF\xFE" + Encode(utf8, "UTF-16LE");
  absl::StatusOr<NormalizedText> t = Normalize(bytes);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->charset, "UTF-16LE");
  EXPECT_EQ(t->text, "卫生健康委员会\n2024年\n");
  EXPECT_EQ(t->origin[0], 2u);
  EXPECT_EQ(t->OriginalSpan(0, 3), std::make_pair(size_t{2}, size_t{4}));
  CheckCharacterMap(bytes, *t, "UTF-16LE");
}

TEST(Charset, Utf16BeWithBom) {
  const std::string bytes = "\xFE\xFF" + Encode("年度報告", "UTF-16BE");
  absl::StatusOr<NormalizedText> t = Normalize(bytes);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->charset, "UTF-16BE");
  EXPECT_EQ(t->text, "年度报告");
}

TEST(Charset, Utf16LeWithoutBom) {
  const std::string utf8 =
      "湘乡市卫生健康局2023年政府信息公开工作年度报告\n"
      "一、总体情况\n2023年,行政许可312件,行政处罚46件。\n";
  absl::StatusOr<NormalizedText> t = Normalize(Encode(utf8, "UTF-16LE"));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->charset, "UTF-16LE");
  EXPECT_EQ(t->text, utf8);
}

TEST(Charset, ShortGbk) {
  absl::StatusOr<NormalizedText> t = Normalize(Encode("卫生健康局", "GBK"));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->charset, "GB18030");
  EXPECT_EQ(t->text, "卫生健康局");
}

TEST(Charset, TruncatedLastCharacterIsDropped) {
  std::string in = "卫生健康";
  in.pop_back();
  absl::StatusOr<NormalizedText> t = Normalize(in);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->text, "卫生健");
  EXPECT_EQ(t->OriginalSpan(6, 9), std::make_pair(size_t{6}, size_t{9}));
}

TEST(Charset, InvalidBytesAreRefusedWithTheirOffset) {
  absl::StatusOr<NormalizedText> t = Normalize("hello world \xFF\xFF\xFF!");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("first bad byte at offset 12"));
  EXPECT_THAT(t.status().message(), HasSubstr("GB18030/Big5/UTF-16"));

  // One damaged byte in UTF-8 Chinese is not read as GBK mojibake.
  std::string damaged;
  for (int i = 0; i < 20; ++i) damaged += "卫生健康委员会政府信息公开工作年度报告";
  damaged.insert(300, "\xFF");
  t = Normalize(damaged);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("first bad byte at offset 300"));
  damaged.erase(300, 1);
  damaged.insert(301, "\xFF");  // inside a character
  t = Normalize(damaged);
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("first bad byte at offset 300"));

  std::mt19937 rng(42);
  for (int round = 0; round < 20; ++round) {
    std::string junk(500 + round * 100, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    absl::StatusOr<NormalizedText> r = Normalize(junk);
    ASSERT_FALSE(r.ok()) << "round " << round;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr("offset"));
  }
}

TEST(Charset, BinaryFilesAreRefused) {
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0", 20);
  absl::StatusOr<NormalizedText> t = Normalize(png);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("PNG"));

  t = Normalize("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj");
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("PDF"));

  // NULs in bulk, even though NUL is valid UTF-8.
  std::string nuls = "text";
  nuls.append(200, '\0');
  nuls += "more text";
  t = Normalize(nuls);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("binary"));
}

TEST(Normalize, EmptyDocuments) {
  for (const std::string& s :
       {std::string(), std::string("   \n\t\r\n"), std::string("\xEF\xBB\xBF"),
        std::string("\u3000\u3000\n"), std::string("\xFF\xFE")}) {
    absl::StatusOr<NormalizedText> t = Normalize(s);
    ASSERT_FALSE(t.ok()) << s;
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(t.status().message(), HasSubstr("empty document"));
  }
}

TEST(Normalize, OverTheSizeLimit) {
  NormalizeOptions options;
  options.max_bytes = 10;
  absl::StatusOr<NormalizedText> t = Normalize("01234567890", options);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(t.status().message(), HasSubstr("11 bytes"));
  EXPECT_THAT(t.status().message(), HasSubstr("10 bytes"));
  EXPECT_TRUE(Normalize("0123456789", options).ok());
}

TEST(Normalize, LongLinesAndLargeDocuments) {
  // Longer than a working chunk, with and without line breaks.
  std::string line;
  for (int i = 0; i < 30000; ++i) line += i % 7 ? "衛(wèi)生" : "１ ";
  absl::StatusOr<NormalizedText> t = Normalize(line);
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(absl::StrContains(t->text, "wèi"));
  EXPECT_FALSE(absl::StrContains(t->text, "衛"));
  CheckCharacterMap(line, *t);
  std::string lines;
  for (int i = 0; i < 5000; ++i) lines += "統計數據(jù)\t１２３\r\n";
  t = Normalize(lines);
  ASSERT_TRUE(t.ok());
  CheckLineMap(lines, *t);
}

TEST(Normalize, DocumentsOfMegabytesMapLikeTheirParts) {
  // Over 8 MB, where the text and offset map get huge-page advice: the
  // result must be exactly the small document's, repeated.
  const std::string unit = "統計數據(jù)\t１２３\r\n";
  absl::StatusOr<NormalizedText> small = Normalize(unit);
  ASSERT_TRUE(small.ok());
  const size_t copies = (9u << 20) / unit.size() + 1;
  std::string big;
  big.reserve(copies * unit.size());
  for (size_t i = 0; i < copies; ++i) big += unit;
  absl::StatusOr<NormalizedText> t = Normalize(big);
  ASSERT_TRUE(t.ok());
  const size_t n = small->text.size();
  ASSERT_EQ(t->text.size(), copies * n);
  ASSERT_EQ(t->origin.size(), copies * n + 1);
  size_t mismatches = 0;
  for (size_t i = 0; i < copies; ++i) {
    mismatches += t->text.compare(i * n, n, small->text) != 0;
    for (size_t k = 0; k < n; ++k) {
      mismatches += t->origin[i * n + k] != small->origin[k] + i * unit.size();
    }
  }
  EXPECT_EQ(mismatches, 0u);
  EXPECT_EQ(t->origin.back(), big.size());
}

std::vector<std::filesystem::path> CorpusFiles(const std::string& sub) {
  std::vector<std::filesystem::path> out;
  const std::filesystem::path dir = std::filesystem::path(GONGKAI_CORPUS_DIR) / sub;
  if (!std::filesystem::exists(dir)) return out;
  for (const auto& f : std::filesystem::recursive_directory_iterator(dir)) {
    if (f.is_regular_file() && f.path().parent_path().filename() == "input") {
      out.push_back(f.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// No "(wèi)" left after an ideograph.
bool HasPinyinAnnotation(const std::string& s) {
  for (size_t i = s.find('('); i != std::string::npos; i = s.find('(', i + 1)) {
    const size_t close = s.find(')', i);
    if (close != std::string::npos && close - i <= 14 &&
        IsTonedPinyinSyllable(s.substr(i + 1, close - i - 1))) {
      return true;
    }
  }
  return false;
}

TEST(Corpus, Seeds) {
  const std::vector<std::filesystem::path> files = CorpusFiles("seeds");
  if (files.empty()) GTEST_SKIP() << "no seeds under " << GONGKAI_CORPUS_DIR;
  for (const auto& path : files) {
    SCOPED_TRACE(path.string());
    const std::string in = ReadFile(path);
    absl::StatusOr<NormalizedText> t = Normalize(in);
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_EQ(t->charset, "UTF-8");
    EXPECT_FALSE(HasPinyinAnnotation(t->text));
    EXPECT_TRUE(absl::StrContains(t->text, "卫生"));
    EXPECT_FALSE(absl::StrContains(t->text, "衛生"));
    EXPECT_FALSE(absl::StrContains(t->text, "\r"));
    EXPECT_FALSE(absl::StrContains(t->text, "\u3000"));
    CheckCharacterMap(in, *t);
    CheckLineMap(in, *t);

    // Information only, never asserted: median CPU time of many runs.
    std::vector<double> us;
    for (int i = 0; i < 200; ++i) {
      const auto start = std::chrono::steady_clock::now();
      absl::StatusOr<NormalizedText> r = Normalize(in);
      us.push_back(std::chrono::duration<double, std::micro>(
                       std::chrono::steady_clock::now() - start)
                       .count());
      ASSERT_TRUE(r.ok());
    }
    std::nth_element(us.begin(), us.begin() + us.size() / 2, us.end());
    std::printf("[info] %s: %zu bytes, median %.1f us per Normalize\n",
                path.filename().c_str(), in.size(), us[us.size() / 2]);
  }
}

TEST(Corpus, DevDocumentsKeepAnExactMap) {
  const std::vector<std::filesystem::path> files = CorpusFiles("dev");
  if (files.empty()) GTEST_SKIP() << "no dev corpus under " << GONGKAI_CORPUS_DIR;
  for (const auto& path : files) {
    SCOPED_TRACE(path.string());
    const std::string in = ReadFile(path);
    absl::StatusOr<NormalizedText> t = Normalize(in);
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_FALSE(HasPinyinAnnotation(t->text));
    CheckLineMap(in, *t);
  }
}

// Mutated documents: never a crash, and whenever the result is OK its map
// is well formed.
TEST(Normalize, MutatedInputsKeepTheMapWellFormed) {
  std::vector<std::string> docs = {
      "樟樹市衛(wèi)生健康委員會\r\n（一）２０２４年\t乾隆\n"};
  for (const auto& p : CorpusFiles("seeds")) docs.push_back(ReadFile(p));
  const std::vector<std::string> pieces = {
      "(", ")", "(wèi)", "\r", "\r\n", std::string(1, '\0'), "\xEF\xBB\xBF",
      "\xE2\x80", "\xFF", "\u3000", "ｅ\xCC\x81", "\xCC\x81", "乾", "\n"};
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    std::string s = docs[rng() % docs.size()];
    const int edits = 1 + rng() % 8;
    for (int k = 0; k < edits && !s.empty(); ++k) {
      const size_t at = rng() % s.size();
      switch (rng() % 4) {
        case 0:
          s.insert(at, pieces[rng() % pieces.size()]);
          break;
        case 1:
          s.erase(at, 1 + rng() % 4);
          break;
        case 2:
          s[at] = static_cast<char>(rng());
          break;
        default:
          s.resize(at);
          break;
      }
    }
    absl::StatusOr<NormalizedText> t = Normalize(s);
    if (!t.ok()) {
      EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
      continue;
    }
    ASSERT_EQ(t->origin.size(), t->text.size() + 1);
    ASSERT_EQ(t->origin.back(), s.size());
    ASSERT_TRUE(std::is_sorted(t->origin.begin(), t->origin.end()));
    for (size_t i = 0; i < t->text.size(); i += 1 + rng() % 50) {
      const size_t j = std::min(t->text.size(), i + 1 + rng() % 40);
      const auto [b, e] = t->OriginalSpan(i, j);
      ASSERT_LE(b, e);
      ASSERT_LE(e, s.size());
    }
  }
}

TEST(Normalize, ConcurrentCallsAgree) {
  std::vector<std::string> docs = {"樟樹市衛(wèi)生健康委員會\r\n２０２４",
                                   "乾隆年間\t乾县卫生健康局"};
  for (const auto& p : CorpusFiles("seeds")) docs.push_back(ReadFile(p));
  std::vector<std::string> expected;
  for (const auto& d : docs) expected.push_back(Norm(d));
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      for (int round = 0; round < 20; ++round) {
        for (size_t i = 0; i < docs.size(); ++i) {
          absl::StatusOr<NormalizedText> t = Normalize(docs[i]);
          if (!t.ok() || t->text != expected[i]) ++failures[k];
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

}  // namespace
}  // namespace gongkai
