{#- Data is never code: every identifier or literal that comes from a file, a seed or a var reaches
    SQL through one of these two macros (one home for quoting, used everywhere).
    dbt's adapter.quote() and dbt.string_literal() do not escape embedded quotes. -#}

{% macro quote_identifier(name) -%}
    {#- "name" with every embedded double quote doubled: any byte sequence is a column name. -#}
    {{- return('"' ~ (name | string).replace('"', '""') ~ '"') -}}
{%- endmacro %}

{% macro quote_literal(value) -%}
    {#- 'value' with every embedded single quote doubled: any byte sequence is a string value. -#}
    {{- return("'" ~ (value | string).replace("'", "''") ~ "'") -}}
{%- endmacro %}

{% macro quote_literals(values) -%}
    {#- 'a', 'b', ... for an IN list, each through quote_literal. -#}
    {%- set quoted = [] -%}
    {%- for value in values -%}{%- do quoted.append(quote_literal(value)) -%}{%- endfor -%}
    {{- return(quoted | join(', ')) -}}
{%- endmacro %}
