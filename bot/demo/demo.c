/*
 * demo.c — demo data for `make run` and the benchmarks: a small team with every role and N
 * partners (realistic Russian education and service centres).
 *
 * Idempotent: the team is refreshed on every run; partners are added only to a database that has
 * none, in one transaction, then given two years of billing (demo_billing.c: it runs the jobs,
 * which commit as they go) and their activity. The partners are deterministic: partner i is
 * drawn from its own PRNG stream (fixed seed), so the first 20 of a 10,000 run are the default 20;
 * only the dates move with today.
 *
 * Names: a short hand-written list first, then "<kind> <word>" for every kind and word in a
 * scrambled order, then the same with a suffix ("Плюс", "на Садовой", …): about 15,000 distinct
 * names before any repeats (a repeated name gets "-2", "-3", … on its slug from storage).
 * INNs are made unique by a serial derived from i (a bijection below 100,000 for organisations and
 * 1,000,000 for sole traders), completed with their check digits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/bot.h"
#include "bot/demo/demo.h"
#include "handlers/handlers.h"
#include "storage/storage.h"

static const struct demo_member {
	int64_t		 id;
	const char	*username;
	const char	*name;
	unsigned	 roles;
} demo_team[] = {
	{ DEMO_ADMIN, "anna_admin", "Анна Смирнова", ROLE_SUPERADMIN },
	{ 100000002, "igor_support", "Игорь Петров", ROLE_SUPPORT },
	{ 100000003, "olga_dev", "Ольга Кузнецова", ROLE_DEVELOPER },
	{ DEMO_BILLING, "pavel_billing", "Павел Соколов", ROLE_BILLING },
	{ DEMO_MANAGER, "maria_manager", "Мария Волкова", ROLE_MANAGER | ROLE_BILLING },
};

/* Who partners are assigned to: the support and manager members, or nobody (0). */
static const int64_t demo_assignees[] = { 100000002, DEMO_MANAGER, 100000002, 0 };

/* Names that come first, as a person would have typed them. */
static const char *const demo_names_first[] = {
	"Умка", "Знайка", "Полиглот", "Лингва Плюс", "Академия роста",
	"Шахматная школа Гроссмейстер", "Танцевальная студия Ритм", "Робошкола",
	"Арт-студия Палитра", "Детский центр Солнышко", "Почемучка", "Эрудит",
	"Музыкальная школа Камертон", "Центр развития Радуга", "Английский клуб Оксфорд",
	"Логопедический центр Говорушка", "Школа скорочтения Турбо", "Театральная студия Маска",
	"Семейный центр Теремок", "Футбольная школа Чемпион", "Студия йоги Баланс",
	"Учебный центр Перспектива", "Клуб программистов Код", "Вокальная студия Тембр",
	"Школа рисования Акварель", "Центр подготовки к ЕГЭ Интеллект", "Бэби-клуб Карапуз",
	"Творческая мастерская Мозаика", "Спортивный клуб Олимп", "Математический кружок Пифагор",
};

static const char *const demo_kinds[] = {
	"", "Детский центр", "Центр развития", "Школа", "Языковая школа", "Шахматная школа",
	"Танцевальная студия", "Арт-студия", "Студия", "Академия", "Клуб", "Музыкальная школа",
	"Робошкола", "Учебный центр", "Образовательный центр", "Логопедический центр",
	"Спортивный клуб", "Театральная студия", "Вокальная студия", "Школа программирования",
	"Лингвистический центр", "Семейный центр", "Творческая мастерская", "Центр подготовки",
};

static const char *const demo_words[] = {
	"Умка", "Знайка", "Полиглот", "Лингва", "Ритм", "Палитра", "Солнышко", "Гроссмейстер",
	"Радуга", "Почемучка", "Эрудит", "Созвездие", "Пифагор", "Лидер", "Импульс", "Гармония",
	"Вектор", "Старт", "Орбита", "Маяк", "Парус", "Атлант", "Галактика", "Синяя птица",
	"Теремок", "Звёздочка", "Капелька", "Кругозор", "Логос", "Абвгдейка", "Буквоежка",
	"Колибри", "Алые паруса", "Акварель", "Камертон", "Фортуна", "Многогранник", "Интеллект",
	"Перспектива", "Горизонт", "Династия", "Эврика", "Юный гений", "Светлячок", "Мозаика",
	"Лабиринт", "Квант", "Сигма", "Альфа", "Омега", "Дельфин", "Чемпион", "Олимп", "Триумф",
	"Баланс", "Грация", "Фламинго", "Легато", "Аллегро", "Крещендо", "Сказка", "Родничок",
	"Вундеркинд", "Смарт", "Академик", "Мудрая сова", "Совёнок", "Непоседа", "Карапуз",
	"Жар-птица", "Ёлочка", "Берёзка", "Улыбка", "Росток", "Премьер", "Меридиан", "Полярис",
	"Ломоносов", "Архимед", "Менделеев",
};

static const char *const demo_suffixes[] = {
	"Плюс", "Про", "Юниор", "Мини", "на Садовой", "на Лесной", "на Набережной",
};

/* Legal forms of organisations (10-digit INN); sole traders ("ИП") are drawn separately. */
static const char *const demo_org_forms[] = { "ООО", "ООО", "ООО", "АНО ДО", "ЧУ ДО" };

static const char *const demo_male[] = {
	"Александр", "Алексей", "Андрей", "Дмитрий", "Сергей", "Иван", "Михаил", "Николай",
	"Павел", "Роман", "Евгений", "Максим", "Артём", "Владимир", "Кирилл", "Олег", "Игорь",
	"Денис", "Антон", "Илья", "Григорий", "Константин",
};
static const char *const demo_female[] = {
	"Анна", "Мария", "Елена", "Ольга", "Наталья", "Екатерина", "Татьяна", "Ирина",
	"Светлана", "Юлия", "Анастасия", "Марина", "Виктория", "Дарья", "Ксения", "Полина",
	"Алина", "Вера", "Людмила", "Надежда", "Евгения", "Софья",
};
/* Male forms; demo_surname makes the female one (-ов → -ова, -ский → -ская, -ко unchanged). */
static const char *const demo_surnames[] = {
	"Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
	"Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
	"Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин",
	"Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов",
	"Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв",
	"Гусев", "Киселёв", "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв",
	"Белов", "Медведев", "Антонов", "Тарасов", "Жуков", "Баранов", "Филиппов", "Комаров",
	"Давыдов", "Беляев", "Герасимов", "Богданов", "Осипов", "Сидоров", "Матвеев", "Титов",
	"Марков", "Миронов", "Крылов", "Куликов", "Карпов", "Власов", "Мельников", "Денисов",
	"Вишневский", "Покровский", "Успенский", "Шевченко", "Коваленко", "Бондаренко",
};
static const struct {
	const char	*male, *female;
} demo_patronymics[] = {
	{ "Викторович", "Викторовна" },		{ "Александрович", "Александровна" },
	{ "Сергеевич", "Сергеевна" },		{ "Андреевич", "Андреевна" },
	{ "Николаевич", "Николаевна" },		{ "Владимирович", "Владимировна" },
	{ "Михайлович", "Михайловна" },		{ "Игоревич", "Игоревна" },
	{ "Петрович", "Петровна" },		{ "Юрьевич", "Юрьевна" },
	{ "Олегович", "Олеговна" },		{ "Дмитриевич", "Дмитриевна" },
	{ "Евгеньевич", "Евгеньевна" },		{ "Анатольевич", "Анатольевна" },
};

/* Tax regions: Moscow, St Petersburg, Moscow region, Sverdlovsk, Tatarstan, Novosibirsk, … */
static const char *const demo_regions[] = {
	"77", "77", "77", "78", "78", "50", "50", "66", "16", "54", "63", "52", "23", "61", "74",
	"02", "24", "59", "36", "38",
};
/* Mobile codes after +7 9. */
static const char *const demo_mobile[] = {
	"16", "26", "03", "05", "85", "99", "21", "11", "12", "50", "52", "60", "63", "77", "81",
	"15", "25", "31", "65", "85",
};
static const char *const demo_mail_domains[] = {
	"mail.ru", "mail.ru", "yandex.ru", "yandex.ru", "gmail.com", "bk.ru", "list.ru",
};

static const char *const demo_notes[] = {
	"Просили напоминать об оплате за три дня до срока.",
	"Интересуются онлайн-оплатой абонементов.",
	"Переходят с Excel: нужен импорт клиентов и расписания.",
	"Ключевой клиент, участвуют в пилоте нового расписания.",
	"Звонить после 15:00, до обеда идут занятия.",
	"Планируют открыть ещё один филиал в этом году.",
	"Нужна помощь с настройкой SMS-рассылок.",
	"Бухгалтерия просит закрывающие документы по ЭДО.",
	"Пришли по рекомендации от другого партнёра.",
	"Жаловались на медленную загрузку журнала посещений.",
};

uint64_t
demo_next(struct demo_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The modulo bias is irrelevant here. */
uint64_t
demo_below(struct demo_rng *r, uint64_t n)
{
	return demo_next(r) % n;
}

/* The display name of partner i. */
static void
demo_name(int64_t i, char *out, size_t outsz)
{
	const uint64_t nk = NELEM(demo_kinds), nw = NELEM(demo_words), ns = NELEM(demo_suffixes);
	const uint64_t plain = nk * nw, total = plain * (1 + ns);
	uint64_t j = (uint64_t)i;
	const char *kind, *word;

	if (j < NELEM(demo_names_first)) {
		str_copy(out, outsz, demo_names_first[j]);
		return;
	}
	j = (j - NELEM(demo_names_first)) % total;
	/* 7919 is prime and divides neither block size: each block is scrambled, not repeated. */
	if (j < plain)
		j = j * 7919 % plain;
	else
		j = plain + (j - plain) * 7919 % (plain * ns);
	kind = demo_kinds[j % nk];
	word = demo_words[j / nk % nw];
	if (j < plain)
		snprintf(out, outsz, "%s%s%s", kind, kind[0] ? " " : "", word);
	else
		snprintf(out, outsz, "%s%s%s %s", kind, kind[0] ? " " : "", word,
		    demo_suffixes[j / plain - 1]);
}

/* The surname in the person's gender. */
static void
demo_surname(const char *male, int female, char *out, size_t outsz)
{
	size_t n = strlen(male);

	if (!female)
		str_copy(out, outsz, male);
	else if (n > 4 && strcmp(male + n - 4, "ий") == 0)
		snprintf(out, outsz, "%.*sая", (int)(n - 4), male);
	else if (n > 2 && (strcmp(male + n - 2, "в") == 0 || strcmp(male + n - 2, "н") == 0))
		snprintf(out, outsz, "%sа", male);
	else
		str_copy(out, outsz, male);	/* Шевченко */
}

/* An INN whose serial part comes from i, so two partners never share one (below 10^5 / 10^6). */
static void
demo_inn(struct demo_rng *r, int64_t i, int sole_trader, char *out)
{
	char lead[16];
	unsigned office = 1 + (unsigned)demo_below(r, 40);
	const char *region = DEMO_PICK(r, demo_regions);

	if (sole_trader)
		snprintf(lead, sizeof(lead), "%s%02u%06llu", region, office,
		    (unsigned long long)(((uint64_t)i * 7919 + 104729) % 1000000));
	else
		snprintf(lead, sizeof(lead), "%s%02u%05llu", region, office,
		    (unsigned long long)(((uint64_t)i * 7919 + 10007) % 100000));
	inn_complete(lead, out);
}

/* A personal address from the person's name: anna.smirnova84@mail.ru. */
static void
demo_personal_email(struct demo_rng *r, const char *first, const char *last, char *out,
    size_t outsz)
{
	char both[256], local[80];
	size_t k;

	snprintf(both, sizeof(both), "%s %s", first, last);
	slug_from_name(both, local, sizeof(local));
	for (k = 0; local[k] != '\0'; k++)
		if (local[k] == '-')
			local[k] = demo_below(r, 2) ? '.' : '_';
	if (demo_below(r, 2))
		snprintf(out, outsz, "%s%02u@%s", local, (unsigned)(70 + demo_below(r, 30)),
		    DEMO_PICK(r, demo_mail_domains));
	else
		snprintf(out, outsz, "%s@%s", local, DEMO_PICK(r, demo_mail_domains));
}

int
demo_audit(struct db *db, int64_t partner_id, const char *action, const char *reason,
    const char *detail)
{
	struct audit_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.at = clock_now();
	rec.partner_id = partner_id;
	str_copy(rec.action, sizeof(rec.action), action);
	str_copy(rec.reason, sizeof(rec.reason), reason);
	str_copy(rec.detail, sizeof(rec.detail), detail);
	return audit_append(db, &rec);
}

/* Partner i: the card and its creation record. Every partner starts active; what happens to it
 * later (suspended, blocked, archived) is its billing story's (demo_billing.c). 0 ok, -1 error. */
static int
demo_partner(struct db *db, int64_t i, int64_t today, int64_t *id)
{
	struct demo_rng rng = { DEMO_SEED ^ ((uint64_t)i * 0xd1342543de82ef95ull) };
	struct demo_rng *r = &rng;
	struct partner p;
	char name[128], first[64], last[64], base_slug[sizeof(p.slug)];
	const char *form;
	int female, sole = demo_below(r, 100) < 25, info_mail, tries;
	int64_t dup = 0;
	uint64_t x;

	memset(&p, 0, sizeof(p));
	demo_name(i, name, sizeof(name));
	str_copy(p.name, sizeof(p.name), name);
	slug_from_name(p.name, p.slug, sizeof(p.slug));
	str_copy(base_slug, sizeof(base_slug), p.slug);

	/* the contact person; for a sole trader, the owner */
	female = demo_below(r, 100) < 68;
	str_copy(first, sizeof(first), female ? DEMO_PICK(r, demo_female) : DEMO_PICK(r, demo_male));
	demo_surname(DEMO_PICK(r, demo_surnames), female, last, sizeof(last));
	snprintf(p.contact_name, sizeof(p.contact_name), "%s %s", first, last);
	if (sole) {
		x = demo_below(r, NELEM(demo_patronymics));
		snprintf(p.legal_name, sizeof(p.legal_name), "ИП %s %s %s", last, first,
		    female ? demo_patronymics[x].female : demo_patronymics[x].male);
	} else {
		form = DEMO_PICK(r, demo_org_forms);
		snprintf(p.legal_name, sizeof(p.legal_name), "%s «%s»", form, name);
	}

	snprintf(p.phone, sizeof(p.phone), "+79%s%07llu", DEMO_PICK(r, demo_mobile),
	    (unsigned long long)demo_below(r, 10000000));
	info_mail = demo_below(r, 100) < (sole ? 20 : 55);
	if (info_mail)
		snprintf(p.email, sizeof(p.email), "info@%s.ru", p.slug);
	else
		demo_personal_email(r, first, last, p.email, sizeof(p.email));

	p.status = PARTNER_ACTIVE;
	p.connected_on = today - (int64_t)(1 + demo_below(r, 730)) * DAY;
	x = demo_below(r, 100);
	p.branches = x < 55 ? 1 : x < 78 ? 2 : x < 90 ? 3 : 4 + (int64_t)demo_below(r, 9);
	p.users = p.branches * (2 + (int64_t)demo_below(r, 9)) + (int64_t)demo_below(r, 4);
	if (p.users > 120)
		p.users = 120;
	p.assigned_to = DEMO_PICK(r, demo_assignees);
	if (demo_below(r, 100) < 30)
		str_copy(p.notes, sizeof(p.notes), DEMO_PICK(r, demo_notes));

	/* a taken INN (only possible past the serials' range) gets another region and office */
	for (tries = 0;; tries++) {
		demo_inn(r, i + tries * 1000003, sole, p.inn);
		switch (partner_insert(db, &p, p.connected_on + (9 + (int64_t)demo_below(r, 9)) * 3600,
		    &dup)) {
		case 1:
			goto inserted;
		case 0:
			if (tries < 20)
				continue;
			log_error("demo: no free INN for partner %lld", (long long)i);
			return -1;
		default:
			return -1;
		}
	}
inserted:
	/* storage made the slug unique ("-2"): the website follows it */
	if (info_mail && strcmp(p.slug, base_slug) != 0) {
		snprintf(p.email, sizeof(p.email), "info@%s.ru", p.slug);
		if (partner_update(db, &p, p.created_at, &dup) != 1)
			return -1;
	}
	*id = p.id;
	return demo_audit(db, p.id, "partner.create", "", "demo data");
}

/*
 * Activity history: DEMO_HISTORY_DAYS days up to now through activity_add (one login event per
 * active user and day, the day's operations as one event), for the first DEMO_HISTORY_PARTNERS
 * partners — the benchmarks load larger histories themselves. Among active partners, counted in
 * order, every seventh from the third went quiet 20–40 days ago (dormant) and the sixth dropped
 * sharply this week. A partner that left active kept a trickle (suspended: read-only) or nothing
 * (blocked, archived) after its status changed. Every partner gets data volumes.
 */
#define DEMO_HISTORY_DAYS 60
#define DEMO_HISTORY_PARTNERS 300

enum demo_profile { DEMO_REGULAR, DEMO_DORMANT, DEMO_DROP };

/* One day's events of partner p: 0/-1. busy is the share of users active (percent). */
static int
demo_day(struct db *db, struct demo_rng *r, const struct partner *p, int64_t day_start,
    int64_t now, int busy)
{
	struct activity_event_in e;
	int64_t u, users = p->users > 0 ? p->users : 1, ops = 0, at;

	memset(&e, 0, sizeof(e));
	e.partner_id = p->id;
	for (u = 1; u <= users; u++) {
		if ((int)demo_below(r, 100) >= busy)
			continue;
		at = day_start + (8 + (int64_t)demo_below(r, 13)) * 3600 +
		    (int64_t)demo_below(r, 3600);
		if (at > now)
			continue;
		e.type = EVENT_LOGIN;
		e.at = at;
		e.user_id = p->id * 1000 + u;	/* the CRM's user ids: distinct per partner */
		e.count = 1 + (demo_below(r, 4) == 0);
		if (activity_add(db, &e, now) == -1)
			return -1;
		ops += 3 + (int64_t)demo_below(r, 25);
	}
	if (ops == 0)
		return 0;
	e.type = EVENT_OPERATION;
	e.at = day_start + 20 * 3600 < now ? day_start + 20 * 3600 : now;
	e.user_id = 0;
	e.count = ops;
	return activity_add(db, &e, now);
}

/* Partner i (our id) and its place among the active partners so far (advanced here). */
static int
demo_history(struct db *db, int64_t i, int64_t id, int64_t *active, int64_t today, int64_t now)
{
	struct demo_rng rng = { DEMO_SEED ^ 0x616374697669ull ^ ((uint64_t)i * 0x9e3779b97f4a7c15ull) };
	struct partner_status_change ch;
	struct partner p;
	struct volume v;
	enum demo_profile profile = DEMO_REGULAR;
	int64_t day, from, until = today, changed = 0;
	int busy, weekday;

	if (partner_get(db, id, &p) != 1)
		return -1;
	if (p.status == PARTNER_ACTIVE) {
		if (*active % 7 == 2)
			profile = DEMO_DORMANT;
		else if (*active % 13 == 5)
			profile = DEMO_DROP;
		(*active)++;
	}
	if (profile == DEMO_DORMANT)
		until = today - (20 + (int64_t)demo_below(&rng, 21)) * DAY;
	if (p.status != PARTNER_ACTIVE && partner_history(db, p.id, &ch, 1) == 1)
		changed = ch.at / DAY * DAY;
	from = today - (DEMO_HISTORY_DAYS - 1) * DAY;
	if (from < p.connected_on)
		from = p.connected_on;
	if (i >= DEMO_HISTORY_PARTNERS)
		until = from - DAY;	/* volumes only */
	for (day = from; day <= until; day += DAY) {
		weekday = (int)((day / DAY + 4) % 7);	/* 0 = Sunday: 1970-01-01 was a Thursday */
		busy = weekday == 0 ? 25 : weekday == 6 ? 45 : 70;
		if (changed && day >= changed)
			busy = p.status == PARTNER_SUSPENDED ? busy / 8 : 0;
		if (profile == DEMO_DROP && day > today - 7 * DAY)
			busy /= 6;
		/* a day now and then without anyone: "every day or two" */
		if (busy == 0 || demo_below(&rng, 100) < 12)
			continue;
		if (demo_day(db, &rng, &p, day, now, busy) == -1)
			return -1;
	}
	memset(&v, 0, sizeof(v));
	v.partner_id = p.id;
	v.clients = p.users * (15 + (int64_t)demo_below(&rng, 40));
	v.lessons = v.clients * (8 + (int64_t)demo_below(&rng, 30));
	v.payments = v.clients * (2 + (int64_t)demo_below(&rng, 10));
	v.db_bytes = (v.clients * 6 + v.lessons + v.payments) * 1024 +
	    (int64_t)demo_below(&rng, 4 << 20);
	v.updated_at = now;
	return volume_set(db, &v);
}

/* Adds the n partners in one transaction, then their billing history (which commits as it
 * goes, like the jobs it runs), then their activity: the activity follows the statuses billing
 * left. ids: room for n. 0/-1. */
static int
demo_partners(struct db *db, int64_t n, int64_t *ids)
{
	int64_t k, today = clock_now() / DAY * DAY, active = 0;

	if (db_begin(db) == -1)
		return -1;
	for (k = 0; k < n; k++)
		if (demo_partner(db, k, today, &ids[k]) == -1) {
			log_error("demo: partner %lld: %s", (long long)k, db_errmsg(db));
			goto fail;
		}
	if (db_commit(db) == -1 || demo_billing(db, ids, n) == -1 || db_begin(db) == -1)
		return -1;
	for (k = 0; k < n; k++)
		if (demo_history(db, k, ids[k], &active, today, clock_now()) == -1) {
			log_error("demo: activity of partner %lld: %s", (long long)k,
			    db_errmsg(db));
			goto fail;
		}
	return db_commit(db);
fail:
	db_rollback(db);
	return -1;
}

int
demo_seed(const char *database, int64_t partners, FILE *report)
{
	char errbuf[256];
	struct db *db;
	size_t i;
	unsigned r;
	int64_t existing, *ids = NULL;
	int rc = -1;

	db = db_open(database, errbuf, sizeof(errbuf));
	if (db == NULL) {
		log_error("cannot open database '%s': %s", database, errbuf);
		return -1;
	}
	/* Demo data lost to a crash of the machine is made again: no fsync for the history's
	 * thousands of small commits (the jobs commit each item), which halves the time. */
	if (db_exec_fixed(db, "PRAGMA synchronous = OFF") == -1 || db_begin(db) == -1)
		goto out;
	for (i = 0; i < NELEM(demo_team); i++) {
		const struct demo_member *m = &demo_team[i];

		if (team_upsert(db, m->id, m->username, m->name, clock_now()) == -1)
			goto fail;
		for (r = 1; r <= ROLE_MANAGER; r <<= 1)
			if ((m->roles & r) && team_grant(db, m->id, r, 0, clock_now()) == -1)
				goto fail;
	}
	if ((existing = partner_count(db)) < 0 || db_commit(db) == -1)
		goto fail;
	if (existing > 0 && partners > 0) {
		if (report != NULL)
			fprintf(report, "%lld partners already exist: none added\n",
			    (long long)existing);
	} else if (partners > 0) {
		if ((ids = calloc((size_t)partners, sizeof(*ids))) == NULL ||
		    demo_partners(db, partners, ids) == -1)
			goto out;
		existing = partners;
	}
	if (report != NULL) {
		fprintf(report, "demo data in '%s': %zu team members, %lld partners\n", database,
		    NELEM(demo_team), (long long)existing);
		if (ids != NULL)
			demo_billing_report(db, ids, partners, report);
	}
	rc = 0;
	goto out;
fail:
	db_rollback(db);
out:
	free(ids);
	db_close(db);
	return rc;
}
