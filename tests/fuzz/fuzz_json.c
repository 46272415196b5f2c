/* libFuzzer target: any bytes as JSON from outside (an API body, a Bot API answer). json_parse
 * must accept or reject, never crash; what it accepts must print (json_print) as text that reads
 * back to the same tree: the same NUL at the same path, the same number texts, the same print. */
#include <stdlib.h>
#include <string.h>

#include "bot/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every number of the tree has its text, and json_integer agrees with it. */
static void
check_numbers(const cJSON *n)
{
	const cJSON *c;
	int64_t v;

	if (cJSON_IsNumber(n)) {
		if (n->valuestring == NULL)
			abort();
		if (json_integer(n, &v) == 0 && strpbrk(n->valuestring, ".eE") != NULL)
			abort();
	}
	for (c = n->child; c != NULL; c = c->next)
		check_numbers(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[JSON_PATH_MAX], again[JSON_PATH_MAX];
	cJSON *j, *k = NULL;
	char *text = NULL, *text2 = NULL;
	int nul;

	if ((j = json_parse((const char *)data, size)) == NULL)
		return 0;
	check_numbers(j);
	nul = json_nul_path(j, path);
	if ((text = json_print(j)) == NULL)
		goto out;
	if ((k = json_parse(text, strlen(text))) == NULL)
		abort();		/* what we print, we read */
	check_numbers(k);
	if (json_nul_path(k, again) != nul || (nul && strcmp(path, again) != 0))
		abort();
	if ((text2 = json_print(k)) == NULL || strcmp(text, text2) != 0)
		abort();
out:
	cJSON_free(text);
	cJSON_free(text2);
	cJSON_Delete(j);
	cJSON_Delete(k);
	return 0;
}
