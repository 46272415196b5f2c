/* libFuzzer target: any bytes as an Update. update_parse must accept or reject, never crash, and
 * what it accepts must be coherent (ids in range, strings NUL-terminated and bounded). */
#include <stdlib.h>
#include <string.h>

#include "bot/bot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tg_update u;
	struct buf err;

	buf_init(&err, 512);
	memset(&u, 0, sizeof(u));
	if (update_parse((const char *)data, size, &u, &err) == 0) {
		if (u.text != NULL && !utf8_valid(u.text, strlen(u.text)))
			abort();
		if (strlen(u.callback_data) > TG_CALLBACK_MAX)
			abort();
	}
	update_release(&u);
	buf_release(&err);
	return 0;
}
