/* The gongkai plugin C ABI, version 1.
 *
 * A plugin is a shared library named libgongkai_<name>.so that exports one
 * symbol, gongkai_plugin_entry_v1, returning a static table of function
 * pointers. No protobuf and no C++ types cross this boundary, so a plugin can
 * be written in C, C++ or Rust and never drags its own copy of protobuf's
 * global state into the host.
 *
 * The host passes the plugin normalized UTF-8 text (NFKC, Simplified Chinese);
 * the plugin reports the document's layout -- paragraphs and tables of cells --
 * through the callbacks of gk_layout_sink, as byte spans into that text. The
 * plugin knows nothing of the report's meaning: labels, templates and checks
 * live in the host's core. */
#ifndef GONGKAI_PLUGIN_ABI_H_
#define GONGKAI_PLUGIN_ABI_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The major version changes when the table below changes incompatibly; the
 * host refuses a plugin whose major differs. A minor bump only appends; a
 * host refuses a plugin built for a newer minor than its own (the plugin may
 * read members the host does not pass), never one built for an older minor.
 * 1.1: gk_layout_sink.cancelled. 1.2: gk_layout_sink.paragraph_text and
 * GK_HINT_MARKUP. */
#define GK_ABI_MAJOR 1
#define GK_ABI_MINOR 2

#define GK_ENTRY_SYMBOL "gongkai_plugin_entry_v1"

/* Return codes of init and extract. */
#define GK_OK 0
#define GK_ERROR_INVALID_INPUT 1 /* the document cannot be read by this plugin */
#define GK_ERROR_INTERNAL 2

/* Hints a plugin may give about the text it read (gk_layout_sink.hint). */
#define GK_HINT_OCR 1 /* OCR output: O/o may stand for 0, labels may be misread */
#define GK_HINT_RUN_TOGETHER 2 /* cells may run together without separators */
/* Since 1.2. The text is markup (HTML): its words are only those the layout
 * reports, so the host reads titles, dates and contacts from the layout's
 * paragraphs and cells, not from the raw text around them. */
#define GK_HINT_MARKUP 3

/* Callbacks the host gives to extract(). Spans are byte offsets into the text
 * passed to extract(), end exclusive. */
typedef struct gk_layout_sink {
  void* ctx;
  /* A paragraph of running text (headings, prose, signature lines). */
  void (*paragraph)(void* ctx, size_t begin, size_t end);
  /* Tables: begin_table, then for each row begin_row and its cells in order. */
  void (*begin_table)(void* ctx);
  void (*begin_row)(void* ctx);
  /* A cell. text may be NULL: the cell's text is then text[begin, end).
   * Otherwise text/text_len is the cell's content as the plugin read it (for
   * a cell assembled from several pieces) and [begin, end) covers its source. */
  void (*cell)(void* ctx, size_t begin, size_t end, const char* text,
               size_t text_len);
  void (*end_table)(void* ctx);
  /* Something the plugin could not read; message is UTF-8. */
  void (*warning)(void* ctx, size_t begin, size_t end, const char* message);
  void (*hint)(void* ctx, int hint);
  /* Since 1.1. Nonzero once the host no longer wants this layout: the
   * caller cancelled the extraction or its deadline passed. Cheap: a plugin
   * may poll it in long loops and return early (with any code; the host
   * discards the result). Once it is nonzero, the other callbacks are no-ops.
   * Hosts of 1.1 or later always set it; plugins built for 1.0 never read
   * it. */
  int (*cancelled)(void* ctx);
  /* Since 1.2. A paragraph whose text differs from its source (tags removed,
   * entities decoded, whitespace collapsed): text/text_len is what it says,
   * [begin, end) covers its source. Hosts of 1.2 or later always set it. */
  void (*paragraph_text)(void* ctx, size_t begin, size_t end, const char* text,
                         size_t text_len);
} gk_layout_sink;

typedef struct gk_plugin {
  uint32_t abi_major; /* GK_ABI_MAJOR the plugin was built with */
  uint32_t abi_minor;
  const char* name; /* e.g. "clean_text": [a-z0-9_]+ */
  const char* version;
  const char* description;
  /* Called once after loading; *state is passed to every later call. Return
   * GK_OK, or an error code with a message written to err (NUL-terminated,
   * at most err_len bytes). May be NULL. */
  int (*init)(void** state, char* err, size_t err_len);
  /* Called once before unloading. May be NULL. */
  void (*fini)(void* state);
  /* How well this plugin fits the text: 0 (not at all) to 100. Must be
   * thread-safe and cheap. */
  int (*detect)(void* state, const char* text, size_t len);
  /* Reads the layout of text into sink. Must be thread-safe. */
  int (*extract)(void* state, const char* text, size_t len,
                 const gk_layout_sink* sink, char* err, size_t err_len);
} gk_plugin;

typedef const gk_plugin* (*gk_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* GONGKAI_PLUGIN_ABI_H_ */
