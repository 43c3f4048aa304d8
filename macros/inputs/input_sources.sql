{#- Where the pipeline reads its inputs from, for kind 'customers' or 'orders'. Precedence:
    the var <kind>_relation (a table already in the warehouse, declared as a dbt source), else the
    var <kind>_path (a CSV/TSV/TXT, optionally gzipped, or Parquet file), else the demo seed.
    When any input var is set, no demo data is mixed in.

    Files are read by an explicit plan decided here at compile time (delimiter, header, column
    names, encoding) instead of DuckDB's sniffer, so one ragged row or a blank last line cannot turn
    the whole file into one column. Unreadable lines are skipped by the reader and kept in DuckDB
    reject tables on the same connection; insert_unreadable_lines() appends them to the base model.
    Every path, header and var reaches SQL through quote_literal / quote_identifier. -#}

{% macro input_kinds() %}
    {{ return({
        'customers': {'path_var': 'customers_path', 'relation_var': 'customers_relation',
                      'columns_var': 'customer_columns', 'seed': 'demo_customers'},
        'orders': {'path_var': 'orders_path', 'relation_var': 'orders_relation',
                   'columns_var': 'order_columns', 'seed': 'demo_orders'},
    }) }}
{% endmacro %}

{% macro input_kind(kind) %}
    {#- 'customers' / 'orders'; the old spellings 'customers_path' / 'orders_path' still work. -#}
    {%- set name = (kind | string) -%}
    {%- if name.endswith('_path') -%}{%- set name = name[:-5] -%}{%- endif -%}
    {%- if name not in input_kinds() -%}
        {{ exceptions.raise_compiler_error("input kind must be 'customers' or 'orders', got " ~ quote_literal(name) ~ ".") }}
    {%- endif -%}
    {{ return(name) }}
{% endmacro %}

{% macro input_var_is_set(name) %}
    {%- set value = var(name, none) -%}
    {{ return(value is not none and (value | string | trim) != '') }}
{% endmacro %}

{% macro any_input_var_is_set() %}
    {%- for spec in input_kinds().values() -%}
        {%- if input_var_is_set(spec.path_var) or input_var_is_set(spec.relation_var) -%}{{ return(true) }}{%- endif -%}
    {%- endfor -%}
    {{ return(false) }}
{% endmacro %}

{% macro has_input(kind) %}
    {#- True when this input exists: its own var is set, or no input var is set (the demo). -#}
    {%- set spec = input_kinds()[input_kind(kind)] -%}
    {{ return(input_var_is_set(spec.relation_var) or input_var_is_set(spec.path_var) or not any_input_var_is_set()) }}
{% endmacro %}

{% macro input_relation(kind, demo_seed=none) %}
    {#- A FROM-clause expression for the raw input: a dbt source for <kind>_relation, the file of
        <kind>_path (CSV read as text, Parquet as stored), or the demo seed.
        input_relation('customers_path', 'demo_customers') is the old spelling of input_relation('customers'). -#}
    {%- set kind = input_kind(kind) -%}
    {%- set spec = input_kinds()[kind] -%}
    {%- if input_var_is_set(spec.relation_var) -%}
        {{ return(warehouse_input_relation(kind)) }}
    {%- elif input_var_is_set(spec.path_var) -%}
        {{ return(read_input_file(input_file_plan(kind))) }}
    {%- endif -%}
    {{ return(ref(spec.seed)) }}
{% endmacro %}

{% macro input_columns(kind) %}
    {#- The input's column names in order (empty at parse time). For files they come from the plan,
        so no query is built from a header. -#}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set kind = input_kind(kind) -%}
    {%- set spec = input_kinds()[kind] -%}
    {%- if not input_var_is_set(spec.relation_var) and input_var_is_set(spec.path_var) -%}
        {%- set plan = input_file_plan(kind) -%}
        {%- if plan.format != 'parquet' -%}{{ return(plan.names) }}{%- endif -%}
    {%- endif -%}
    {%- set described = run_query("describe select * from " ~ input_relation(kind)) -%}
    {{ return(described.columns[0].values() | list) }}
{% endmacro %}

{#- ---------------------------------------------------------------- warehouse tables -#}

{% macro parse_relation_var(kind) %}
    {#- <kind>_relation as [schema, table], or a compile error naming the var and the form. -#}
    {%- set spec = input_kinds()[input_kind(kind)] -%}
    {%- set value = var(spec.relation_var) | string | trim -%}
    {%- set parts = value.split('.') -%}
    {%- set problem = none -%}
    {%- if parts | length != 2 or (parts[0] | trim) == '' or (parts[1] | trim) == '' -%}
        {%- set problem = "is not of the form schema.table" -%}
    {%- elif modules.re.search('["\\x00-\\x1f]', value) -%}
        {%- set problem = "contains a double quote or a control character, which schema and table names here may not" -%}
    {%- endif -%}
    {%- if problem -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ spec.relation_var ~ " = " ~ quote_literal(value) ~ " " ~ problem ~ ". "
            ~ "Fix: name a table or view already in the warehouse, e.g. --vars '{" ~ spec.relation_var ~ ": raw." ~ kind ~ "}'.") }}
    {%- endif -%}
    {{ return([parts[0] | trim, parts[1] | trim]) }}
{% endmacro %}

{% macro warehouse_input_relation(kind) %}
    {#- The table named by <kind>_relation, read through its dbt source (models/staging/_sources.yml)
        so lineage and docs show it; both name parts are quoted here. -#}
    {%- set spec = input_kinds()[kind] -%}
    {%- set parts = parse_relation_var(kind) -%}
    {%- set declared = source(kind ~ '_input', kind) -%}
    {%- if execute -%}
        {%- set found = run_query(
            "select count(*) from information_schema.tables where lower(table_schema) = lower(" ~ quote_literal(parts[0])
            ~ ") and lower(table_name) = lower(" ~ quote_literal(parts[1]) ~ ") and table_catalog = current_database()"
        ).columns[0].values()[0] -%}
        {%- if found == 0 -%}
            {{ exceptions.raise_compiler_error(
                "var " ~ spec.relation_var ~ " names " ~ quote_literal(parts | join('.'))
                ~ ", which is not a table or view in the warehouse (" ~ target.path ~ "). "
                ~ "Fix: create it first, or correct the schema.table name.") }}
        {%- endif -%}
    {%- endif -%}
    {{ return(quote_identifier(parts[0]) ~ '.' ~ quote_identifier(parts[1])) }}
{% endmacro %}

{#- ---------------------------------------------------------------- files -#}

{% macro escape_glob(path) %}
    {#- DuckDB expands * ? [ in file names: bracket them so the path names exactly one file. -#}
    {{ return(modules.re.sub('([\\[*?])', '[\\1]', path)) }}
{% endmacro %}

{% macro csv_settings(overrides=none) %}
    {#- The csv_header / csv_delimiter / encoding vars (or `overrides` of them), checked and normalised. -#}
    {%- set given = overrides or {} -%}
    {%- set header = given.get('csv_header', var('csv_header', 'auto')) | string | lower -%}
    {%- if header not in ['auto', 'true', 'false'] -%}
        {{ exceptions.raise_compiler_error("var csv_header = " ~ quote_literal(header) ~ " is not allowed. Fix: use auto, true or false, e.g. --vars '{csv_header: false}'.") }}
    {%- endif -%}
    {%- set delimiter = given.get('csv_delimiter', var('csv_delimiter', 'auto')) | string -%}
    {%- set aliases = {'tab': '\t', '\\t': '\t', 'comma': ',', 'semicolon': ';', 'pipe': '|', 'space': 'whitespace', 'spaces': 'whitespace'} -%}
    {%- set delimiter = aliases.get(delimiter | trim | lower, delimiter) -%}
    {%- if delimiter not in ['auto', 'whitespace'] and (delimiter | length != 1 or delimiter in ['"', '\n', '\r']) -%}
        {{ exceptions.raise_compiler_error("var csv_delimiter = " ~ quote_literal(delimiter) ~ " is not allowed. Fix: use auto, whitespace (runs of spaces or tabs), tab, or a single character such as ';'.") }}
    {%- endif -%}
    {%- set encoding = given.get('encoding', var('encoding', 'auto')) | string | lower -%}
    {%- set encoding = {'utf8': 'utf-8', 'latin1': 'latin-1', 'iso-8859-1': 'latin-1', 'utf16': 'utf-16'}.get(encoding, encoding) -%}
    {%- if encoding not in ['auto', 'utf-8', 'latin-1', 'utf-16'] -%}
        {{ exceptions.raise_compiler_error("var encoding = " ~ quote_literal(encoding) ~ " is not allowed. Fix: use auto (each file's own, detected), utf-8, latin-1 or utf-16.") }}
    {%- endif -%}
    {{ return({'header': header, 'delimiter': delimiter, 'encoding': encoding}) }}
{% endmacro %}

{% macro read_lines_sql(pattern, encoding, skip=0, options='') %}
    {#- The file as one text column `line`, one row per line (blank lines are null). Not strict,
        so a line the strict reader refuses does not stop the sniffing of the first lines. -#}
    {{- return("read_csv(" ~ quote_literal(pattern) ~ ", auto_detect = false, header = false, skip = " ~ skip
        ~ ", delim = '', quote = '', escape = '', columns = {'line': 'VARCHAR'}, encoding = "
        ~ quote_literal(encoding) ~ ", strict_mode = false" ~ options ~ ")") -}}
{% endmacro %}

{% macro first_lines(pattern, encoding, options='') %}
    {#- The first 200 lines of a file (null for blank ones), read leniently: what a plan is decided on. -#}
    {{ return(run_query("select line from " ~ read_lines_sql(pattern, encoding, 0, ', ignore_errors = true' ~ options) ~ " limit 200").columns[0].values() | list) }}
{% endmacro %}

{% macro input_file_plan(kind, path=none, settings=none) %}
    {%- set plan = input_file_plan_or_problem(kind, path, settings) -%}
    {%- if plan.problem -%}{{ exceptions.raise_compiler_error(plan.problem) }}{%- endif -%}
    {{ return(plan) }}
{% endmacro %}

{% macro input_file_plan_or_problem(kind, path=none, settings=none) %}
    {#- How to read <kind>_path (or `path`): {format, path, pattern, mode, delimiter, header, names,
        encoding}. Decided from the first lines of the file; stops with one line for a file that
        cannot be used. `settings` overrides the csv_header / csv_delimiter / encoding vars. -#}
    {%- set kind = input_kind(kind) -%}
    {%- set path_var = input_kinds()[kind].path_var -%}
    {%- set path = (var(path_var) if path is none else path) | string -%}
    {%- set pattern = escape_glob(path) -%}
    {%- set lowered = path | lower -%}
    {%- set compressed = compression_suffix(path) -%}
    {%- set stem = lowered[:-(compressed | length)] if compressed else lowered -%}
    {%- set plan = {'format': 'csv', 'path': path, 'pattern': pattern, 'kind': kind, 'mode': 'delimited',
                    'delimiter': ',', 'header': true, 'names': [], 'encoding': 'utf-8'} -%}
    {%- if not execute -%}{{ return(plan) }}{%- endif -%}

    {%- set files = run_query("select size, cast(last_modified as varchar) from read_blob(" ~ quote_literal(pattern) ~ ")").rows -%}
    {%- set sizes = files | map(attribute=0) | list -%}
    {%- if sizes | length == 0 -%}
        {#- glob lists files only, except that 'dir/**/' lists the folder itself, even empty. -#}
        {%- set is_directory = run_query("select count(*) from (select 1 from glob(" ~ quote_literal(pattern.rstrip('/') ~ '/**/') ~ ") limit 1)").columns[0].values()[0] > 0 -%}
        {%- if is_directory -%}
            {{ return({'problem':
                "var " ~ path_var ~ " points to " ~ quote_literal(path) ~ ", which is a directory. "
                ~ "Fix: name one file in it, e.g. --vars '{" ~ path_var ~ ": " ~ path.rstrip('/') ~ "/" ~ kind ~ ".csv}'."}) }}
        {%- endif -%}
        {%- set wildcards = modules.re.search('[*?\\[]', path) is not none -%}
        {{ return({'problem':
            "var " ~ path_var ~ " points to " ~ quote_literal(path) ~ ", which does not exist. "
            ~ ("A path is one file: * ? [ are read as part of its name, not expanded (a file name may hold them). "
               ~ "To read several files as one input, give a view over them as " ~ input_kinds()[kind].relation_var
               ~ " (create view raw." ~ kind ~ " as select * from read_csv('<folder>/*.csv'), then --vars '{"
               ~ input_kinds()[kind].relation_var ~ ": raw." ~ kind ~ "}'), or join them into one file. " if wildcards else "")
            ~ "Relative paths resolve against the folder dbt runs in (run dbt from the project folder, as the Makefile does). "
            ~ "Fix: pass an existing CSV or Parquet file, e.g. --vars '{" ~ path_var ~ ": /full/path/file.csv}'."}) }}
    {%- endif -%}
    {%- if sizes[0] == 0 -%}
        {{ return({'problem':
            "var " ~ path_var ~ " points to " ~ quote_literal(path) ~ ", which is empty (0 bytes). "
            ~ "Fix: export the data again, or point " ~ path_var ~ " at the file that holds it."}) }}
    {%- endif -%}

    {#- The kind of file by its name, a .gz or .zst aside (`orders.csv.gz` is a csv, `data.tar.gz` a tar). -#}
    {%- set extension = stem.rpartition('.')[2] if '.' in stem else '' -%}
    {%- set shown = '.' ~ extension ~ compressed -%}
    {%- if extension in ['parquet', 'pq'] -%}
        {%- set plan = {'format': 'parquet', 'path': path, 'pattern': pattern, 'kind': kind} -%}
        {%- if text_under_a_parquet_name(pattern) -%}
            {{ return({'problem':
                "var " ~ path_var ~ ": " ~ quote_literal(path) ~ " is text (a CSV under a Parquet name?), not Parquet, whatever its name says. "
                ~ "Fix: name it .csv (or .tsv / .txt), so it is read as delimited text."}) }}
        {%- endif -%}
    {%- elif extension in ['csv', 'tsv', 'txt', 'tab', 'dat'] -%}
        {%- do plan.update({'format': 'csv'}) -%}
    {%- elif extension in ['zip', '7z', 'rar', 'tar', 'tgz', 'bz2', 'xz'] -%}
        {#- A download as it came (Kaggle's files are zip archives): renaming would not help. -#}
        {{ return({'problem':
            "var " ~ path_var ~ " = " ~ quote_literal(path) ~ " is an archive (" ~ shown ~ "), which this project does not unpack. Fix: extract it and point " ~ path_var
            ~ " at the CSV or Parquet file inside (a .gz or .zst of one CSV file is read as it is)."}) }}
    {%- elif extension in ['json', 'jsonl', 'ndjson'] -%}
        {#- DuckDB reads JSON, through a view (README, "JSON exports"): a table already in the
            warehouse is an input like a file (<kind>_relation). -#}
        {%- set relation_var = input_kinds()[kind].relation_var -%}
        {{ return({'problem':
            "var " ~ path_var ~ " = " ~ quote_literal(path) ~ " is JSON, which is read through a view, not as a file. "
            ~ "Fix: in the warehouse file (" ~ target.get('path', 'the profile\'s path') ~ ") run `create schema if not exists raw; "
            ~ "create or replace view raw." ~ kind ~ " as select * from read_json(" ~ quote_literal(path)
            ~ ");`, then build with --vars '{" ~ relation_var ~ ": raw." ~ kind ~ "}' instead of " ~ path_var
            ~ " (README, \"JSON exports\")."}) }}
    {%- elif extension in ['xlsx', 'xlsm', 'xls', 'ods', 'numbers'] -%}
        {#- A workbook: DuckDB reads one only with its excel extension, which it downloads (not
            offline, and never .xls or .ods); renaming it would not make it a CSV. -#}
        {{ return({'problem':
            "var " ~ path_var ~ " = " ~ quote_literal(path) ~ " is a spreadsheet workbook (" ~ shown ~ "), which this project does not read. Fix: save the sheet as CSV (Excel: File > Save As > "
            ~ "CSV UTF-8; LibreOffice: File > Save As > Text CSV) and point " ~ path_var ~ " at that file."}) }}
    {%- else -%}
        {{ return({'problem':
            "var " ~ path_var ~ " = " ~ quote_literal(path) ~ " is neither a CSV (.csv, .tsv, .txt, optionally .gz or .zst) nor a Parquet "
            ~ "(.parquet) file by its name. Fix: export it as CSV, or, if it is a CSV or Parquet file under "
            ~ "another name, rename it with that extension."}) }}
    {%- endif -%}
    {%- if plan.format == 'parquet' -%}{{ return(plan) }}{%- endif -%}
    {%- do plan.update({'version': files[0][0] ~ ' bytes, modified ' ~ files[0][1]}) -%}
    {{ return(csv_file_plan(plan, path_var, csv_settings(settings))) }}
{% endmacro %}

{% macro compression_suffix(path) %}
    {#- '.gz' or '.zst' when the file's name says DuckDB reads it compressed (it picks the
        decompression by the name), else ''. -#}
    {%- set lowered = path | string | lower -%}
    {%- for suffix in ['.gz', '.zst'] if lowered.endswith(suffix) -%}{{ return(suffix) }}{%- endfor -%}
    {{ return('') }}
{% endmacro %}

{% macro text_under_a_parquet_name(pattern) %}
    {#- True when a file named .parquet begins like a CSV: a header line of printable text that
        starts with a letter (or a quote, an underscore, a byte-order mark) and holds a comma,
        semicolon, tab or bar, and the next lines (one or two) printable with as many of that
        delimiter. Every Parquet file begins with the bytes PAR1, so such a file is none (a CSV
        saved under the wrong name), and DuckDB would stop with "No magic bytes found at end of
        file". The lenient reader drops lines that are not UTF-8, so on a Parquet file the lines
        it returns may be later fragments of binary; hence the strict shape over three lines
        (a stop on a real Parquet file would be worse than DuckDB's message), and anything else
        is left to the Parquet reader. One 64 KB buffer is read: 2-4 ms for a 65 MB file. -#}
    {%- set lines = run_query("select line from " ~ read_lines_sql(pattern, 'utf-8', 0,
        ', ignore_errors = true, buffer_size = 65536, max_line_size = 65536') ~ " limit 3").columns[0].values() | list -%}
    {%- set printable = '[^\x00-\x08\x0b-\x1f\x7f]*' -%}
    {%- if lines | length < 2 or lines | select('none') | list | length > 0
        or not modules.re.fullmatch('\ufeff?["A-Za-z_]' ~ printable, lines[0]) -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set counts = [] -%}
    {%- for delimiter in [',', ';', '\t', '|'] -%}{%- do counts.append((lines[0].count(delimiter), delimiter)) -%}{%- endfor -%}
    {%- set best = counts | sort(reverse=true) | first -%}
    {%- for line in lines -%}
        {%- if not modules.re.fullmatch(printable, line) or line.count(best[1]) != best[0] -%}{{ return(false) }}{%- endif -%}
    {%- endfor -%}
    {{ return(best[0] > 0) }}
{% endmacro %}

{% macro misnamed_binary_file(plan, sample, path_var, not_utf8=false) %}
    {#- A file named as text whose first bytes say it is something else: a zip (an .xlsx too), a
        Parquet or an old Excel file saved under a .csv name, or a gzip or zstd stream without
        its .gz / .zst (DuckDB picks the decompression by the name). Read as text they gave an
        encoding error or no lines at all. Looked at only when the first line that reads as
        UTF-8 holds control characters, or no line does, so a text file costs no read of its
        bytes (read_blob reads the whole file); and again, with `not_utf8`, before a file is
        called Latin-1 or Windows-1252: the lenient reader drops lines that are not UTF-8, so a
        compressed stream can seem to begin with a readable fragment, and the encoding check that
        precedes reads the whole file anyway. Returns the problem, or none. -#}
    {%- set read = sample | reject('none') | list -%}
    {%- if compression_suffix(plan.path) or (not not_utf8 and read
            and not modules.re.search('[\x00-\x08\x0e-\x1a]', read[0])) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set head = run_query("select hex(content[1:4]) from read_blob(" ~ quote_literal(plan.pattern) ~ ")").columns[0].values()[0] -%}
    {%- set kinds = [
        ('504B0304', 'a zip archive (an .xlsx or .ods workbook is one too)',
            'extract the CSV (or save the sheet as CSV) and point ' ~ path_var ~ ' at it'),
        ('50415231', 'a Parquet file', 'name it .parquet'),
        ('1F8B', 'gzip-compressed', 'name it .csv.gz (it is read compressed) or gunzip it'),
        ('28B52FFD', 'zstd-compressed', 'name it .csv.zst (it is read compressed) or unzstd it'),
        ('D0CF11E0', 'an Excel 97-2003 workbook (.xls)', 'save the sheet as CSV and point ' ~ path_var ~ ' at it'),
    ] -%}
    {%- for magic, what, fix in kinds -%}
        {%- if (head or '').startswith(magic) -%}
            {{ return("is " ~ what ~ ", not text, whatever its name says. Fix: " ~ fix ~ ".") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{% endmacro %}

{% macro detected_utf16(plan, sample) %}
    {#- encoding auto, step 1: nine lines in ten of the first 200 reading as null (what UTF-16
        read as UTF-8 gives) say UTF-16 (Excel's "Unicode text"), little-endian unless its first
        two bytes say otherwise (DuckDB cannot read big-endian). Returns {encoding, problem};
        encoding is none when the file is not UTF-16. -#}
    {%- set null_lines = sample | select('none') | list | length -%}
    {%- if null_lines == 0 or null_lines * 10 < (sample | length) * 9 -%}
        {{ return({'encoding': none, 'problem': none}) }}
    {%- endif -%}
    {#- A byte-order mark, or the zero byte of an ASCII character, first. -#}
    {%- set head = '' if compression_suffix(plan.path) else run_query(
        "select hex(content[1:2]) from read_blob(" ~ quote_literal(plan.pattern) ~ ")").columns[0].values()[0] -%}
    {%- if head == 'FEFF' or head.startswith('00') -%}
        {{ return({'encoding': none, 'problem': "is UTF-16 big-endian, which DuckDB's CSV reader cannot read. "
            ~ "Fix: save it as UTF-8 (or UTF-16 little-endian, Excel's \"Unicode text\")."}) }}
    {%- endif -%}
    {{ return({'encoding': 'utf-16', 'problem': none}) }}
{% endmacro %}

{% macro cached_latin1_or_utf8(plan, path_var) %}
    {#- detected_latin1_or_utf8 once per file version and connection: a model works out its
        input's plan several times (compiling, then in its post-hooks), and that pass reads the
        whole file (a 10M-line CSV: five passes added 2 s). -#}
    {%- do run_query("create temp table if not exists input_encoding_cache (path varchar, version varchar, encoding varchar, problem varchar)") -%}
    {%- set key = "path = " ~ quote_literal(plan.path) ~ " and version = " ~ quote_literal(plan.version) -%}
    {%- set cached = run_query("select encoding, problem from input_encoding_cache where " ~ key).rows -%}
    {%- if cached | length > 0 -%}
        {{ return({'encoding': cached[0][0], 'problem': cached[0][1]}) }}
    {%- endif -%}
    {%- set detected = detected_latin1_or_utf8(plan) -%}
    {#- A file that is no UTF-8 may be no text at all (misnamed_binary_file, `not_utf8`). -#}
    {%- set binary = misnamed_binary_file(plan, [], path_var, not_utf8=true) if detected.encoding != 'utf-8' else none -%}
    {%- if binary -%}{%- set detected = {'encoding': none, 'problem': binary} -%}{%- endif -%}
    {%- do run_query("insert into input_encoding_cache values (" ~ quote_literal(plan.path) ~ ", " ~ quote_literal(plan.version) ~ ", "
        ~ (quote_literal(detected.encoding) if detected.encoding else 'null') ~ ", " ~ (quote_literal(detected.problem) if detected.problem else 'null') ~ ")") -%}
    {{ return(detected) }}
{% endmacro %}

{% macro detected_latin1_or_utf8(plan) %}
    {#- encoding auto, step 2 (after the line-end check, which a full read needs): one pass over
        the lines read as UTF-8 (0.45 s for 500 MB). Lines that are not valid UTF-8, and no valid
        line with a non-ASCII character, say latin-1 (Windows and older European exports); with
        both, it is a UTF-8 file with a few damaged lines, which stay unreadable lines in the
        quarantine. Windows-1252 beyond Latin-1 (€, curly quotes, dashes: bytes 0x80-0x9F) is
        not read by DuckDB and stops with one line. Returns {encoding, problem}. -#}
    {#- Fresh tables: a scan without errors adds no row, so earlier files' rows would count. -#}
    {%- do run_query("drop table if exists encoding_probe_errors") -%}
    {%- do run_query("drop table if exists encoding_probe_scans") -%}
    {%- set rejects = ", ignore_errors = true, store_rejects = true, rejects_table = 'encoding_probe_errors', rejects_scan = 'encoding_probe_scans'" -%}
    {#- strlen counts bytes, length characters: a line with more bytes holds non-ASCII text. -#}
    {%- set non_ascii_lines = run_query("select count(*) filter (where strlen(line) > length(line)) from "
        ~ read_lines_sql(plan.pattern, 'utf-8', 0, rejects)).columns[0].values()[0] -%}
    {%- set invalid_lines = run_query("select count(*) from encoding_probe_errors where error_type in ('INVALID ENCODING', 'INVALID UNICODE')").columns[0].values()[0] -%}
    {%- if invalid_lines == 0 or non_ascii_lines > 0 -%}
        {{ return({'encoding': 'utf-8', 'problem': none}) }}
    {%- endif -%}
    {%- if not compression_suffix(plan.path) -%}
        {#- A BLOB cast to text writes bytes above 0x7F as \xNN escapes. -#}
        {#- Words of four or more bytes in 0xC0-0xFF are Cyrillic (Windows-1251: `Отменен`) or Greek
            text, not Latin-1, where such letters stand alone inside words (`Müller`, `Café`): read
            as Latin-1, `Îòìåíåí` matched no status word and counted as a purchase, green. -#}
        {%- set bytes = run_query("select regexp_matches(text, '\\\\x[89][0-9A-F]'), len(regexp_extract_all(text, '(\\\\x[C-F][0-9A-F]){4,}'))"
            ~ " from (select cast(content as varchar) as text from read_blob(" ~ quote_literal(plan.pattern) ~ "))").rows[0] -%}
        {%- if bytes[0] -%}
            {{ return({'encoding': none, 'problem': "is not UTF-8 and " ~ windows_1252_problem()}) }}
        {%- endif -%}
        {%- if bytes[1] >= 3 -%}
            {{ return({'encoding': none, 'problem': "is not UTF-8 and its text is no Latin-1 either: words of letters in bytes 0xC0-0xFF ("
                ~ bytes[1] ~ " of them) are Cyrillic (Windows-1251, as 1C and older Russian exports write) or Greek text, which DuckDB's CSV reader cannot read"
                ~ " (read as Latin-1, a status `Отменен` became `Îòìåíåí` and counted as a purchase). Fix: save it as UTF-8 (Excel: CSV UTF-8; iconv -f cp1251 -t utf-8)."}) }}
        {%- endif -%}
    {%- endif -%}
    {{ return({'encoding': 'latin-1', 'problem': none}) }}
{% endmacro %}

{% macro windows_1252_problem() %}
    {{ return("holds bytes 0x80-0x9F, which Latin-1 does not have: "
        ~ "Windows-1252 (€, curly quotes, dashes), which DuckDB's CSV reader cannot read. Fix: save it as UTF-8 "
        ~ "(Excel: CSV UTF-8), or set --vars '{encoding: utf-8}' to read it as UTF-8 and quarantine those lines.") }}
{% endmacro %}

{% macro input_read_failure_hint(result) %}
    {#- The fix for a base model's read that DuckDB stopped with an error of its own, or none. The
        known cases, each of which the plan checks on the file's first lines only (a full read
        before the real one would double the cost of every build):
        - a Latin-1 read of a file with Windows-1252 bytes, which the encoding check names before
          reading (detected_latin1_or_utf8) except inside a .gz or .zst file (read_blob cannot decompress,
          and DuckDB's Latin-1 reader fails the whole scan even with ignore_errors) or with var
          encoding set to latin-1;
        - line ends that change from \r\n to \n further down the file (two exports joined, rows
          appended by another tool): DuckDB's strict reader stops with "The CSV Parser state machine
          reached an invalid state" and advises strict_mode=false, which is not a var here (a
          lenient reader cuts a row with a field too many instead of quarantining it). -#}
    {%- set kinds = {'base_customers': 'customers', 'base_orders': 'orders'} -%}
    {%- if result.node is not defined or result.node.name not in kinds -%}{{ return(none) }}{%- endif -%}
    {%- set message = (result.message or '') | string -%}
    {%- set path_var = input_kinds()[kinds[result.node.name]].path_var -%}
    {%- set path = var(path_var, '') | string -%}
    {%- if 'is not latin-1 encoded' in message -%}
        {{ return(result.node.name ~ " stopped: var " ~ path_var ~ ": " ~ quote_literal(path)
            ~ " was read as Latin-1 and " ~ windows_1252_problem()
            ~ ((" Inside a " ~ compression_suffix(path) ~ " file they cannot be found before reading.") if compression_suffix(path) else "")) }}
    {%- elif 'state machine reached an invalid state' in message -%}
        {{ return(result.node.name ~ " stopped: var " ~ path_var ~ ": " ~ quote_literal(path)
            ~ " could not be read as CSV past its first lines. The usual cause is line ends that change from \\r\\n (Windows) "
            ~ "to \\n (Unix) further down the file, as when two exports are joined or rows are appended by another tool. "
            ~ "Fix: convert the line ends, e.g. sed -i 's/\\r$//' on the file (or dos2unix), then build again.") }}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}

{% macro encoding_label(plan) %}
    {#- How a CSV plan's encoding is shown: a detected encoding other than UTF-8 says so. -#}
    {{ return(plan.encoding ~ (' (detected)' if plan.get('encoding_detected') and plan.encoding != 'utf-8' else '')) }}
{% endmacro %}

{% macro csv_file_plan(plan, path_var, settings) %}
    {%- set re = modules.re -%}
    {%- set encoding_hint = "Fix: set the file's encoding, e.g. --vars '{encoding: latin-1}' (or utf-16)." -%}
    {%- set detecting = settings.encoding == 'auto' -%}
    {%- set encoding = namespace(name='utf-8' if detecting else settings.encoding) -%}
    {%- set sample = first_lines(plan.pattern, encoding.name) -%}
    {%- set binary = misnamed_binary_file(plan, sample, path_var) -%}
    {%- if binary -%}
        {{ return({'problem': "var " ~ path_var ~ ": " ~ quote_literal(plan.path) ~ " " ~ binary}) }}
    {%- endif -%}
    {%- if detecting -%}
        {%- set utf16 = detected_utf16(plan, sample) -%}
        {%- if utf16.problem -%}
            {{ return({'problem': "var " ~ path_var ~ ": " ~ quote_literal(plan.path) ~ " " ~ utf16.problem}) }}
        {%- elif utf16.encoding -%}
            {%- set encoding.name = utf16.encoding -%}
            {%- set sample = first_lines(plan.pattern, encoding.name) -%}
        {%- endif -%}
    {%- endif -%}
    {#- Mixed line ends (a \n header or title above \r\n rows, files joined from two systems):
        DuckDB's strict reader stops on them, and a lenient one would cut a row with a field too
        many instead of quarantining it. Read with \n line ends, each \r\n shows as an extra
        empty line that a \r\n reading does not have (found when the first line ends in \n). -#}
    {%- set crlf_sample = first_lines(plan.pattern, encoding.name, ", new_line = '\\r\\n'") -%}
    {%- set blank_lines = sample | select('none') | list | length -%}
    {%- set crlf_blank_lines = crlf_sample | select('none') | list | length -%}
    {%- if blank_lines > crlf_blank_lines and (sample | length) - blank_lines == (crlf_sample | length) - crlf_blank_lines -%}
        {{ return({'problem':
            "var " ~ path_var ~ ": " ~ quote_literal(plan.path) ~ " mixes line ends: some lines end in \\n (Unix), others in "
            ~ "\\r\\n (Windows), which DuckDB's CSV reader cannot read strictly (strict is what quarantines a row with a "
            ~ "field too many instead of cutting it). Fix: convert the line ends, e.g. sed -i 's/\\r$//' on the file "
            ~ "(or dos2unix), then build again."}) }}
    {%- endif -%}
    {%- if detecting and encoding.name == 'utf-8' -%}
        {%- set detected = cached_latin1_or_utf8(plan, path_var) -%}
        {%- if detected.problem -%}
            {{ return({'problem': "var " ~ path_var ~ ": " ~ quote_literal(plan.path) ~ " " ~ detected.problem}) }}
        {%- elif detected.encoding != 'utf-8' -%}
            {%- set encoding.name = detected.encoding -%}
            {%- set sample = first_lines(plan.pattern, encoding.name) -%}
        {%- endif -%}
    {%- endif -%}
    {%- set settings = {'header': settings.header, 'delimiter': settings.delimiter, 'encoding': encoding.name} -%}
    {%- do plan.update({'encoding_detected': detecting}) -%}
    {#- Records, not lines: a quoted field may hold line breaks (an address, a note in a CRM
        export), so a line with an odd number of quotes continues on the next one. Counted as
        lines, a file where a third of the records had a two-line address "split" into three
        fields and every record was unreadable. -#}
    {%- set lines = [] -%}
    {%- set starts = [] -%}
    {%- set pending = namespace(text=none, start=0) -%}
    {%- for line in sample -%}
        {%- if line is not none and (pending.text is not none or (line | trim) != '') -%}
            {%- if pending.text is none -%}{%- set pending.start = loop.index0 -%}{%- endif -%}
            {%- set text = line.replace('\ufeff', '') if pending.text is none else pending.text ~ '\n' ~ line -%}
            {%- if text.count('"') % 2 == 1 -%}
                {%- set pending.text = text -%}
            {%- else -%}
                {%- do lines.append(text) -%}
                {%- do starts.append(pending.start) -%}
                {%- set pending.text = none -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if pending.text is not none -%}{%- do lines.append(pending.text) -%}{%- do starts.append(pending.start) -%}{%- endif -%}
    {#- A quote in the first line that nothing closes (`Curr"ency` in a header): every line after
        it reads as part of that line, which the checks below would call a header without data. -#}
    {%- if lines | length == 1 and '\n' in lines[0] and (lines[0].split('\n')[0]).count('"') % 2 == 1 -%}
        {{ return({'problem':
            "var " ~ path_var ~ ": " ~ quote_literal(plan.path) ~ " has a quote that is not closed in its first line ("
            ~ (lines[0].split('\n')[0])[:120] ~ "): the reader takes every line after it into that line. "
            ~ "Fix: remove the stray quote from that line, or write that value in quotes with the quote doubled (e.g. \"Curr\"\"ency\")."}) }}
    {%- endif -%}
    {%- if lines | length == 0 or '\x00' in lines[0] -%}
        {{ return({'problem':
            "var " ~ path_var ~ ": " ~ quote_literal(plan.path) ~ " cannot be read as " ~ settings.encoding
            ~ " text (no readable line at its start). " ~ encoding_hint}) }}
    {%- endif -%}

    {#- The delimiter: a candidate qualifies when most sample lines split into the same number (>1)
        of fields. Of those, the one the first line agrees with (a header has no decimal commas:
        `a;b;1,5` is ';'), then the one making more fields, then the first in this order; runs of
        whitespace only when no character qualifies. -#}
    {%- set quoted = '"(?:[^"]|"")*"' -%}
    {%- set unquoted = [] -%}
    {%- for line in lines -%}{%- do unquoted.append(re.sub(quoted, 'q', line)) -%}{%- endfor -%}
    {%- set chosen = {'delimiter': none, 'fields': 1, 'rank': none} -%}
    {#- Excel's delimiter line (`sep=;` above the header, written by some locales' "CSV"): it names
        the delimiter and is skipped like a preamble, however few columns the table has. -#}
    {%- set excel_sep = re.match('^\\s*"?sep=([,;|\\t])"?\\s*$', lines[0], re.IGNORECASE) if lines | length > 1 else none -%}
    {%- set excel_sep_line = lines[0] if excel_sep else none -%}
    {%- if excel_sep -%}
        {%- set lines, starts, unquoted = lines[1:], starts[1:], unquoted[1:] -%}
    {%- endif -%}
    {%- set candidates = [settings.delimiter] if settings.delimiter != 'auto'
        else [excel_sep.group(1)] if excel_sep else [',', '\t', ';', '|', 'whitespace'] -%}
    {%- for candidate in candidates -%}
        {%- set counts = {} -%}
        {%- set first_fields = [] -%}
        {%- for line in unquoted -%}
            {%- set fields = (line | trim).split() | length if candidate == 'whitespace' else line.count(candidate) + 1 -%}
            {%- do counts.update({fields: counts.get(fields, 0) + 1}) -%}
            {%- if loop.first -%}{%- do first_fields.append(fields) -%}{%- endif -%}
        {%- endfor -%}
        {%- set best = (counts.items() | sort(attribute='1', reverse=true) | first) -%}
        {%- set share = best[1] / (lines | length) -%}
        {%- set rank = [1 if first_fields[0] == best[0] else 0, best[0]] -%}
        {%- if settings.delimiter != 'auto' -%}
            {%- do chosen.update({'delimiter': candidate, 'fields': best[0]}) -%}
        {%- elif best[0] > 1 and share >= 0.5 and (chosen.delimiter is none
                or (candidate != 'whitespace' and rank > chosen.rank)) -%}
            {%- do chosen.update({'delimiter': candidate, 'fields': best[0], 'rank': rank}) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- Tabs padded with spaces are alignment, not a delimiter: split on runs of whitespace then. -#}
    {%- if chosen.delimiter == '\t' and settings.delimiter == 'auto' -%}
        {%- set padded = [] -%}
        {%- set widths = {} -%}
        {%- for line in unquoted -%}
            {%- if re.search('( \t|\t )', line) -%}{%- do padded.append(line) -%}{%- endif -%}
            {%- set fields = (line | trim).split() | length -%}
            {%- do widths.update({fields: widths.get(fields, 0) + 1}) -%}
        {%- endfor -%}
        {%- set best = (widths.items() | sort(attribute='1', reverse=true) | first) -%}
        {%- if padded | length * 2 >= lines | length and best[1] * 2 >= lines | length -%}
            {%- do chosen.update({'delimiter': 'whitespace', 'fields': best[0]}) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if chosen.delimiter is none -%}
        {#- One column, or a shape we cannot tell: read it as one comma-separated column. -#}
        {%- do chosen.update({'delimiter': ',', 'fields': 1}) -%}
    {%- endif -%}
    {%- set n = chosen.fields -%}

    {#- A preamble: lines above the table (a report's title, its date, blanks). When the first
        records have fewer fields than the table (a title `Customer report, generated May 1, 2024`
        has three, split at its commas) and the first one with them all reads as a header (no
        number or date in it), the lines before that header are skipped, and the console says
        which. A ragged first data row is no preamble: the first full line after it holds
        numbers. -#}
    {%- set preamble = namespace(records=0, lines=0, open=true) -%}
    {%- set aligned = chosen.delimiter == 'whitespace' -%}
    {%- if settings.header != 'false' and n > 1 -%}
        {%- for line in unquoted -%}
            {%- set fields = (line | trim).split() | length if aligned else line.count(chosen.delimiter) + 1 -%}
            {%- if preamble.open and fields > n -%}{%- set preamble.open = false -%}{%- endif -%}
            {%- if preamble.open and preamble.records == 0 and loop.index0 > 0 and fields == n -%}
                {%- set values = lines[loop.index0].split() if aligned else lines[loop.index0].split(chosen.delimiter) -%}
                {%- set numbers = [] -%}
                {%- for value in values -%}
                    {%- if re.match('^\\s*"?\\s*[-+]?(\\d+([.,]\\d*)?|[.,]\\d+)', value)
                        or re.match('^\\s*"?\\d{1,4}[-/.]\\d{1,2}[-/.]\\d{1,4}', value) -%}{%- do numbers.append(value) -%}{%- endif -%}
                {%- endfor -%}
                {%- if numbers | length == 0 -%}
                    {%- set preamble.records = loop.index0 -%}
                    {%- set preamble.lines = starts[loop.index0] -%}
                {%- endif -%}
                {%- set preamble.open = false -%}
            {%- elif fields == n -%}
                {%- set preamble.open = false -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {#- A title padded to the table's width (`Contacts;;;;`, as a spreadsheet saves a title in
        its first cell) or a group-header row (`;;Personal;;Purchases`) has all the table's fields,
        so the rule above takes it for the header and the real header for data. When the first
        record fills at most half its fields and names no column the input maps
        (known_header_names), and one of the next five does, with the table's fields and no
        number or date in it, below records that fill at most half their fields (no data row),
        that one is the header: the records above it are a preamble, skipped and named in the
        console like a title. A full first line (a header, or data) costs no name lookup. -#}
    {%- if settings.header != 'false' and n > 1 and not aligned and preamble.records == 0 and lines | length > 2
            and (lines[0].split(chosen.delimiter) | map('trim') | reject('in', ['', '""']) | list | length) * 2 <= n
            and known_header_names(plan.kind, lines[0].split(chosen.delimiter)) == 0 -%}
        {%- set search = namespace(open=true) -%}
        {%- for index in range(1, [6, (lines | length) - 1] | min) if search.open -%}
            {%- set above = lines[index - 1].split(chosen.delimiter) -%}
            {%- if (above | map('trim') | reject('in', ['', '""']) | list | length) * 2 > n -%}
                {%- set search.open = false -%}
            {%- else -%}
                {%- set cells = [] -%}
                {%- for cell in lines[index].split(chosen.delimiter) -%}{%- do cells.append(cell | trim | trim('"') | trim) -%}{%- endfor -%}
                {%- set numbers = [] -%}
                {%- for value in cells -%}
                    {%- if re.match('^[-+]?(\\d+([.,]\\d*)?|[.,]\\d+)', value)
                        or re.match('^\\d{1,4}[-/.]\\d{1,2}[-/.]\\d{1,4}', value) -%}{%- do numbers.append(value) -%}{%- endif -%}
                {%- endfor -%}
                {%- if cells | length == n and numbers | length == 0 and known_header_names(plan.kind, cells) > 0 -%}
                    {%- set preamble.records = index -%}
                    {%- set search.open = false -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set skipped = ([excel_sep_line] if excel_sep else []) + lines[:preamble.records] -%}
    {%- set lines = lines[preamble.records:] -%}
    {#- The reader skips lines of the file up to the header (starts: each record's line), so that
        blank lines or Excel's sep line above it are not taken for the header: DuckDB's header is
        the first line left, blank or not (blank lines above data it skips by itself). -#}
    {%- if starts | length > preamble.records -%}
        {%- set preamble.lines = starts[preamble.records] -%}
    {%- endif -%}

    {#- The first line's fields, split the way the file will be read (not in parallel: DuckDB's
        parallel reader refuses null_padding in a file with line breaks inside quotes). -#}
    {%- if chosen.delimiter == 'whitespace' -%}
        {%- set first = (lines[0] | trim).split() -%}
    {%- else -%}
        {%- set probe_columns = [] -%}
        {%- for i in range(n) -%}{%- do probe_columns.append(quote_literal('column' ~ i) ~ ": 'VARCHAR'") -%}{%- endfor -%}
        {%- set probe = run_query("select * from read_csv(" ~ quote_literal(plan.pattern) ~ ", auto_detect = false, header = false, skip = " ~ preamble.lines ~ ", delim = "
            ~ quote_literal(chosen.delimiter) ~ ", quote = '\"', escape = '\"', columns = {" ~ probe_columns | join(', ')
            ~ "}, encoding = " ~ quote_literal(settings.encoding) ~ ", null_padding = true, ignore_errors = true, parallel = false) limit 1") -%}
        {%- set first = [] -%}
        {%- if probe.rows | length > 0 -%}
            {%- for value in probe.rows[0] -%}{%- do first.append('' if value is none else (value | string).replace('\ufeff', '')) -%}{%- endfor -%}
        {%- endif -%}
    {%- endif -%}

    {#- Header or not: auto = a first line with no number or date in it is a header. -#}
    {%- if settings.header == 'auto' -%}
        {%- set numeric = [] -%}
        {%- for value in first -%}
            {%- if re.match('^\\s*[-+]?(\\d+([.,]\\d*)?|[.,]\\d+)([eE][-+]?\\d+)?\\s*$', value)
                or re.match('^\\s*\\d{1,4}[-/.]\\d{1,2}[-/.]\\d{1,4}', value) -%}{%- do numeric.append(value) -%}{%- endif -%}
        {%- endfor -%}
        {%- set has_header = numeric | length == 0 -%}
    {%- else -%}
        {%- set has_header = settings.header == 'true' -%}
    {%- endif -%}
    {%- if has_header and lines | length == 1 -%}
        {{ return({'problem':
            "var " ~ path_var ~ ": " ~ quote_literal(plan.path) ~ " has a header line and no data rows. "
            ~ "Fix: export the data again; if that line is data, not a header, set --vars '{csv_header: false}'."}) }}
    {%- endif -%}

    {#- Column names: the header's (blank -> columnN, repeats -> name_2), else column0, column1, ...
        Repeats are found ignoring case, as DuckDB compares names (`Amount` and `amount` clash). -#}
    {%- set names = [] -%}
    {%- set taken = [] -%}
    {%- set repeated = {} -%}
    {%- for i in range(n) -%}
        {%- set name = (first[i] | trim) if has_header and i < first | length else '' -%}
        {%- set name = name if name != '' else 'column' ~ i -%}
        {#- A namespace: a plain set inside the loop would not outlive its iteration. -#}
        {%- set candidate = namespace(name=name) -%}
        {%- for suffix in range(2, n + 2) -%}
            {%- if candidate.name | lower in taken -%}{%- set candidate.name = name ~ '_' ~ suffix -%}{%- endif -%}
        {%- endfor -%}
        {%- do names.append(candidate.name) -%}
        {%- do taken.append(candidate.name | lower) -%}
        {%- if candidate.name != name -%}{%- do repeated.update({candidate.name: name}) -%}{%- endif -%}
    {%- endfor -%}
    {#- repeated: {name given: the header as written} for a header seen before (`age_2`: `age`), so
        the column mapping sees two columns that read as one name (map_input_columns). -#}
    {%- do plan.update({'mode': 'whitespace' if chosen.delimiter == 'whitespace' else 'delimited',
                        'delimiter': chosen.delimiter, 'header': has_header, 'names': names, 'repeated': repeated,
                        'skip': preamble.lines, 'preamble': skipped,
                        'encoding': settings.encoding}) -%}
    {{ return(plan) }}
{% endmacro %}

{% macro rejects_tables(kind) %}
    {#- The temporary tables DuckDB's reader fills with the lines it could not read (per connection). -#}
    {{ return({'errors': kind ~ '_input_rejects', 'scans': kind ~ '_input_reject_scans'}) }}
{% endmacro %}

{% macro read_input_file(plan) %}
    {%- if plan.format == 'parquet' -%}
        {{ return("read_parquet(" ~ quote_literal(plan.pattern) ~ ")") }}
    {%- endif -%}
    {%- set tables = rejects_tables(plan.kind) -%}
    {%- set rejects = ", store_rejects = true, rejects_table = " ~ quote_literal(tables.errors) ~ ", rejects_scan = " ~ quote_literal(tables.scans) -%}
    {%- if not execute -%}
        {{ return("read_csv(" ~ quote_literal(plan.pattern) ~ ", all_varchar = true)") }}
    {%- endif -%}
    {%- if plan.mode == 'whitespace' -%}
        {#- One anchored regex per line with a group per column: 3-4x faster than splitting into a
            list (1M lines: about 3 s against 10 s; DuckDB's own CSV reader about 2.4 s). A line
            that does not match (too many or too few fields) is left to unreadable_input_lines. -#}
        {%- set groups = [] -%}
        {%- set selected = [] -%}
        {%- for name in plan.names -%}
            {%- do groups.append(quote_literal('f' ~ loop.index0)) -%}
            {%- do selected.append("fields.f" ~ loop.index0 ~ " as " ~ quote_identifier(name)) -%}
        {%- endfor -%}
        {{ return("(select " ~ selected | join(', ') ~ " from (select regexp_extract(line, "
            ~ quote_literal(whitespace_line_pattern(plan.names | length)) ~ ", [" ~ groups | join(', ') ~ "]) as fields from "
            ~ read_lines_sql(plan.pattern, plan.encoding, aligned_lines_above_data(plan), rejects) ~ ") where fields.f0 <> '')") }}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- for name in plan.names -%}{%- do columns.append(quote_literal(name) ~ ": 'VARCHAR'") -%}{%- endfor -%}
    {#- Everything as text: bad values must reach the quarantine, not fail the read. -#}
    {{ return("read_csv(" ~ quote_literal(plan.pattern) ~ ", auto_detect = false, skip = " ~ plan.get('skip', 0) ~ ", header = " ~ plan.header
        ~ ", delim = " ~ quote_literal(plan.delimiter) ~ ", quote = '\"', escape = '\"', columns = {" ~ columns | join(', ')
        ~ "}, encoding = " ~ quote_literal(plan.encoding) ~ rejects ~ ")") }}
{% endmacro %}

{% macro aligned_lines_above_data(plan) %}
    {#- Lines a whitespace-aligned file has above its first data row: a preamble (a title, blank
        lines) and the header line. -#}
    {{ return(plan.get('skip', 0) + (1 if plan.header else 0)) }}
{% endmacro %}

{% macro whitespace_line_pattern(fields) %}
    {#- A whole line of exactly `fields` fields separated by runs of spaces or tabs. -#}
    {{ return('^[ \\t]*(\\S+)' ~ '[ \\t]+(\\S+)' * (fields - 1) ~ '[ \\t\\r]*$') }}
{% endmacro %}

{#- ---------------------------------------------------------------- unreadable lines -#}

{% macro unreadable_input_lines(kind) %}
    {#- SQL selecting (line_number, raw_line, rejection_reason) for every line of <kind>_path that the
        last read on this connection could not use; an empty select for other inputs. -#}
    {%- set kind = input_kind(kind) -%}
    {%- set spec = input_kinds()[kind] -%}
    {%- if not execute or input_var_is_set(spec.relation_var) or not input_var_is_set(spec.path_var) -%}{{ return(no_unreadable_lines()) }}{%- endif -%}
    {{ return(unreadable_lines_sql(input_file_plan(kind))) }}
{% endmacro %}

{% macro no_unreadable_lines() %}
    {{ return("select cast(null as bigint) as line_number, cast(null as varchar) as raw_line, cast(null as varchar) as rejection_reason where false") }}
{% endmacro %}

{% macro unreadable_lines_sql(plan) %}
    {%- if plan.format != 'csv' -%}{{ return(no_unreadable_lines()) }}{%- endif -%}
    {%- set tables = rejects_tables(plan.kind) -%}
    {%- set expected = plan.names | length -%}
    {%- set reader_rejects -%}
        select
            line as line_number,
            trim(any_value(csv_line), chr(10) || chr(13)) as raw_line,
            min(case
                when error_type = 'TOO MANY COLUMNS' then 'unreadable line: too many columns (expected {{ expected }}, found '
                    || coalesce(regexp_extract(error_message, 'Found: (\d+)', 1), '?') || ')'
                when error_type = 'MISSING COLUMNS' then 'unreadable line: too few columns (expected {{ expected }}, found '
                    || coalesce(regexp_extract(error_message, 'Found: (\d+)', 1), '?') || ')'
                when error_type in ('INVALID ENCODING', 'INVALID UNICODE') then 'unreadable line: bytes that are not valid {{ plan.encoding }} (var encoding)'
                when error_type = 'LINE SIZE OVER MAXIMUM' then 'unreadable line: longer than the reader''s maximum line size'
                when error_type = 'UNQUOTED VALUE' then 'unreadable line: a quote that is not closed'
                else 'unreadable line: ' || lower(error_type)
            end) as rejection_reason
        from {{ tables.errors }}
        where scan_id = (
            -- DuckDB records a scan only when it rejected something: the last one of this file.
            select max(scan_id) from {{ tables.scans }}
            where file_path in ({{ quote_literal(plan.path) }}, {{ quote_literal(plan.pattern) }})
        )
        group by line
    {%- endset -%}
    {%- if plan.mode == 'whitespace' -%}
        {%- set ragged -%}
            select
                line_number,
                line as raw_line,
                'unreadable line: too ' || case when field_count > {{ expected }} then 'many' else 'few' end
                    || ' columns (expected {{ expected }}, found ' || field_count || ')' as rejection_reason
            from (
                select
                    line_number,
                    line,
                    len(string_split_regex(trim(line, ' ' || chr(9)), '[ \t]+')) as field_count
                from (
                    select {{ aligned_lines_above_data(plan) }} + row_number() over () as line_number, line
                    from {{ read_lines_sql(plan.pattern, plan.encoding, aligned_lines_above_data(plan), ', ignore_errors = true') }}
                )
                where trim(coalesce(line, ''), ' ' || chr(9)) <> ''
                    and not regexp_full_match(line, {{ quote_literal(whitespace_line_pattern(expected)) }})
            )
        {%- endset -%}
        {{ return("select * from (" ~ reader_rejects ~ ") union all select * from (" ~ ragged ~ ")") }}
    {%- endif -%}
    {{ return(reader_rejects) }}
{% endmacro %}

{% macro insert_unreadable_lines(kind, raw_line_column='raw_record', relation=none) %}
    {#- Post-hook for a base model that reads input_relation(kind): appends every line the reader
        could not use as a row with source_row_number (numbered after the rows read, in file order),
        rejection_reason ('unreadable line: too many columns (expected 5, found 6)') and, in
        `raw_line_column`, the JSON text {"line_number": <its line in the file>, "text": <the line as
        it arrived>}: a row that has no columns is still JSON, like every other raw_record, and is
        found in the file by its line. Every other column is null. It must run on the connection
        that built the model, which a post-hook does: DuckDB's reject tables are temporary. Usage,
        in base_customers.sql (a table):
            {{ config(post_hook="{{ insert_unreadable_lines('customers') }}") }}
        Renders to '' (no statement) when the input is not a CSV file. -#}
    {%- set kind = input_kind(kind) -%}
    {%- set spec = input_kinds()[kind] -%}
    {%- if not execute or input_var_is_set(spec.relation_var) or not input_var_is_set(spec.path_var) -%}{{ return('') }}{%- endif -%}
    {%- if input_file_plan(kind).format != 'csv' -%}{{ return('') }}{%- endif -%}
    {%- set target_relation = relation if relation is not none else this -%}
    {%- set statement -%}
        insert into {{ target_relation }} (source_row_number, {{ quote_identifier(raw_line_column) }}, rejection_reason)
        select
            (select coalesce(max(source_row_number), 0) from {{ target_relation }}) + row_number() over (order by line_number),
            cast(to_json({'line_number': cast(line_number as bigint), 'text': raw_line}) as varchar),
            rejection_reason
        from ({{ unreadable_input_lines(kind) }})
    {%- endset -%}
    {{ return(statement) }}
{% endmacro %}

{% macro check_input_file(kind='customers', path=none, settings=none) %}
    {#- dbt run-operation check_input_file --args '{kind: customers}': how <kind>_path (or `path`,
        read with `settings` {csv_header, csv_delimiter, encoding} instead of the vars) will be read,
        and the lines the reader cannot use, before a build. -#}
    {%- set kind = input_kind(kind) -%}
    {%- set plan = input_file_plan_or_problem(kind, path, settings) -%}
    {%- do print('file: ' ~ (path if path is not none else var(input_kinds()[kind].path_var))) -%}
    {%- if plan.problem -%}
        {%- do print('problem: ' ~ plan.problem) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set relation = read_input_file(plan) -%}
    {%- do print('read as: ' ~ plan.format ~ ((', ' ~ plan.mode ~ ', delimiter ' ~ quote_literal(plan.delimiter) ~ ', header ' ~ plan.header
        ~ ', encoding ' ~ encoding_label(plan)) if plan.format == 'csv' else '')) -%}
    {%- if plan.get('skip', 0) > 0 -%}
        {%- do print('preamble: ' ~ plan.skip ~ (' line' if plan.skip == 1 else ' lines') ~ ' above the header skipped: ' ~ (plan.preamble | join(' / ') if plan.preamble else '(blank)')) -%}
    {%- endif -%}
    {%- set described = run_query("describe select * from " ~ relation).columns[0].values() | list -%}
    {%- do print('columns: ' ~ described | join(' | ')) -%}
    {%- set normalised = [] -%}
    {%- for column in described -%}{%- do normalised.append(normalize_column_name(column)) -%}{%- endfor -%}
    {%- do print('normalised: ' ~ normalised | join(' | ')) -%}
    {#- Materialise every column: a bare count(*) skips the checks on values (encoding). -#}
    {%- do run_query("create or replace temp table input_file_check as select * from " ~ relation) -%}
    {%- set read = run_query("select count(*) from input_file_check") -%}
    {%- do print('rows read: ' ~ read.columns[0].values()[0]) -%}
    {%- set mapping = map_input_columns(relation, customer_column_synonyms() if kind == 'customers' else order_column_synonyms(), input_kinds()[kind].columns_var, []) -%}
    {%- do print('mapped: ' ~ mapping | dictsort | map('join', ' <- ') | join(', ')) -%}
    {%- if kind == 'orders' and 'order_id' not in mapping -%}{%- do print('note: ' ~ no_order_id_note()) -%}{%- endif -%}
    {#- The columns a build requires (base_customers: customer_id; base_orders: customer_id and
        order_date): named here, before a build stops on them. -#}
    {%- for name in (['customer_id'] if kind == 'customers' else ['customer_id', 'order_date']) if name not in mapping -%}
        {%- do print('problem: no column reads as ' ~ name ~ ', which a build requires. Fix: name it, e.g. --vars '
            ~ "'{" ~ input_kinds()[kind].columns_var ~ ": {" ~ name ~ ": \"<column>\"}}'.") -%}
    {%- endfor -%}
    {%- set types = {} -%}
    {%- for row in run_query("describe input_file_check").rows -%}{%- do types.update({row[0]: row[1]}) -%}{%- endfor -%}
    {%- do print('decimal separator: ' ~ quote_literal(decimal_separator_of(kind, 'input_file_check',
        number_source_columns(kind, described, types, mapping)))) -%}
    {%- for name in ['order_date', 'signup_date', 'birth_date'] if name in mapping -%}
        {%- set problems = [] -%}
        {%- set reading = date_column_format(name, {'relation': 'input_file_check', 'types': types}, mapping[name], problems) -%}
        {%- do print('dates: ' ~ (('problem: ' ~ problems[0]) if problems else date_reading_label(name, reading))) -%}
    {%- endfor -%}
    {%- if kind == 'orders' -%}
        {#- The two order-line decisions a build announces (base_orders): which currency is kept,
            and an amount column that repeats its order's total on every line. -#}
        {%- set currency = order_currency('input_file_check', mapping) -%}
        {%- if currency is not none -%}
            {%- do print('currency: lines in ' ~ currency.kept ~ ' kept, any other rejected (' ~ ('var currency' if currency.by_var else 'the currency of most lines')
                ~ '; first 100,000 lines: ' ~ (currency_counts(currency) or 'none names one') ~ ')') -%}
        {%- endif -%}
        {%- set order_total = amount_is_order_total('input_file_check', mapping) -%}
        {%- if order_total is not none -%}
            {%- do print('amount: ' ~ order_total.column ~ " repeats its order's total on every line (" ~ order_total.repeating ~ ' of '
                ~ order_total.orders ~ ' orders with several lines): a build takes '
                ~ ('quantity x unit price as the line value' if 'quantity' in mapping and 'unit_price' in mapping else "each order's total once, on its first kept line")) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if plan.format == 'csv' -%}
        {%- set fields = [] -%}
        {%- for column in described -%}{%- do fields.append(quote_identifier(column)) -%}{%- endfor -%}
        {%- set swallowing = run_query("select count(*) from input_file_check where " ~ lines_swallowed_condition(plan, fields)).columns[0].values()[0] -%}
        {%- if swallowing > 0 -%}
            {%- do print('problem: ' ~ swallowing ~ (' row holds' if swallowing == 1 else ' rows hold') ~ " the lines after it in one field: a quote that is not closed (a stray \" in a value). "
                ~ "A build quarantines such a row and stops (health test quote_not_closed). Fix: close or remove the stray quote.") -%}
        {%- endif -%}
        {%- set unreadable = run_query(unreadable_lines_sql(plan) ~ " order by line_number") -%}
        {%- do print('unreadable lines: ' ~ unreadable.rows | length) -%}
        {%- for row in unreadable.rows -%}
            {%- do print('line ' ~ row[0] ~ ': ' ~ row[2] ~ ': ' ~ row[1]) -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}

{% macro check_input_files(files, kind='customers') %}
    {#- check_input_file for a list of {path, csv_header, csv_delimiter, encoding}: one dbt call, many files. -#}
    {%- for file in files -%}
        {%- do print('=== ' ~ loop.index) -%}
        {%- do check_input_file(file.get('kind', kind), file.path, file) -%}
    {%- endfor -%}
{% endmacro %}
