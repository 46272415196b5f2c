/*
 * demo_partners.c — the partners' cards: names, legal forms, INNs with their check digits, the
 * contact person in the right gender, a personal address and phone, notes and assignees. Partner i
 * is drawn from its own PRNG stream, so a 10,000 run starts with the default 20.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/demo/demo.h"

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
/* Partner i: the card and its creation record. Every partner starts active; what happens to it
 * later (suspended, blocked, archived) is its billing story's (demo_billing.c). 0 ok, -1 error. */
int
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

