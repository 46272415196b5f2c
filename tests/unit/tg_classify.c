/*
 * tg_classify.t — every tg_class from real-looking Bot API answers, and tg_call against a tiny
 * HTTP server in a thread (request shape, connection reuse, body limit), a closed port, a
 * silent server (timeout, abort flag), and that no log line carries the token.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bot/bot.h"
#include "tests/tap.h"

#define TOKEN "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"

static struct tg_result
classify(long status, const char *body)
{
	struct tg_result r;

	tg_classify(status, body, body ? strlen(body) : 0, &r);
	return r;
}

static void
test_classes(void)
{
	struct tg_result r;

	r = classify(200, "{\"ok\":true,\"result\":{\"message_id\":5,\"chat\":{\"id\":-100123},"
	    "\"text\":\"hi\"}}");
	is_int(r.cls, TG_OK, "ok:true is TG_OK");
	is_str(r.result, "{\"message_id\":5,\"chat\":{\"id\":-100123},\"text\":\"hi\"}",
	    "the result member is passed through unformatted");
	is_int(r.message_id, 5, "a sent Message's id is read with it");
	tg_result_release(&r);
	ok(r.result == NULL, "tg_result_release frees the result");
	r = classify(200, "{\"ok\":true,\"result\":{\"message_id\":5.5}}");
	is_int(r.message_id, 0, "a message_id that is no integer is none");
	tg_result_release(&r);
	r = classify(200, "{\"ok\":true,\"result\":{\"chat\":{\"message_id\":9}}}");
	is_int(r.message_id, 0, "a message_id nested deeper is not the Message's");
	tg_result_release(&r);
	r = classify(200, "{\"ok\":true,\"result\":true}");
	ok(r.cls == TG_OK && r.result != NULL && strcmp(r.result, "true") == 0,
	    "a boolean result is passed through");
	tg_result_release(&r);

	r = classify(400, "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: message "
	    "is not modified: specified new message content and reply markup are exactly the same "
	    "as a current content and reply markup of the message\"}");
	is_int(r.cls, TG_NOT_MODIFIED, "400 message is not modified is TG_NOT_MODIFIED");
	is_int(r.error_code, 400, "error_code read");
	ok(strstr(r.description, "Bad Request: message is not modified: specified") == r.description,
	    "description read");

	r = classify(429, "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests: "
	    "retry after 7\",\"parameters\":{\"retry_after\":7}}");
	is_int(r.cls, TG_RETRY_AFTER, "429 is TG_RETRY_AFTER");
	is_int(r.retry_after, 7, "retry_after read from parameters");
	r = classify(429, "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests\"}");
	ok(r.cls == TG_RETRY_AFTER && r.retry_after == 1, "429 without parameters waits 1 s");
	r = classify(429, "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests: "
	    "retry after 73414\",\"parameters\":{\"retry_after\":73414}}");
	is_int(r.retry_after, 73414, "a huge retry_after is reported as is (the caller caps it)");

	r = classify(400, "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: group "
	    "chat was upgraded to a supergroup chat\",\"parameters\":{\"migrate_to_chat_id\":"
	    "-1001234567890123}}");
	is_int(r.cls, TG_MIGRATED, "400 with migrate_to_chat_id is TG_MIGRATED");
	is_int(r.migrate_to, -1001234567890123LL, "migrate_to read exactly");

	r = classify(403, "{\"ok\":false,\"error_code\":403,\"description\":\"Forbidden: bot was "
	    "blocked by the user\"}");
	is_int(r.cls, TG_BLOCKED, "403 blocked is TG_BLOCKED");
	is_str(r.description, "Forbidden: bot was blocked by the user", "description copied");
	r = classify(403, "{\"ok\":false,\"error_code\":403,\"description\":\"Forbidden: bot can't "
	    "initiate conversation with a user\"}");
	is_int(r.cls, TG_BLOCKED, "403 can't initiate is TG_BLOCKED");

	r = classify(409, "{\"ok\":false,\"error_code\":409,\"description\":\"Conflict: terminated "
	    "by other getUpdates request; make sure that only one bot instance is running\"}");
	is_int(r.cls, TG_CONFLICT, "409 is TG_CONFLICT");
	r = classify(401, "{\"ok\":false,\"error_code\":401,\"description\":\"Unauthorized\"}");
	is_int(r.cls, TG_UNAUTHORIZED, "401 is TG_UNAUTHORIZED");
	r = classify(404, "{\"ok\":false,\"error_code\":404,\"description\":\"Not Found\"}");
	is_int(r.cls, TG_UNAUTHORIZED, "404 Not Found (a wrong token) is TG_UNAUTHORIZED");

	r = classify(400, "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: can't "
	    "parse entities: Unsupported start tag \\\"<\\\" at byte offset 388\"}");
	is_int(r.cls, TG_BAD_REQUEST, "400 can't parse entities is TG_BAD_REQUEST");
	r = classify(400, "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: query is "
	    "too old and response timeout expired or query ID is invalid\"}");
	is_int(r.cls, TG_BAD_REQUEST, "400 query is too old is TG_BAD_REQUEST");
	r = classify(400, "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: message "
	    "to edit not found\"}");
	is_int(r.cls, TG_BAD_REQUEST, "400 message to edit not found is TG_BAD_REQUEST");

	r = classify(500, "{\"ok\":false,\"error_code\":500,\"description\":\"Internal Server "
	    "Error\"}");
	is_int(r.cls, TG_TRANSIENT, "500 is TG_TRANSIENT");
	r = classify(502, "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
	    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n"
	    "</html>\r\n");
	is_int(r.cls, TG_TRANSIENT, "502 with an HTML body is TG_TRANSIENT");
	is_str(r.description, "malformed response, HTTP 502", "an HTML body: malformed, with the status");
	is_int(r.http_status, 502, "the HTTP status is kept");
	r = classify(200, "{\"ok\":true,\"result\":[{\"update_id\":1,");
	ok(r.cls == TG_TRANSIENT && r.result == NULL, "truncated JSON is TG_TRANSIENT");
	is_str(r.description, "malformed response", "truncated JSON is a malformed response");
	r = classify(200, "{\"result\":[]}");
	ok(r.cls == TG_TRANSIENT, "a body without ok is TG_TRANSIENT");
	/* an array result (getUpdates) is handed over as written, the envelope still checked */
	r = classify(200, "{\"ok\":true, \"result\" : [ {\"update_id\":1e0,\"t\":\"a\\u0000\"} ,2]}");
	ok(r.cls == TG_OK && r.result != NULL &&
	    strcmp(r.result, "[ {\"update_id\":1e0,\"t\":\"a\\u0000\"} ,2]") == 0,
	    "an array result is passed through as written, its numbers and escapes untouched");
	tg_result_release(&r);
	r = classify(200, "{\"ok\":false,\"result\":[1],\"error_code\":409,\"description\":\"c\"}");
	is_int(r.cls, TG_CONFLICT, "ok:false with an array result is still an error");
	tg_result_release(&r);
	r = classify(200, "{\"ok\":true,\"result\":[1],}");
	ok(r.cls == TG_TRANSIENT && r.result == NULL, "a broken envelope around an array is malformed");
	r = classify(200, "{\"ok\":true,\"result\":[1 2]}");
	ok(r.cls == TG_TRANSIENT && r.result == NULL, "an array the scan cannot split is read whole: malformed");
	r = classify(200, "[true]");
	ok(r.cls == TG_TRANSIENT, "a JSON array is TG_TRANSIENT");
	r = classify(200, NULL);
	ok(r.cls == TG_TRANSIENT, "no body is TG_TRANSIENT");
	r = classify(400, "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: x\","
	    "\"parameters\":{\"migrate_to_chat_id\":1e300}}");
	ok(r.cls == TG_BAD_REQUEST && r.migrate_to == 0, "an out-of-range id is ignored");

	is_str(tg_class_name(TG_NOT_MODIFIED), "not_modified", "tg_class_name");
	is_str(tg_class_name(TG_RETRY_AFTER), "retry_after", "tg_class_name retry_after");
}

/* A one-thread HTTP/1.1 server that answers a script of raw responses, keeping connections. */
struct fake {
	int		 lfd;
	int		 port;
	const char	*resp[4];	/* raw responses; "BIG" = a 9 MB body */
	int		 nresp;
	int		 accepts;
	char		 req[4][2048];	/* head and body of each request */
};

static int
listen_local(int *port)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 || listen(fd, 8) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) == -1) {
		perror("listen_local");
		exit(2);
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

/* Reads one request into out; 0 ok, -1 when the peer closed. */
static int
fake_read_request(int fd, char *out, size_t outsz)
{
	char buf[8192];
	size_t n = 0;
	long clen = -1;
	char *end;

	for (;;) {
		ssize_t r;

		buf[n] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) != NULL) {
			char *cl = strcasestr(buf, "\r\nContent-Length:");

			clen = cl ? strtol(cl + 17, NULL, 10) : 0;
			if (n >= (size_t)(end + 4 - buf) + (size_t)clen)
				break;
		}
		if (n >= sizeof(buf) - 1 || (r = read(fd, buf + n, sizeof(buf) - 1 - n)) <= 0)
			return -1;
		n += (size_t)r;
	}
	str_copy(out, outsz, buf);
	return 0;
}

static void *
fake_main(void *arg)
{
	struct fake *f = arg;
	int served = 0;

	while (served < f->nresp) {
		int cfd = accept(f->lfd, NULL, NULL);

		if (cfd == -1)
			break;
		f->accepts++;
		while (served < f->nresp &&
		    fake_read_request(cfd, f->req[served], sizeof(f->req[0])) == 0) {
			const char *r = f->resp[served++];

			if (strcmp(r, "BIG") == 0) {
				static char chunk[65536];
				const char *head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
				    "Content-Length: 9437184\r\n\r\n";
				int i;

				memset(chunk, ' ', sizeof(chunk));
				send(cfd, head, strlen(head), MSG_NOSIGNAL);
				for (i = 0; i < 144; i++)
					if (send(cfd, chunk, sizeof(chunk), MSG_NOSIGNAL) <= 0)
						break;
			} else
				send(cfd, r, strlen(r), MSG_NOSIGNAL);
		}
		close(cfd);
	}
	return NULL;
}

static void
test_call_server(void)
{
	static const char ok_body[] = "{\"ok\":true,\"result\":{\"id\":123456,\"is_bot\":true,"
	    "\"first_name\":\"Back office\",\"username\":\"backoffice_bot\"}}";
	static const char r429[] = "{\"ok\":false,\"error_code\":429,\"description\":"
	    "\"Too Many Requests: retry after 3\",\"parameters\":{\"retry_after\":3}}";
	char resp0[512], resp1[512], url[64];
	struct fake f;
	struct tg_client *tg;
	struct tg_result r;
	pthread_t th;

	memset(&f, 0, sizeof(f));
	f.lfd = listen_local(&f.port);
	snprintf(resp0, sizeof(resp0), "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\n\r\n%s", strlen(ok_body), ok_body);
	snprintf(resp1, sizeof(resp1), "HTTP/1.1 429 Too Many Requests\r\nContent-Type: "
	    "application/json\r\nContent-Length: %zu\r\n\r\n%s", strlen(r429), r429);
	f.resp[0] = resp0;
	f.resp[1] = resp1;
	f.resp[2] = "BIG";
	f.nresp = 3;
	pthread_create(&th, NULL, fake_main, &f);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", f.port);	/* trailing slash */
	tg = tg_new(url, TOKEN, 5);
	ok(tg != NULL, "tg_new");
	is_int(tg_call(tg, "getMe", NULL, 10, &r), TG_OK, "getMe through a real HTTP exchange");
	is_int(r.http_status, 200, "http status 200");
	is_str(r.result, "{\"id\":123456,\"is_bot\":true,\"first_name\":\"Back office\","
	    "\"username\":\"backoffice_bot\"}", "result passed through");
	ok(strncmp(f.req[0], "POST /bot" TOKEN "/getMe HTTP/1.1\r\n",
	    strlen("POST /bot" TOKEN "/getMe HTTP/1.1\r\n")) == 0,
	    "request line: POST /bot<token>/getMe (one slash after the base)");
	ok(strcasestr(f.req[0], "\r\nContent-Type: application/json\r\n") != NULL,
	    "Content-Type: application/json");
	ok(strcmp(strstr(f.req[0], "\r\n\r\n") + 4, "{}") == 0, "no body sends {}");
	tg_result_release(&r);

	is_int(tg_call(tg, "sendMessage", "{\"chat_id\":42,\"text\":\"привет\"}", 10, &r),
	    TG_RETRY_AFTER, "a 429 answer is TG_RETRY_AFTER");
	ok(r.retry_after == 3 && r.http_status == 429 && !r.connect_failed,
	    "retry_after 3, status 429, it reached the server");
	ok(strcmp(strstr(f.req[1], "\r\n\r\n") + 4, "{\"chat_id\":42,\"text\":\"привет\"}") == 0,
	    "the JSON body is sent as is");
	is_int(f.accepts, 1, "the second call reused the connection");
	tg_result_release(&r);

	is_int(tg_call(tg, "getUpdates", "{}", 10, &r), TG_TRANSIENT,
	    "a body over 8 MB is refused");
	is_str(r.description, "response too large", "described as too large");
	tg_result_release(&r);

	is_int(tg_call(tg, "get/../../x", NULL, 10, &r), TG_BAD_REQUEST,
	    "a method name that would reshape the URL is refused");
	tg_free(tg);
	pthread_join(th, NULL);
	close(f.lfd);
}

static void
test_call_failures(void)
{
	char url[64], line[512];
	struct tg_client *tg;
	struct tg_result r;
	volatile sig_atomic_t stop = 1;
	int port, fd, saved, leaked = 0, named = 0;
	FILE *logf = tmpfile();

	/* capture stderr: no log line may carry the token */
	fflush(stderr);
	saved = dup(2);
	dup2(fileno(logf), 2);
	log_init(1);
	log_set_secret("");	/* prove the client itself keeps the token out */

	fd = listen_local(&port);
	close(fd);		/* nobody listens there now */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
	tg = tg_new(url, TOKEN, 2);
	is_int(tg_call(tg, "sendMessage", "{}", 5, &r), TG_TRANSIENT,
	    "a closed port is TG_TRANSIENT");
	ok(r.connect_failed, "connect_failed: it surely never reached the server");
	ok(r.latency_ms < 2000, "and it fails quickly");
	ok(r.http_status == 0, "no HTTP status");
	ok(r.description[0] != '\0' && strstr(r.description, TOKEN) == NULL &&
	    strstr(r.description, "/bot") == NULL, "the description names no token or URL");
	tg_free(tg);

	/* a server that accepts (in the kernel) but never answers */
	fd = listen_local(&port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
	tg = tg_new(url, TOKEN, 2);
	is_int(tg_call(tg, "getUpdates", "{\"timeout\":0}", 1, &r), TG_TRANSIENT,
	    "a silent server times out as TG_TRANSIENT");
	ok(!r.connect_failed, "a timeout is ambiguous: not connect_failed");
	ok(r.latency_ms >= 900 && r.latency_ms < 5000, "after about the 1 s timeout");
	tg_set_abort_flag(tg, &stop);
	is_int(tg_call(tg, "getUpdates", "{\"timeout\":50}", 60, &r), TG_TRANSIENT,
	    "the abort flag ends a held call");
	ok(r.latency_ms < 3000, "quickly, not after the 60 s timeout");
	is_str(r.description, "aborted by shutdown", "described as aborted");
	tg_free(tg);
	close(fd);

	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	log_init(0);
	rewind(logf);
	while (fgets(line, sizeof(line), logf) != NULL) {
		if (strstr(line, TOKEN) != NULL || strstr(line, "AAHdqTcv") != NULL)
			leaked = 1;
		if (strstr(line, "getUpdates") != NULL)
			named = 1;
	}
	fclose(logf);
	ok(named, "the log names the method");
	ok(!leaked, "the log never contains the token");
}

int
main(void)
{
	test_classes();
	test_call_server();
	test_call_failures();
	return done_testing();
}
