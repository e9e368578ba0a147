// The html plugin: an HTML page as an agency publishes it or as a crawler
// saves it -- site navigation, scripts and styles around the article --
// parsed with libxml2's HTML parser. The <title>, then the body's text
// blocks (p, div text, h1-h6, li, lines between <br>) become paragraphs in
// document order; each data table becomes a table with one row per <tr> and
// one cell per <td>/<th> as the source has them: a rowspan or colspan cell
// once, where it starts, so a label spanning rows stands in its first row
// only and no value is copied into positions it merely covers. A table whose
// cells hold tables, or that only lays out the page, is a container: its
// cells are read as blocks. Scripts, styles, comments, hidden elements,
// navigation and page footers are not read. Paragraph and cell texts have
// tags removed, entities decoded and whitespace collapsed; their spans cover
// their source bytes, and GK_HINT_MARKUP tells the host to read the report
// from this text rather than from the markup.
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gongkai/plugin.h"
#include "html_page.h"
#include "html_text.h"

namespace gongkai::html {
namespace {

// How deep the walk follows the tree: libxml2 itself stops nesting at a few
// hundred levels; this keeps our recursion bounded whatever it builds.
constexpr int kMaxDepth = 400;
// A "cell" holding this much text is a page column, not a table cell.
constexpr size_t kLayoutCellChars = 1000;
// Boilerplate (navigation, footers) is short; an element this long is kept
// whatever its class says.
constexpr size_t kBoilerplateMaxChars = 1500;

std::string_view Name(const xmlNode* n) {
  return n->name != nullptr ? reinterpret_cast<const char*>(n->name) : "";
}

bool Is(const xmlNode* n, std::string_view name) {
  return n != nullptr && n->type == XML_ELEMENT_NODE && Name(n) == name;
}

template <size_t N>
bool OneOf(std::string_view name, const std::string_view (&names)[N]) {
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

// Elements whose content is never part of the article's text.
bool Unread(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "script", "style",  "noscript", "head",   "title",    "template",
      "svg",    "math",   "canvas",   "iframe", "frame",    "object",
      "embed",  "applet", "select",   "option", "optgroup", "datalist",
      "button", "input",  "textarea", "map",    "area",     "audio",
      "video",  "source", "track",    "nav",    "aside",    "meta",
      "link",   "base",   "param",    "img",    "picture",  "dialog"};
  return OneOf(name, kNames);
}

// Elements that start and end a line of text.
bool IsBlock(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "address",  "article",    "blockquote", "body",   "caption",  "center",
      "dd",       "details",    "dir",        "div",    "dl",       "dt",
      "fieldset", "figcaption", "figure",     "footer", "form",     "h1",
      "h2",       "h3",         "h4",         "h5",     "h6",       "header",
      "hgroup",   "hr",         "html",       "legend", "li",       "main",
      "menu",     "ol",         "p",          "pre",    "section",  "summary",
      "table",    "tbody",      "td",         "tfoot",  "th",       "thead",
      "tr",       "ul",         "listing",    "xmp",    "plaintext"};
  return OneOf(name, kNames);
}

std::string Attribute(const xmlNode* n, const char* name) {
  std::string value;
  if (xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name))) {
    value = reinterpret_cast<const char*>(v);
    xmlFree(v);
  }
  return value;
}

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// Hidden by the page itself: a reader never sees it.
bool Hidden(const xmlNode* n) {
  if (xmlHasProp(n, reinterpret_cast<const xmlChar*>("hidden")) != nullptr)
    return true;
  if (Lower(Attribute(n, "aria-hidden")) == "true") return true;
  if (Lower(Attribute(n, "type")) == "hidden") return true;
  std::string style = Lower(Attribute(n, "style"));
  std::erase_if(style, [](char c) { return c == ' ' || c == '\t'; });
  return style.find("display:none") != std::string::npos ||
         style.find("visibility:hidden") != std::string::npos;
}

// What the walk needs to know of an element's subtree, counted once.
struct Stats {
  size_t chars = 0;       // visible characters, whitespace aside
  size_t link_chars = 0;  // of which inside <a>
  size_t links = 0;
  bool table = false;  // is or holds a <table>
};

class Page {
 public:
  Page(const ParsedPage& parsed, const sdk::LayoutWriter& out)
      : parsed_(parsed), out_(out) {}

  void Run() {
    xmlNode* root = parsed_.root();
    if (root == nullptr) return;
    Count(root, 0, false);
    if (cancelled_) return;
    Title(root);
    Element(root, 0);
    FlushLine();
  }

 private:
  // ---- Statistics (a first pass, bottom up) ----

  Stats Count(const xmlNode* n, int depth, bool in_link) {
    Stats s;
    if (depth > kMaxDepth || Poll()) return s;
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
      s.chars = VisibleChars(n->content);
      if (in_link) s.link_chars = s.chars;
      return s;
    }
    if (n->type != XML_ELEMENT_NODE) return s;
    std::string_view name = Name(n);
    if (Unread(name) || Hidden(n)) return s;
    bool link = name == "a";
    s.links = link ? 1 : 0;
    s.table = name == "table";
    for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
      Stats cs = Count(c, depth + 1, in_link || link);
      s.chars += cs.chars;
      s.link_chars += cs.link_chars;
      s.links += cs.links;
      s.table = s.table || cs.table;
    }
    stats_[n] = s;
    return s;
  }

  const Stats& StatsOf(const xmlNode* n) const {
    static const Stats kNone;
    auto it = stats_.find(n);
    return it == stats_.end() ? kNone : it->second;
  }

  // Navigation, breadcrumbs, footers: lists of links, or blocks the page
  // names so. Never an element that holds a table (the report's tables, or
  // the layout table around them) or much text.
  bool Boilerplate(const xmlNode* n) const {
    std::string_view name = Name(n);
    if (name == "html" || name == "body") return false;
    const Stats& s = StatsOf(n);
    if (s.table || s.chars == 0) return false;
    if (s.links >= 3 && s.link_chars * 10 >= s.chars * 7) return true;
    if (s.chars > kBoilerplateMaxChars) return false;
    if (name == "footer" && !InSection(n)) return true;  // the page's footer
    std::string role = Lower(Attribute(n, "role"));
    if (role == "navigation" || role == "banner" || role == "contentinfo" ||
        role == "search" || role == "menu" || role == "menubar")
      return true;
    return NamedBoilerplate(Lower(Attribute(n, "class"))) ||
           NamedBoilerplate(Lower(Attribute(n, "id")));
  }

  // Inside an article, main or section element (whose own footer may hold
  // the report's signature).
  static bool InSection(const xmlNode* n) {
    for (const xmlNode* p = n->parent; p != nullptr; p = p->parent) {
      if (Is(p, "article") || Is(p, "main") || Is(p, "section")) return true;
    }
    return false;
  }

  // Class or id names of navigation and footers: a word of a name
  // ("top-nav", "navbar", "page_footer", "breadcrumbs") starting with one of
  // these; "bottom" and "foot" only at the start of a name ("bottom_box",
  // not "border-bottom").
  static bool NamedBoilerplate(std::string_view names) {
    static constexpr std::string_view kWords[] = {
        "nav",       "menu",    "breadcrumb", "crumb",  "footer",
        "copyright", "sidebar", "share",      "toolbar"};
    static constexpr std::string_view kFirstWords[] = {"bottom", "foot"};
    auto alnum = [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    };
    size_t i = 0;
    while (i < names.size()) {
      // One name (between spaces), made of words (between - and _).
      size_t end = names.find(' ', i);
      if (end == std::string_view::npos) end = names.size();
      std::string_view name = names.substr(i, end - i);
      for (size_t w = 0; w < name.size();) {
        while (w < name.size() && !alnum(name[w])) ++w;
        std::string_view word = name.substr(w);
        for (std::string_view k : kWords) {
          if (word.substr(0, k.size()) == k) return true;
        }
        if (w == 0) {
          for (std::string_view k : kFirstWords) {
            if (word.substr(0, k.size()) == k) return true;
          }
        }
        while (w < name.size() && alnum(name[w])) ++w;
      }
      i = end + 1;
    }
    return false;
  }

  bool Skipped(const xmlNode* n) const {
    return Unread(Name(n)) || Hidden(n) || Boilerplate(n);
  }

  bool Poll() {
    if (!cancelled_ && ++polls_ % 256 == 0) cancelled_ = out_.Cancelled();
    return cancelled_;
  }

  // The page's <title> comes first, as a line of its own: it names the
  // report (and its agency and year) even where the body's heading is an
  // image or was left out of a saved fragment. The rest of <head> is unread.
  void Title(const xmlNode* root) {
    for (const xmlNode* head = root->children; head != nullptr;
         head = head->next) {
      if (!Is(head, "head")) continue;
      for (const xmlNode* t = head->children; t != nullptr; t = t->next) {
        if (!Is(t, "title")) continue;
        Locate(t);
        for (const xmlNode* c = t->children; c != nullptr; c = c->next) {
          if (c->type == XML_TEXT_NODE) TextNode(c);
        }
        FlushLine();
        return;
      }
    }
  }

  // ---- Blocks: paragraphs in document order ----

  // Reads element n (not skipped) in block context.
  void Element(const xmlNode* n, int depth) {
    if (depth > kMaxDepth || Poll()) return;
    std::string_view name = Name(n);
    Locate(n);
    if (name == "br") {
      FlushLine();
      return;
    }
    if (name == "table") {
      Table(n, depth);
      return;
    }
    const bool block = IsBlock(name);
    const bool pre = name == "pre" || name == "listing" || name == "xmp" ||
                     name == "plaintext";
    if (block) FlushLine();
    if (pre) ++pre_;
    Children(n, depth);
    if (pre) --pre_;
    if (block) FlushLine();
  }

  void Children(const xmlNode* n, int depth) {
    for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
      if (cancelled_) return;
      if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
        TextNode(c);
      } else if (c->type == XML_ELEMENT_NODE && !Skipped(c)) {
        Element(c, depth + 1);
      }
    }
  }

  // A text node on the current line; inside <pre> its newlines end lines.
  void TextNode(const xmlNode* t) {
    std::string_view content = Content(t);
    size_t from = 0;
    while (from < content.size()) {
      size_t to = content.size();
      if (pre_ > 0) {
        size_t nl = content.find('\n', from);
        if (nl != std::string_view::npos) to = nl;
      }
      line_.Add(parsed_, t, from, to);
      if (to < content.size()) FlushLine();
      from = to + 1;
    }
  }

  // Remembers where we are, for a paragraph or cell whose text could not
  // be located.
  void Locate(const xmlNode* n) {
    const NodeSource* src = parsed_.SourceOf(n);
    if (src != nullptr && src->begin != kNoPosition) here_ = src->begin;
  }

  void FlushLine() {
    if (line_.empty()) {
      line_.Clear();
      return;
    }
    size_t begin = line_.begin(), end = line_.end();
    if (begin == kNoPosition) begin = end = here_;
    out_.Paragraph(begin, std::max(begin, end), line_.text());
    line_.Clear();
  }

  // ---- Tables ----

  // The rows of a table: its own <tr>, directly or in thead/tbody/tfoot;
  // rows of tables nested in its cells are theirs.
  static std::vector<const xmlNode*> Rows(const xmlNode* table) {
    std::vector<const xmlNode*> rows;
    for (const xmlNode* c = table->children; c != nullptr; c = c->next) {
      if (Is(c, "tr")) {
        rows.push_back(c);
      } else if (Is(c, "tbody") || Is(c, "thead") || Is(c, "tfoot")) {
        for (const xmlNode* r = c->children; r != nullptr; r = r->next) {
          if (Is(r, "tr")) rows.push_back(r);
        }
      }
    }
    return rows;
  }

  static std::vector<const xmlNode*> Cells(const xmlNode* row) {
    std::vector<const xmlNode*> cells;
    for (const xmlNode* c = row->children; c != nullptr; c = c->next) {
      if ((Is(c, "td") || Is(c, "th")) && !Hidden(c)) cells.push_back(c);
    }
    return cells;
  }

  // A table that lays out the page rather than holding figures: its cells
  // hold tables, or long text, or it has no row of two cells.
  bool Container(const std::vector<const xmlNode*>& rows) const {
    bool wide = false;
    for (const xmlNode* r : rows) {
      if (Hidden(r)) continue;
      std::vector<const xmlNode*> cells = Cells(r);
      if (cells.size() >= 2) wide = true;
      for (const xmlNode* c : cells) {
        const Stats& s = StatsOf(c);
        if (s.table || s.chars > kLayoutCellChars) return true;
      }
    }
    return !wide;
  }

  void Table(const xmlNode* table, int depth) {
    FlushLine();
    std::vector<const xmlNode*> rows = Rows(table);
    if (Container(rows)) {
      Children(table, depth);  // rows and cells are blocks
      FlushLine();
      return;
    }
    // A caption, and anything the markup left between rows, comes first.
    auto stray = [&](const xmlNode* parent) {
      for (const xmlNode* c = parent->children; c != nullptr; c = c->next) {
        if (c->type == XML_TEXT_NODE) {
          TextNode(c);
        } else if (c->type == XML_ELEMENT_NODE && !Is(c, "tr") &&
                   !Is(c, "tbody") && !Is(c, "thead") && !Is(c, "tfoot") &&
                   !Is(c, "col") && !Is(c, "colgroup") && !Skipped(c)) {
          Element(c, depth + 1);
        }
      }
    };
    stray(table);
    for (const xmlNode* c = table->children; c != nullptr; c = c->next) {
      if (Is(c, "tbody") || Is(c, "thead") || Is(c, "tfoot")) stray(c);
    }
    FlushLine();
    out_.BeginTable();
    for (const xmlNode* r : rows) {
      if (cancelled_) break;
      if (Hidden(r)) continue;
      std::vector<const xmlNode*> cells = Cells(r);
      if (cells.empty()) continue;
      out_.BeginRow();
      for (const xmlNode* c : cells) Cell(c, depth + 1);
    }
    out_.EndTable();
  }

  // One cell: its text content, lines joined (see TextRun::Break).
  void Cell(const xmlNode* cell, int depth) {
    Locate(cell);
    TextRun run;
    CellText(cell, depth, &run);
    size_t begin = run.begin(), end = run.end();
    if (begin == kNoPosition) begin = end = here_;
    out_.Cell(begin, std::max(begin, end), run.text());
  }

  void CellText(const xmlNode* n, int depth, TextRun* run) {
    if (depth > kMaxDepth || Poll()) return;
    for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
      if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
        std::string_view content = Content(c);
        run->Add(parsed_, c, 0, content.size());
        continue;
      }
      if (c->type != XML_ELEMENT_NODE) continue;
      std::string_view name = Name(c);
      if (Unread(name) || Hidden(c)) continue;
      if (name == "br") {
        run->Break();
        continue;
      }
      bool block = IsBlock(name);
      if (block) run->Break();
      CellText(c, depth + 1, run);
      if (block) run->Break();
    }
  }

  static std::string_view Content(const xmlNode* t) {
    return t->content != nullptr
               ? std::string_view(reinterpret_cast<const char*>(t->content))
               : std::string_view();
  }

  const ParsedPage& parsed_;
  const sdk::LayoutWriter& out_;
  std::unordered_map<const xmlNode*, Stats> stats_;
  TextRun line_;
  size_t here_ = 0;  // the source of the element last entered
  int pre_ = 0;      // inside <pre>: newlines end lines
  size_t polls_ = 0;
  bool cancelled_ = false;
};

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

// Tags that structure a page (not <br> or <span>, which converters leave in
// Markdown and plain text too).
size_t StructuralTags(std::string_view text) {
  static constexpr std::string_view kTags[] = {
      "table", "tr",   "td", "th", "p",  "div", "tbody", "li",
      "ul",    "body", "h1", "h2", "h3", "h4",  "h5",    "h6"};
  size_t n = 0;
  for (size_t i = text.find('<'); i != std::string_view::npos;
       i = text.find('<', i + 1)) {
    size_t j = i + 1;
    if (j < text.size() && text[j] == '/') ++j;
    for (std::string_view tag : kTags) {
      if (!StartsWithNoCase(text.substr(j), tag)) continue;
      size_t k = j + tag.size();
      if (k < text.size() &&
          (text[k] == '>' || text[k] == ' ' || text[k] == '\t' ||
           text[k] == '\n' || text[k] == '/')) {
        ++n;
        break;
      }
    }
  }
  return n;
}

class HtmlPlugin : public sdk::Plugin {
 public:
  sdk::Status Init() override {
    xmlInitParser();  // once, before threads parse
    return sdk::Status::Ok();
  }

  int Detect(std::string_view text) const override {
    size_t i = 0;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' ||
                               text[i] == '\n' || text[i] == '\r'))
      ++i;
    std::string_view head = text.substr(i, 1024);
    if (StartsWithNoCase(head, "<!doctype html") ||
        StartsWithNoCase(head, "<html"))
      return 95;
    if (StartsWithNoCase(head, "<?xml") || StartsWithNoCase(head, "<!--")) {
      std::string lower = Lower(std::string(head));
      if (lower.find("<html") != std::string::npos) return 95;
    }
    size_t tags = StructuralTags(text.substr(0, 256 << 10));
    if (tags >= 20) return 90;
    if (tags >= 8 && !head.empty() && head[0] == '<') return 70;
    return 0;
  }

  sdk::Status Extract(std::string_view text,
                      sdk::LayoutWriter& out) const override {
    out.Hint(GK_HINT_MARKUP);
    std::unique_ptr<ParsedPage> parsed = ParsedPage::Parse(text);
    Page(*parsed, out).Run();
    return sdk::Status::Ok();
  }
};

}  // namespace
}  // namespace gongkai::html

GONGKAI_EXPORT_PLUGIN(gongkai::html::HtmlPlugin, "html", "1.0",
                      "HTML pages: text blocks as paragraphs, <table> rows "
                      "and cells as the source has them (libxml2)");
