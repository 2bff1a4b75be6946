/* Suite "param": typed parameter values, their Python and JSON text, and
 * parameter sets.
 *
 * Every expected Python text below is what Python 3.11's repr() prints for
 * the same value (checked with /usr/bin/python3 -c 'print(repr(x))'). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/param.h"

/* ---- values built for the tests ---------------------------------------- */

static struct gcv_value null_value(void)
{
    struct gcv_value v = {0};
    v.kind = GCV_VALUE_NULL;
    return v;
}

static struct gcv_value bool_value(bool b)
{
    struct gcv_value v = {0};
    v.kind = GCV_VALUE_BOOL;
    v.boolean = b;
    return v;
}

static struct gcv_value int_value(long long i)
{
    struct gcv_value v = {0};
    v.kind = GCV_VALUE_INT;
    v.integer = i;
    v.real = (double)i;
    return v;
}

static struct gcv_value real_value(double x)
{
    struct gcv_value v = {0};
    v.kind = GCV_VALUE_REAL;
    v.real = x;
    return v;
}

/* The string is borrowed: the value must not be cleared. */
static struct gcv_value string_value(const char *s)
{
    struct gcv_value v = {0};
    v.kind = GCV_VALUE_STRING;
    v.string = (char *)s;
    return v;
}

/* ---- gcv_format_double -------------------------------------------------- */

static const struct {
    double x;
    const char *python;
} repr_cases[] = {
    {0.001, "0.001"},
    {1e-05, "1e-05"},
    {0.1 + 0.2, "0.30000000000000004"},
    {100.0, "100.0"},
    {1e16, "1e+16"},
    {1e+22, "1e+22"},
    {-0.0, "-0.0"},
    {123456789012.0, "123456789012.0"},
    {1e15, "1000000000000000.0"},
    {9999999999999998.0, "9999999999999998.0"},
    {-1e16, "-1e+16"},
    {12345678901234567.0, "1.2345678901234568e+16"},
    {0.0001, "0.0001"},
    {1.5e-07, "1.5e-07"},
    {1.0 / 3.0, "0.3333333333333333"},
    {123.456, "123.456"},
    {0.5, "0.5"},
    {5e-324, "5e-324"},
    {1.7976931348623157e+308, "1.7976931348623157e+308"},
};

START_TEST(format_double_matches_python_repr)
{
    char text[64];

    for (size_t i = 0; i < sizeof repr_cases / sizeof repr_cases[0]; i++) {
        int n = gcv_format_double(repr_cases[i].x, true, text, sizeof text);

        ck_assert_msg(strcmp(text, repr_cases[i].python) == 0, "%a printed as %s, Python: %s",
                      repr_cases[i].x, text, repr_cases[i].python);
        ck_assert_int_eq(n, (int)strlen(repr_cases[i].python));
    }
}
END_TEST

START_TEST(format_double_nan_and_infinities)
{
    char text[64];

    gcv_format_double(NAN, true, text, sizeof text);
    ck_assert_str_eq(text, "nan");
    gcv_format_double(INFINITY, true, text, sizeof text);
    ck_assert_str_eq(text, "inf");
    gcv_format_double(-INFINITY, true, text, sizeof text);
    ck_assert_str_eq(text, "-inf");

    gcv_format_double(NAN, false, text, sizeof text);
    ck_assert_str_eq(text, "NaN");
    gcv_format_double(INFINITY, false, text, sizeof text);
    ck_assert_str_eq(text, "Infinity");
    gcv_format_double(-INFINITY, false, text, sizeof text);
    ck_assert_str_eq(text, "-Infinity");
}
END_TEST

/* Without python_style the text is the shortest %g form that reads back
 * exactly, with no ".0" rule, so 100.0 becomes "1e+02". */
START_TEST(format_double_plain_style)
{
    static const double values[] = {100.0, 1e16, 0.1 + 0.2, 1e-05, -0.0, 123456789012.0,
                                    12345678901234567.0, 5e-324};
    char text[64];

    gcv_format_double(100.0, false, text, sizeof text);
    ck_assert_str_eq(text, "1e+02");
    gcv_format_double(0.1 + 0.2, false, text, sizeof text);
    ck_assert_str_eq(text, "0.30000000000000004");
    gcv_format_double(1e-05, false, text, sizeof text);
    ck_assert_str_eq(text, "1e-05");

    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        gcv_format_double(values[i], false, text, sizeof text);
        ck_assert_msg(strtod(text, NULL) == values[i], "%a printed as %s", values[i], text);
    }
}
END_TEST

START_TEST(format_double_reports_needed_length)
{
    char text[4];
    int n = gcv_format_double(0.1 + 0.2, true, text, sizeof text);

    ck_assert_int_eq(n, 19);
    ck_assert_str_eq(text, "0.3");
}
END_TEST

/* ---- values ------------------------------------------------------------- */

START_TEST(value_as_number_accepts_only_numbers)
{
    struct gcv_value i = int_value(-4), r = real_value(0.25), s = string_value("1");
    struct gcv_value b = bool_value(true), z = null_value();
    double x = 99.0;

    ck_assert(gcv_value_as_number(&i, &x));
    ck_assert_double_eq(x, -4.0);
    ck_assert(gcv_value_as_number(&r, &x));
    ck_assert_double_eq(x, 0.25);

    x = 99.0;
    ck_assert(!gcv_value_as_number(&s, &x));
    ck_assert(!gcv_value_as_number(&b, &x));
    ck_assert(!gcv_value_as_number(&z, &x));
    ck_assert_double_eq(x, 99.0);
}
END_TEST

/* 1 and 1.0 are different values here, because cv_results prints them
 * differently (1 and 1.0), although Python's == calls them equal. */
START_TEST(value_equal_tells_int_from_real)
{
    struct gcv_value one = int_value(1), one_real = real_value(1.0);
    struct gcv_value other_one = int_value(1), two = int_value(2);

    ck_assert(!gcv_value_equal(&one, &one_real));
    ck_assert(!gcv_value_equal(&one_real, &one));
    ck_assert(gcv_value_equal(&one, &other_one));
    ck_assert(!gcv_value_equal(&one, &two));
}
END_TEST

START_TEST(value_equal_compares_each_kind)
{
    struct gcv_value a, b;

    a = null_value();
    b = null_value();
    ck_assert(gcv_value_equal(&a, &b));

    a = bool_value(true);
    b = bool_value(true);
    ck_assert(gcv_value_equal(&a, &b));
    b = bool_value(false);
    ck_assert(!gcv_value_equal(&a, &b));

    a = real_value(0.1);
    b = real_value(0.1);
    ck_assert(gcv_value_equal(&a, &b));
    b = real_value(0.1 + 0.2);
    ck_assert(!gcv_value_equal(&a, &b));

    /* NaN equals NaN here, so that a grid listing NaN twice is caught as a
     * duplicate. */
    a = real_value(NAN);
    b = real_value(NAN);
    ck_assert(gcv_value_equal(&a, &b));

    a = string_value("rbf");
    b = string_value("rbf");
    ck_assert(gcv_value_equal(&a, &b));
    b = string_value("linear");
    ck_assert(!gcv_value_equal(&a, &b));

    a = string_value("1");
    b = int_value(1);
    ck_assert(!gcv_value_equal(&a, &b));
    a = null_value();
    b = bool_value(false);
    ck_assert(!gcv_value_equal(&a, &b));
}
END_TEST

START_TEST(value_compare_orders_each_kind)
{
    struct gcv_value a, b;

    a = null_value();
    b = bool_value(false);
    ck_assert_int_lt(gcv_value_compare(&a, &b), 0);
    a = bool_value(true);
    ck_assert_int_gt(gcv_value_compare(&a, &b), 0);
    a = int_value(-3);
    b = int_value(2);
    ck_assert_int_lt(gcv_value_compare(&a, &b), 0);
    ck_assert_int_gt(gcv_value_compare(&b, &a), 0);

    /* An int and a real of the same number differ, as for gcv_value_equal. */
    a = int_value(1);
    b = real_value(1.0);
    ck_assert_int_ne(gcv_value_compare(&a, &b), 0);
    a = real_value(0.5);
    b = real_value(NAN);
    ck_assert_int_lt(gcv_value_compare(&a, &b), 0);
    a = string_value("linear");
    b = string_value("rbf");
    ck_assert_int_lt(gcv_value_compare(&a, &b), 0);
}
END_TEST

/* Every pair of a table of values: compare gives 0 exactly when
 * gcv_value_equal holds, and opposite signs when the pair is swapped. */
START_TEST(value_compare_agrees_with_equal)
{
    const struct gcv_value values[] = {
        null_value(),     bool_value(false), bool_value(true), int_value(0),
        int_value(1),     real_value(0.0),   real_value(-0.0), real_value(1.0),
        real_value(NAN),  real_value(NAN),   string_value(""), string_value("rbf"),
        string_value("rbf"),
    };
    const size_t n = sizeof values / sizeof values[0];

    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            const int forward = gcv_value_compare(&values[i], &values[j]);
            const int backward = gcv_value_compare(&values[j], &values[i]);

            ck_assert_msg((forward == 0) == gcv_value_equal(&values[i], &values[j]),
                          "values %zu and %zu: compare %d", i, j, forward);
            ck_assert_msg((forward > 0) == (backward < 0), "values %zu and %zu: %d and %d", i,
                          j, forward, backward);
        }
    }
}
END_TEST

START_TEST(value_format_python_each_kind)
{
    struct gcv_value v;
    char text[64];

    v = null_value();
    gcv_value_format_python(&v, text, sizeof text);
    ck_assert_str_eq(text, "None");
    v = bool_value(true);
    gcv_value_format_python(&v, text, sizeof text);
    ck_assert_str_eq(text, "True");
    v = bool_value(false);
    gcv_value_format_python(&v, text, sizeof text);
    ck_assert_str_eq(text, "False");
    v = int_value(10);
    gcv_value_format_python(&v, text, sizeof text);
    ck_assert_str_eq(text, "10");
    v = int_value(-9007199254740993LL);
    gcv_value_format_python(&v, text, sizeof text);
    ck_assert_str_eq(text, "-9007199254740993");
    v = real_value(10.0);
    gcv_value_format_python(&v, text, sizeof text);
    ck_assert_str_eq(text, "10.0");
    v = real_value(0.001);
    gcv_value_format_python(&v, text, sizeof text);
    ck_assert_str_eq(text, "0.001");
    v = real_value(NAN);
    gcv_value_format_python(&v, text, sizeof text);
    ck_assert_str_eq(text, "nan");
    v = string_value("rbf");
    gcv_value_format_python(&v, text, sizeof text);
    ck_assert_str_eq(text, "'rbf'");
}
END_TEST

/* Python picks double quotes for a string with a single quote and no
 * double quote, and escapes the quote it uses, backslashes and control
 * characters. */
START_TEST(value_format_python_quotes_strings)
{
    static const struct {
        const char *value;
        const char *python;
    } cases[] = {
        {"", "''"},
        {"it's", "\"it's\""},
        {"say \"hi\"", "'say \"hi\"'"},
        {"both ' and \"", "'both \\' and \"'"},
        {"back\\slash", "'back\\\\slash'"},
        {"tab\there", "'tab\\there'"},
        {"nl\n", "'nl\\n'"},
        {"cr\r", "'cr\\r'"},
        {"\x01", "'\\x01'"},
        {"\x7f", "'\\x7f'"},
        {"\xc3\xa9", "'\xc3\xa9'"},
    };
    char text[64];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct gcv_value v = string_value(cases[i].value);
        int n = gcv_value_format_python(&v, text, sizeof text);

        ck_assert_msg(strcmp(text, cases[i].python) == 0, "case %zu printed as %s, Python: %s",
                      i, text, cases[i].python);
        ck_assert_int_eq(n, (int)strlen(cases[i].python));
    }
}
END_TEST

START_TEST(value_format_python_reports_needed_length)
{
    struct gcv_value v = string_value("linear");
    char text[4];

    ck_assert_int_eq(gcv_value_format_python(&v, text, sizeof text), 8);
    ck_assert_str_eq(text, "'li");
}
END_TEST

START_TEST(value_format_json_each_kind)
{
    struct gcv_value v;
    char text[64];

    v = null_value();
    gcv_value_format_json(&v, text, sizeof text);
    ck_assert_str_eq(text, "null");
    v = bool_value(true);
    gcv_value_format_json(&v, text, sizeof text);
    ck_assert_str_eq(text, "true");
    v = bool_value(false);
    gcv_value_format_json(&v, text, sizeof text);
    ck_assert_str_eq(text, "false");
    v = int_value(-7);
    gcv_value_format_json(&v, text, sizeof text);
    ck_assert_str_eq(text, "-7");

    /* Reals keep their ".0", as Python's json.dumps writes 100.0. */
    v = real_value(100.0);
    gcv_value_format_json(&v, text, sizeof text);
    ck_assert_str_eq(text, "100.0");
    v = real_value(1e-05);
    gcv_value_format_json(&v, text, sizeof text);
    ck_assert_str_eq(text, "1e-05");

    /* JSON has no NaN or infinity. */
    v = real_value(NAN);
    gcv_value_format_json(&v, text, sizeof text);
    ck_assert_str_eq(text, "null");
    v = real_value(-INFINITY);
    gcv_value_format_json(&v, text, sizeof text);
    ck_assert_str_eq(text, "null");

    v = string_value("rbf");
    gcv_value_format_json(&v, text, sizeof text);
    ck_assert_str_eq(text, "\"rbf\"");
}
END_TEST

START_TEST(value_format_json_escapes_strings)
{
    struct gcv_value v = string_value("a\"b\\c\nd\x01");
    char text[64];
    int n = gcv_value_format_json(&v, text, sizeof text);

    ck_assert_str_eq(text, "\"a\\\"b\\\\c\\u000ad\\u0001\"");
    ck_assert_int_eq(n, (int)strlen(text));

    n = gcv_value_format_json(&v, text, 3);
    ck_assert_int_eq(n, 22);
    ck_assert_str_eq(text, "\"a");
}
END_TEST

START_TEST(value_copy_is_deep)
{
    char source_text[] = "poly";
    struct gcv_value source = string_value(source_text);
    struct gcv_value copy;
    struct gcv_value real = real_value(2.5);
    struct gcv_error err = {GCV_OK, ""};

    ck_assert_int_eq(gcv_value_copy(&copy, &source, &err), GCV_OK);
    ck_assert_int_eq(copy.kind, GCV_VALUE_STRING);
    ck_assert_ptr_ne(copy.string, source_text);
    source_text[0] = 'P';
    ck_assert_str_eq(copy.string, "poly");

    gcv_value_clear(&copy);
    ck_assert_int_eq(copy.kind, GCV_VALUE_NULL);
    ck_assert_ptr_null(copy.string);
    gcv_value_clear(NULL);

    ck_assert_int_eq(gcv_value_copy(&copy, &real, &err), GCV_OK);
    ck_assert_int_eq(copy.kind, GCV_VALUE_REAL);
    ck_assert_double_eq(copy.real, 2.5);
}
END_TEST

/* ---- parameter sets ----------------------------------------------------- */

START_TEST(param_set_put_appends_in_order)
{
    struct gcv_param_set set = {NULL, 0};
    struct gcv_value c = real_value(0.1), kernel = string_value("rbf");
    struct gcv_error err = {GCV_OK, ""};

    ck_assert_int_eq(gcv_param_set_put(&set, "kernel", &kernel, "params.kernel", &err), GCV_OK);
    ck_assert_int_eq(gcv_param_set_put(&set, "C", &c, NULL, &err), GCV_OK);
    ck_assert_uint_eq(set.count, 2);
    ck_assert_str_eq(set.items[0].name, "kernel");
    ck_assert_str_eq(set.items[0].value.string, "rbf");
    ck_assert_str_eq(set.items[0].where, "params.kernel");
    ck_assert_ptr_ne(set.items[0].value.string, kernel.string);
    ck_assert_str_eq(set.items[1].name, "C");
    ck_assert_double_eq(set.items[1].value.real, 0.1);
    ck_assert_ptr_null(set.items[1].where);
    gcv_param_set_clear(&set);
}
END_TEST

START_TEST(param_set_put_replaces_in_place)
{
    struct gcv_param_set set = {NULL, 0};
    struct gcv_value first = string_value("rbf"), c = int_value(1);
    struct gcv_value second = string_value("linear");
    struct gcv_error err = {GCV_OK, ""};

    gcv_param_set_put(&set, "kernel", &first, "params.kernel (line 3 column 22)", &err);
    gcv_param_set_put(&set, "C", &c, NULL, &err);
    ck_assert_int_eq(gcv_param_set_put(&set, "kernel", &second, "param_grid.kernel[1]", &err),
                     GCV_OK);

    ck_assert_uint_eq(set.count, 2);
    ck_assert_str_eq(set.items[0].name, "kernel");
    ck_assert_str_eq(set.items[0].value.string, "linear");
    ck_assert_str_eq(set.items[0].where, "param_grid.kernel[1]");
    ck_assert_str_eq(set.items[1].name, "C");
    ck_assert_int_eq(set.items[1].value.integer, 1);

    /* A replacement by another kind drops the old string. */
    gcv_param_set_put(&set, "kernel", &c, NULL, &err);
    ck_assert_uint_eq(set.count, 2);
    ck_assert_int_eq(set.items[0].value.kind, GCV_VALUE_INT);
    ck_assert_ptr_null(set.items[0].where);
    gcv_param_set_clear(&set);
}
END_TEST

START_TEST(param_set_find_by_exact_name)
{
    struct gcv_param_set set = {NULL, 0};
    struct gcv_value gamma = string_value("scale"), c = real_value(10.0);
    struct gcv_error err = {GCV_OK, ""};
    const struct gcv_param *found;

    ck_assert_ptr_null(gcv_param_set_find(&set, "C"));
    gcv_param_set_put(&set, "gamma", &gamma, NULL, &err);
    gcv_param_set_put(&set, "C", &c, NULL, &err);

    found = gcv_param_set_find(&set, "C");
    ck_assert_ptr_eq(found, &set.items[1]);
    ck_assert_double_eq(found->value.real, 10.0);
    found = gcv_param_set_find(&set, "gamma");
    ck_assert_ptr_eq(found, &set.items[0]);
    ck_assert_ptr_null(gcv_param_set_find(&set, "c"));
    ck_assert_ptr_null(gcv_param_set_find(&set, "gam"));
    gcv_param_set_clear(&set);
}
END_TEST

START_TEST(param_set_clear_empties_set)
{
    struct gcv_param_set set = {NULL, 0};
    struct gcv_value degree = int_value(3);
    struct gcv_error err = {GCV_OK, ""};

    gcv_param_set_put(&set, "degree", &degree, NULL, &err);
    gcv_param_set_clear(&set);
    ck_assert_uint_eq(set.count, 0);
    ck_assert_ptr_null(set.items);
    ck_assert_ptr_null(gcv_param_set_find(&set, "degree"));

    /* A cleared set can be filled again, and clearing twice or NULL is
     * harmless. */
    gcv_param_set_put(&set, "degree", &degree, NULL, &err);
    ck_assert_uint_eq(set.count, 1);
    gcv_param_set_clear(&set);
    gcv_param_set_clear(&set);
    gcv_param_set_clear(NULL);
}
END_TEST

static Suite *param_suite(void)
{
    Suite *suite = suite_create("param");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, format_double_matches_python_repr);
    tcase_add_test(tc, format_double_nan_and_infinities);
    tcase_add_test(tc, format_double_plain_style);
    tcase_add_test(tc, format_double_reports_needed_length);
    tcase_add_test(tc, value_as_number_accepts_only_numbers);
    tcase_add_test(tc, value_equal_tells_int_from_real);
    tcase_add_test(tc, value_equal_compares_each_kind);
    tcase_add_test(tc, value_compare_orders_each_kind);
    tcase_add_test(tc, value_compare_agrees_with_equal);
    tcase_add_test(tc, value_format_python_each_kind);
    tcase_add_test(tc, value_format_python_quotes_strings);
    tcase_add_test(tc, value_format_python_reports_needed_length);
    tcase_add_test(tc, value_format_json_each_kind);
    tcase_add_test(tc, value_format_json_escapes_strings);
    tcase_add_test(tc, value_copy_is_deep);
    tcase_add_test(tc, param_set_put_appends_in_order);
    tcase_add_test(tc, param_set_put_replaces_in_place);
    tcase_add_test(tc, param_set_find_by_exact_name);
    tcase_add_test(tc, param_set_clear_empties_set);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(param_suite());
    int n_failed;

    srunner_run_all(runner, CK_NORMAL);
    n_failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return n_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
