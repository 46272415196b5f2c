/* libFuzzer target: the command-line parser of dispatch on any text. */
#include <stdlib.h>
#include <string.h>

#include "bot/bot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, name[34];
	const char *args = NULL;
	int r;

	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	r = dispatch_parse_command(text, "backoffice_bot", name, sizeof(name), &args);
	if (r == 0 && (args < text || args > text + strlen(text) || strlen(name) > 32))
		abort();
	free(text);
	return 0;
}
