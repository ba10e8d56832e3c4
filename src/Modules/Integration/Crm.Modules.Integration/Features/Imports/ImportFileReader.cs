using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Crm.Modules.Integration.Contracts;
using Crm.SharedKernel.Errors;

namespace Crm.Modules.Integration.Features.Imports;

/// <summary>A row read from the file, or why the row could not be read.</summary>
internal sealed record ReadRow(ImportRow Row, string? Error);

/// <summary>
/// Reads an uploaded file row by row from a stream (never the whole file in memory): CSV with a header row
/// (UTF-8 with or without BOM, or GB18030/GBK), NDJSON (one object per line) or a JSON array of objects.
/// Column names are resolved against the target's schema: API names or aliases; read-only columns are skipped.
/// </summary>
internal abstract class ImportFileReader
{
    protected ImportFileReader(ImportSchema schema) => Schema = schema;

    protected ImportSchema Schema { get; }

    /// <summary>The file's own name for each API field it carries (the header text), to name columns in errors.</summary>
    public IReadOnlyDictionary<string, string> ColumnNames { get; protected set; } = new Dictionary<string, string>();

    /// <summary>The media types accepted, for the 415 problem.</summary>
    public const string Accepted = "text/csv, application/x-ndjson or application/json";

    /// <summary>Checks the media type and charset; 415 for a media type it cannot read, 400 for an unknown charset.</summary>
    public static ImportFileReader Open(string? contentType, Stream body, ImportSchema schema)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media) || media.MediaType is null)
        {
            throw IntegrationProblems.UnsupportedMediaType(contentType);
        }

        var encoding = ImportEncodings.Resolve(media.CharSet)
            ?? throw ValidationFailedException.For("charset", $"charset '{media.CharSet}' is not supported: use utf-8, gb18030 or gbk.");
        return media.MediaType.ToLowerInvariant() switch
        {
            "text/csv" or "application/csv" or "text/plain" => new CsvImportReader(body, encoding, schema),
            "application/x-ndjson" or "application/ndjson" or "application/jsonl" => RequireUtf8(encoding, new NdjsonImportReader(body, schema)),
            "application/json" => RequireUtf8(encoding, new JsonArrayImportReader(body, schema)),
            _ => throw IntegrationProblems.UnsupportedMediaType(contentType),
        };
    }

    /// <summary>Reads what comes before the first row (the CSV header); 400 when it cannot be imported.</summary>
    public abstract Task StartAsync(CancellationToken ct);

    public abstract IAsyncEnumerable<ReadRow> ReadAsync(CancellationToken ct);

    /// <summary>The values of one JSON object by API field name, or why the object cannot be imported.</summary>
    protected ReadRow FromJson(int row, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return new ReadRow(new ImportRow(row, new Dictionary<string, string?>()), "The row is not a JSON object.");
        }

        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (Schema.IsReadOnly(property.Name))
            {
                continue;
            }

            var field = Schema.Resolve(property.Name);
            if (field is null)
            {
                return new ReadRow(new ImportRow(row, values), $"Unknown field '{property.Name}'. Known fields: {string.Join(", ", Schema.Fields)}.");
            }

            switch (property.Value.ValueKind)
            {
                case JsonValueKind.Null:
                    values[field] = null;
                    break;
                case JsonValueKind.String:
                    values[field] = property.Value.GetString() is { Length: > 0 } text ? text : null;
                    break;
                case JsonValueKind.Number:
                    values[field] = property.Value.GetRawText();
                    break;
                case JsonValueKind.True or JsonValueKind.False:
                    values[field] = property.Value.GetBoolean() ? "true" : "false";
                    break;
                case JsonValueKind.Array when property.Value.EnumerateArray().All(i => i.ValueKind is JsonValueKind.String or JsonValueKind.Number):
                    var items = property.Value.EnumerateArray().Select(i => i.ValueKind == JsonValueKind.String ? i.GetString()! : i.GetRawText()).ToList();
                    values[field] = items.Count == 0 ? null : string.Join(ImportSchema.ListSeparator, items);
                    break;
                default:
                    return new ReadRow(new ImportRow(row, values), $"Field '{property.Name}' must be a string, number, boolean or array of strings.");
            }
        }

        return new ReadRow(new ImportRow(row, values), null);
    }

    private static ImportFileReader RequireUtf8(Encoding encoding, ImportFileReader reader) =>
        encoding is UTF8Encoding ? reader : throw ValidationFailedException.For("charset", "JSON and NDJSON files are read as UTF-8 only.");
}

internal sealed class CsvImportReader(Stream body, Encoding encoding, ImportSchema schema) : ImportFileReader(schema)
{
    private readonly CsvRecordReader _records = new(new StreamReader(body, encoding, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024));
    private string?[] _fields = [];

    public override async Task StartAsync(CancellationToken ct)
    {
        var header = await _records.ReadAsync(ct);
        if (header is null || header.Value.Cells.All(string.IsNullOrWhiteSpace))
        {
            throw ValidationFailedException.For("body", "The CSV file is empty: its first row must name the columns.");
        }

        var unknown = new List<string>();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        _fields = new string?[header.Value.Cells.Count];
        for (var i = 0; i < _fields.Length; i++)
        {
            var name = header.Value.Cells[i].Trim();
            if (name.Length == 0 || Schema.IsReadOnly(name))
            {
                continue;
            }

            var field = Schema.Resolve(name);
            if (field is null)
            {
                unknown.Add(name);
                continue;
            }

            if (!names.TryAdd(field, name))
            {
                throw ValidationFailedException.For("body", $"Columns '{names[field]}' and '{name}' both name the field {field}.");
            }

            _fields[i] = field;
        }

        if (unknown.Count > 0)
        {
            throw ValidationFailedException.For(
                "body", $"Unknown columns: {string.Join(", ", unknown)}. Known columns: {string.Join(", ", Schema.Fields)} (and the aliases in docs/import-export.md).");
        }

        ColumnNames = names;
    }

    public override async IAsyncEnumerable<ReadRow> ReadAsync([EnumeratorCancellation] CancellationToken ct)
    {
        while (await _records.ReadAsync(ct) is { } record)
        {
            if (record.Cells is [var only] && only.Length == 0)
            {
                continue;
            }

            var values = new Dictionary<string, string?>(StringComparer.Ordinal);
            for (var i = 0; i < _fields.Length; i++)
            {
                if (_fields[i] is { } field)
                {
                    values[field] = i < record.Cells.Count && record.Cells[i].Length > 0 ? record.Cells[i] : null;
                }
            }

            var error = record.Cells.Count > _fields.Length
                ? string.Create(CultureInfo.InvariantCulture, $"The row has {record.Cells.Count} cells but the header names {_fields.Length} columns.")
                : null;
            yield return new ReadRow(new ImportRow(record.Line, values), error);
        }
    }
}

internal sealed class NdjsonImportReader(Stream body, ImportSchema schema) : ImportFileReader(schema)
{
    private readonly StreamReader _reader = new(body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024);

    public override Task StartAsync(CancellationToken ct)
    {
        ColumnNames = Schema.Fields.ToDictionary(f => f, f => f, StringComparer.Ordinal);
        return Task.CompletedTask;
    }

    public override async IAsyncEnumerable<ReadRow> ReadAsync([EnumeratorCancellation] CancellationToken ct)
    {
        var line = 0;
        while (await _reader.ReadLineAsync(ct) is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            var (document, error) = Parse(text);
            if (document is null)
            {
                yield return new ReadRow(new ImportRow(line, new Dictionary<string, string?>()), $"The line is not valid JSON: {error}");
                continue;
            }

            using (document)
            {
                yield return FromJson(line, document.RootElement);
            }
        }
    }

    private static (JsonDocument? Document, string? Error) Parse(string text)
    {
        try
        {
            return (JsonDocument.Parse(text), null);
        }
        catch (JsonException ex)
        {
            return (null, ex.Message);
        }
    }
}

internal sealed class JsonArrayImportReader(Stream body, ImportSchema schema) : ImportFileReader(schema)
{
    public override Task StartAsync(CancellationToken ct)
    {
        ColumnNames = Schema.Fields.ToDictionary(f => f, f => f, StringComparer.Ordinal);
        return Task.CompletedTask;
    }

    public override async IAsyncEnumerable<ReadRow> ReadAsync([EnumeratorCancellation] CancellationToken ct)
    {
        var row = 0;
        await foreach (var element in JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(body, cancellationToken: ct))
        {
            row++;
            yield return FromJson(row, element);
        }
    }
}

/// <summary>
/// RFC 4180 records from a text stream, one at a time: quoted cells with doubled quotes, CR, LF or CRLF line ends,
/// line breaks inside quotes. Each record carries the line it starts on (the header is line 1).
/// </summary>
internal sealed class CsvRecordReader(TextReader reader)
{
    private readonly char[] _buffer = new char[64 * 1024];
    private int _length;
    private int _position;
    private int _line = 1;
    private bool _eof;

    public async ValueTask<(int Line, List<string> Cells)?> ReadAsync(CancellationToken ct)
    {
        if (!await EnsureAsync(ct))
        {
            return null;
        }

        var start = _line;
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        var atCellStart = true;
        while (await EnsureAsync(ct))
        {
            var c = _buffer[_position++];
            if (quoted)
            {
                if (c == '"')
                {
                    if (await EnsureAsync(ct) && _buffer[_position] == '"')
                    {
                        cell.Append('"');
                        _position++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    if (c == '\n' || (c == '\r' && !(await EnsureAsync(ct) && _buffer[_position] == '\n')))
                    {
                        _line++;
                    }

                    cell.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"' when atCellStart:
                    quoted = true;
                    atCellStart = false;
                    break;
                case ',':
                    cells.Add(cell.ToString());
                    cell.Clear();
                    atCellStart = true;
                    break;
                case '\r':
                    if (await EnsureAsync(ct) && _buffer[_position] == '\n')
                    {
                        _position++;
                    }

                    _line++;
                    cells.Add(cell.ToString());
                    return (start, cells);
                case '\n':
                    _line++;
                    cells.Add(cell.ToString());
                    return (start, cells);
                default:
                    cell.Append(c);
                    atCellStart = false;
                    break;
            }
        }

        cells.Add(cell.ToString());
        return (start, cells);
    }

    private async ValueTask<bool> EnsureAsync(CancellationToken ct)
    {
        if (_position < _length)
        {
            return true;
        }

        if (_eof)
        {
            return false;
        }

        _length = await reader.ReadAsync(_buffer.AsMemory(), ct);
        _position = 0;
        _eof = _length == 0;
        return !_eof;
    }
}
