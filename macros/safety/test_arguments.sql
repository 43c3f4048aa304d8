{% macro column_list_argument(test_name, columns) %}
    {#- The `columns` argument of a generic test as a non-empty list of names, or a compile error
        naming the test, the model and the fix. A bare string would otherwise be iterated letter by
        letter (`columns: customer_id` -> columns c, u, s, ...) and an empty list would render
        broken SQL: both surfaced as a database error about some other column. dbt renders generic
        tests while parsing, so the error stops the parse and dbt adds the test's name and file.
        Call it package-qualified (customer_segmentation.column_list_argument): a host project that
        uses these tests renders them in its own namespace, where the bare name is undefined. -#}
    {%- if columns is string or columns is mapping or columns is not iterable or columns | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "Test " ~ test_name ~ ": argument `columns` must be a non-empty list of column "
            ~ "names, got " ~ (columns | tojson) ~ ". Fix: arguments: {columns: [customer_id, segment_id]}.") }}
    {%- endif -%}
    {{ return(columns | list) }}
{% endmacro %}
