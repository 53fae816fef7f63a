/* json.h: a small JSON reader for the files hoc writes (traces), and the
 * string writer they are written with. */
#ifndef HOC_JSON_H
#define HOC_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum json_type { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ } json_type;

typedef struct json {
    json_type type;
    bool b;
    int64_t num; /* integers only: hoc writes no fractions in traces */
    char *str;
    struct json *items; /* arrays and objects */
    char **keys;        /* objects */
    int n;
} json;

/* Parses text[0..len); NULL with a message in err (with its byte offset) on bad input. */
json *json_parse(const char *text, size_t len, char *err, size_t errcap);
/* Frees what j holds (not j itself). */
void json_free(json *j);
/* The member named key of an object, or NULL. */
const json *json_get(const json *obj, const char *key);

/* Writes s (NULL: empty) to f as a JSON string, quoted and escaped. */
void json_write_str(FILE *f, const char *s);

#endif
