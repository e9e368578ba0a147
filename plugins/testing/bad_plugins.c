/* One broken gongkai plugin per BAD_* macro, for the host's refusal tests.
 * Written in C to keep the ABI honest: nothing here needs the C++ SDK. */
#include <stdio.h>

#include "gongkai/plugin_abi.h"

#define EXPORT __attribute__((visibility("default")))

#ifndef BAD_NO_DETECT
static int Detect(void* state, const char* text, size_t len) {
  (void)state;
  (void)text;
  (void)len;
  return 50;
}
#endif

static int Extract(void* state, const char* text, size_t len,
                   const gk_layout_sink* sink, char* err, size_t err_len) {
  (void)state;
  (void)err;
  (void)err_len;
  (void)text;
  sink->paragraph(sink->ctx, 0, len);
  return GK_OK;
}

#ifdef BAD_INIT_FAILS
static int InitFails(void** state, char* err, size_t err_len) {
  (void)state;
  snprintf(err, err_len, "%s", "model file bad_model.bin not found");
  return GK_ERROR_INTERNAL;
}
#endif

#ifdef BAD_BAD_ABI
#define ABI_MAJOR 999
#else
#define ABI_MAJOR GK_ABI_MAJOR
#endif

#ifdef BAD_BAD_NAME
#define NAME "Bad Name!"
#elif defined(BAD_INIT_FAILS)
#define NAME "init_fails"
#else
#define NAME "broken"
#endif

#ifdef BAD_INIT_FAILS
#define INIT InitFails
#else
#define INIT NULL
#endif

#ifdef BAD_NO_DETECT
#define DETECT NULL
#else
#define DETECT Detect
#endif

static const gk_plugin kTable = {
    .abi_major = ABI_MAJOR,
    .abi_minor = GK_ABI_MINOR,
    .name = NAME,
    .version = "0.0",
    .description = "a deliberately broken plugin",
    .init = INIT,
    .fini = NULL,
    .detect = DETECT,
    .extract = Extract,
};

#ifdef BAD_NO_ENTRY
/* Exports nothing the host looks for. */
EXPORT const gk_plugin* gongkai_plugin_entry_v0(void) { return &kTable; }
#elif defined(BAD_NULL_TABLE)
EXPORT const gk_plugin* gongkai_plugin_entry_v1(void) {
  (void)kTable;
  return NULL;
}
#else
EXPORT const gk_plugin* gongkai_plugin_entry_v1(void) { return &kTable; }
#endif
