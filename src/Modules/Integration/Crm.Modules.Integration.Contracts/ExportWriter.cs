using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Crm.SharedKernel.Errors;
using Microsoft.AspNetCore.Http;

namespace Crm.Modules.Integration.Contracts;

/// <summary>The file formats of <c>GET /api/v1/&lt;resource&gt;/export</c>.</summary>
public enum ExportFormat
{
    Csv,
    Ndjson,
}

/// <summary>
/// Writes an export as it is read, batch by batch, straight to the response: CSV (header of API field names, list
/// values joined with <c>;</c>, UTF-8 with a BOM so Excel opens it, or GB18030) or NDJSON (always UTF-8). The same
/// column names and list separator are what the importer reads, so an exported file re-imports unchanged.
/// </summary>
public sealed class ExportWriter : IAsyncDisposable
{
    private readonly StreamWriter _writer;
    private readonly ExportFormat _format;
    private readonly IReadOnlyList<string> _columns;
    private readonly ISet<string> _listColumns;

    public ExportWriter(Stream output, ExportFormat format, Encoding encoding, IReadOnlyList<string> columns, IEnumerable<string> listColumns)
    {
        _format = format;
        _columns = columns;
        _listColumns = new HashSet<string>(listColumns, StringComparer.Ordinal);
        _writer = new StreamWriter(output, encoding, bufferSize: 64 * 1024, leaveOpen: true);
    }

    /// <summary>The content type of the response, with its charset.</summary>
    public static string ContentType(ExportFormat format, Encoding encoding) => format == ExportFormat.Csv
        ? $"text/csv; charset={encoding.WebName}"
        : "application/x-ndjson; charset=utf-8";

    /// <summary>Sets the response's content type and attachment name (<paramref name="name"/>.csv or .ndjson) and writes to its body.</summary>
    public static ExportWriter Open(
        HttpResponse response, ExportFormat format, Encoding encoding, string name, IReadOnlyList<string> columns, IEnumerable<string> listColumns)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.ContentType = ContentType(format, encoding);
        response.Headers.ContentDisposition = $"attachment; filename={name}.{(format == ExportFormat.Csv ? "csv" : "ndjson")}";
        return new ExportWriter(response.Body, format, encoding, columns, listColumns);
    }

    /// <summary>Parses <c>format</c> and <c>charset</c>; 400 with the field named when either is unknown.</summary>
    public static (ExportFormat Format, Encoding Encoding) Parse(string? format, string? charset)
    {
        var parsed = format?.Trim().ToLowerInvariant() switch
        {
            null or "" or "csv" => ExportFormat.Csv,
            "ndjson" => ExportFormat.Ndjson,
            _ => throw ValidationFailedException.For("format", "format must be csv or ndjson."),
        };
        if (parsed == ExportFormat.Ndjson)
        {
            return (parsed, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        }

        var encoding = ImportEncodings.Resolve(charset)
            ?? throw ValidationFailedException.For("charset", "charset must be utf-8 or gb18030 (gbk is read as gb18030).");
        return (parsed, encoding is UTF8Encoding ? new UTF8Encoding(encoderShouldEmitUTF8Identifier: true) : encoding);
    }

    public async Task WriteHeaderAsync(CancellationToken ct)
    {
        if (_format == ExportFormat.Csv)
        {
            await _writer.WriteLineAsync(string.Join(',', _columns.Select(Escape)).AsMemory(), ct);
        }
    }

    /// <summary>One record: a value per column, in column order; lists as <see cref="IEnumerable{T}"/> of string.</summary>
    public async Task WriteRowAsync(IReadOnlyList<object?> values, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (_format == ExportFormat.Csv)
        {
            var cells = values.Select(v => v switch
            {
                null => string.Empty,
                IEnumerable<string> list => Escape(string.Join(ImportSchema.ListSeparator, list)),
                _ => Escape(Format(v)),
            });
            await _writer.WriteLineAsync(string.Join(',', cells).AsMemory(), ct);
            return;
        }

        var buffer = new MemoryStream();
        await using (var json = new Utf8JsonWriter(buffer, Ndjson))
        {
            json.WriteStartObject();
            for (var i = 0; i < _columns.Count; i++)
            {
                json.WritePropertyName(_columns[i]);
                WriteJsonValue(json, values[i], _listColumns.Contains(_columns[i]));
            }

            json.WriteEndObject();
        }

        await _writer.WriteLineAsync(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length).AsMemory(), ct);
    }

    public Task FlushAsync(CancellationToken ct) => _writer.FlushAsync(ct);

    public async ValueTask DisposeAsync() => await _writer.DisposeAsync();

    /// <summary>Chinese text stays readable in the file (only what JSON requires is escaped); the file is data, never HTML.</summary>
    private static readonly JsonWriterOptions Ndjson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static void WriteJsonValue(Utf8JsonWriter json, object? value, bool isList)
    {
        switch (value)
        {
            case null when isList:
                json.WriteStartArray();
                json.WriteEndArray();
                break;
            case null:
                json.WriteNullValue();
                break;
            case IEnumerable<string> list:
                json.WriteStartArray();
                foreach (var item in list)
                {
                    json.WriteStringValue(item);
                }

                json.WriteEndArray();
                break;
            case bool flag:
                json.WriteBooleanValue(flag);
                break;
            case decimal number:
                json.WriteNumberValue(number);
                break;
            default:
                json.WriteStringValue(Format(value));
                break;
        }
    }

    private static string Format(object value) => value switch
    {
        bool flag => flag ? "true" : "false",
        DateTimeOffset at => at.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        DateOnly date => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static string Escape(string cell)
    {
        var needsQuotes = cell.AsSpan().IndexOfAny(",\"\r\n") >= 0 || (cell.Length > 0 && (cell[0] == ' ' || cell[^1] == ' '));
        return needsQuotes ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;
    }
}

/// <summary>The text encodings imports and exports accept: UTF-8 and the Chinese code pages Excel uses.</summary>
public static class ImportEncodings
{
    static ImportEncodings() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>UTF-8 for null/empty/utf-8/utf8, GB18030 for gb18030, gbk, gb2312 and cp936; null for anything else.</summary>
    public static Encoding? Resolve(string? charset) => charset?.Trim().Trim('"').ToLowerInvariant() switch
    {
        null or "" or "utf-8" or "utf8" => new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        // GB18030 is a superset of GBK and GB2312: reading a GBK file as GB18030 gives the same text.
        "gb18030" or "gbk" or "gb2312" or "cp936" => Encoding.GetEncoding("gb18030"),
        _ => null,
    };
}
