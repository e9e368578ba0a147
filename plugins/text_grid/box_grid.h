// Box-drawn grids, as text browsers dump HTML tables (w3m: "│行政许可│4529│"
// between ┌─┬─┐ ├─┼─┤ └─┴─┘ rulings). A cell is a region the rulings
// enclose: a merged cell (colspan, rowspan) is one region over several
// columns or lines, and a cell's text wraps over the physical lines of its
// region. Cells are found as runs of text between rulings on each line,
// joined with the runs above and below them that share columns.
#pragma once

#include <algorithm>
#include <map>
#include <numeric>
#include <string_view>
#include <vector>

#include "grid_common.h"

namespace gongkai::text_grid {

inline bool IsBoxChar(char32_t c) { return c >= 0x2500 && c <= 0x257F; }

// Rulings that only run across (─ ━ ═ and their dashed forms): they mark no
// column boundary.
inline bool IsHorizontalRuling(char32_t c) {
  switch (c) {
    case 0x2500: case 0x2501: case 0x2504: case 0x2505: case 0x2508:
    case 0x2509: case 0x254C: case 0x254D: case 0x2550: case 0x2574:
    case 0x2576: case 0x2578: case 0x257A: case 0x257C: case 0x257E:
      return true;
    default:
      return false;
  }
}

// Cheap test for a box-drawing character in s (U+2500..U+257F are
// E2 94 xx and E2 95 xx in UTF-8).
inline bool HasBoxChar(std::string_view s) {
  for (size_t i = 0; i + 2 < s.size(); ++i) {
    if (s[i] == '\xE2' && (s[i + 1] == '\x94' || s[i + 1] == '\x95')) {
      return true;
    }
  }
  return false;
}

namespace box_internal {

struct Item {
  CodePoint cp;
  int x = 0;  // display column as the line reads
  bool box = false;
};

// Text between two rulings on one line, at corrected columns [x0, x1].
struct Segment {
  size_t line = 0;
  int x0 = 0;
  int x1 = 0;
  TextSpan text;  // trimmed; empty (at its position) if only blanks
};

inline size_t Find(std::vector<size_t>& parent, size_t i) {
  while (parent[i] != i) {
    parent[i] = parent[parent[i]];
    i = parent[i];
  }
  return i;
}

}  // namespace box_internal

// Reads the grid drawn on lines (consecutive lines of one table) into rows:
// one row per distinct top line of cells, cells left to right, a merged
// cell in the row where it starts.
//
// The text handed to plugins is normalized (NFKC), so a full-width "（" of
// the dump is now a narrow "(" and the rulings after it on that line sit
// one column left of where the dump drew them. Lines made of rulings alone
// keep their columns; a ruling on a text line is moved right onto the
// nearest such column, by no more than the narrow characters before it
// could have lost.
inline std::vector<GridRow> ReadBoxGrid(std::string_view text,
                                        const std::vector<TextSpan>& lines) {
  using box_internal::Item;
  using box_internal::Segment;
  std::vector<std::vector<Item>> items(lines.size());
  std::vector<int> columns;  // boundary columns from lines of rulings only
  for (size_t l = 0; l < lines.size(); ++l) {
    int x = 0;
    bool rulings_only = true;
    ForEachCodePoint(text, lines[l], [&](const CodePoint& cp) {
      Item item{cp, x, IsBoxChar(cp.value)};
      rulings_only = rulings_only && (item.box || cp.value == ' ');
      items[l].push_back(item);
      x += DisplayWidth(cp.value);
    });
    if (!rulings_only) continue;
    for (const Item& item : items[l]) {
      if (item.box && !IsHorizontalRuling(item.cp.value)) {
        columns.push_back(item.x);
      }
    }
  }
  std::sort(columns.begin(), columns.end());
  columns.erase(std::unique(columns.begin(), columns.end()), columns.end());

  std::vector<Segment> segments;
  std::vector<size_t> first_segment(lines.size() + 1, 0);
  for (size_t l = 0; l < lines.size(); ++l) {
    first_segment[l] = segments.size();
    int shift = 0;
    int slack = 0;  // narrow characters since the last ruling
    int prev_x = -1;
    size_t prev_end = 0;  // byte offset just after the last ruling
    TextSpan content{0, 0};
    bool any = false;
    for (const Item& item : items[l]) {
      if (!item.box) {
        if (DisplayWidth(item.cp.value) == 1) ++slack;
        if (item.cp.value != ' ' && item.cp.value != '\t') {
          if (!any) content.begin = item.cp.begin;
          content.end = item.cp.end;
          any = true;
        }
        continue;
      }
      int x = item.x + shift;
      if (!IsHorizontalRuling(item.cp.value)) {
        auto it = std::lower_bound(columns.begin(), columns.end(), x);
        if (it != columns.end() && *it - x <= slack) {
          shift += *it - x;
          x = *it;
        }
      }
      if (prev_x >= 0 && x > prev_x + 1) {
        TextSpan span = any ? content : TextSpan{prev_end, prev_end};
        segments.push_back(Segment{l, prev_x + 1, x - 1, span});
      }
      prev_x = x;
      prev_end = item.cp.end;
      slack = 0;
      any = false;
    }
  }
  first_segment[lines.size()] = segments.size();

  // Runs of text on adjacent lines that share a column are one cell.
  std::vector<size_t> parent(segments.size());
  std::iota(parent.begin(), parent.end(), 0);
  for (size_t l = 0; l + 1 < lines.size(); ++l) {
    size_t a = first_segment[l], a_end = first_segment[l + 1];
    size_t b = first_segment[l + 1], b_end = first_segment[l + 2];
    while (a < a_end && b < b_end) {
      const Segment& sa = segments[a];
      const Segment& sb = segments[b];
      if (sa.x0 <= sb.x1 && sb.x0 <= sa.x1) {
        parent[box_internal::Find(parent, a)] = box_internal::Find(parent, b);
      }
      if (sa.x1 < sb.x1) {
        ++a;
      } else {
        ++b;
      }
    }
  }

  struct Region {
    size_t top = 0;
    int left = 0;
    GridCell cell;
  };
  std::map<size_t, Region> regions;  // by root segment
  for (size_t s = 0; s < segments.size(); ++s) {
    const Segment& seg = segments[s];
    auto [it, fresh] = regions.try_emplace(box_internal::Find(parent, s));
    Region& r = it->second;
    if (fresh) {
      r.top = seg.line;
      r.left = seg.x0;
      r.cell.anchor = seg.text.begin;
    }
    r.left = std::min(r.left, seg.x0);
    if (!seg.text.empty()) r.cell.pieces.push_back(seg.text);
  }
  std::vector<Region*> ordered;
  for (auto& [root, region] : regions) ordered.push_back(&region);
  std::sort(ordered.begin(), ordered.end(), [](const Region* a, const Region* b) {
    return a->top != b->top ? a->top < b->top : a->left < b->left;
  });

  std::vector<GridRow> rows;
  for (size_t i = 0; i < ordered.size();) {
    GridRow row;
    bool content = false;
    size_t j = i;
    for (; j < ordered.size() && ordered[j]->top == ordered[i]->top; ++j) {
      content = content || !ordered[j]->cell.pieces.empty();
      row.cells.push_back(std::move(ordered[j]->cell));
    }
    if (content) rows.push_back(std::move(row));
    i = j;
  }
  return rows;
}

}  // namespace gongkai::text_grid
