/* Pieces of the HTML report (html work): escaping, colours, PNG, charts. */
#ifndef SIGMIX_AUDIT_HTML_H
#define SIGMIX_AUDIT_HTML_H

#include <stddef.h>
#include <stdio.h>

/**
 * Text or attribute value from the table: & < > " ' become entities,
 * control characters and Unicode direction marks/overrides/isolates
 * become visible escapes (\n, [U+202E]), so no name can add markup or
 * reorder the text around it. At most max_bytes input bytes (0: all),
 * then an ellipsis.
 */
void sigmix_html_esc(FILE *f, const char *s, size_t max_bytes);

/** Shortest round-trip form of v (as the JSON report writes it), "null" for NaN. */
void sigmix_html_num(FILE *f, double v);

/** A family's colour (index in family order; SIZE_MAX: uncategorized), "#rrggbb". */
const char *sigmix_html_family_colour(size_t fam);

/** The heatmap colour of r with the report's thresholds (NaN: grey). */
void sigmix_html_corr_rgb(double r, double red, double comp, unsigned char rgb[3]);

/**
 * Write a data: URI of a w x h RGB PNG (rows top-down, 3 bytes a pixel).
 * Returns 0 or a SIGMIX_E* code.
 */
int sigmix_html_png_uri(FILE *f, const unsigned char *rgb, size_t w, size_t h);

/** Target colour ramp (viridis-like) for t in [0, 1]. */
void sigmix_html_ramp(double t, unsigned char rgb[3]);

#endif
