using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Crm.Benchmarks;

/// <summary>
/// Before the sales scenarios are measured, each API answer is compared with its ceiling's: the same stages, periods,
/// owners, activities and numbers, or the run stops. A ratio against a ceiling that computes something else would mean
/// nothing. Average days in stage depend on the clock (running stays count until now), so they may differ by a rounding step.
/// </summary>
internal static class SalesCrossCheck
{
    private const decimal DaysTolerance = 0.011m;
    private const decimal RateTolerance = 0.0001m;

    /// <summary>Compares one scenario's answers; returns a one-line summary of what agreed, throws with the differences.</summary>
    public static async Task<string> VerifyAsync(HttpClient http, string scenario, SalesReportKind kind, Uri api, Uri raw, string token, CancellationToken ct)
    {
        using var apiJson = await GetAsync(http, api, token, ct);
        using var rawJson = await GetAsync(http, raw, null, ct);
        var (expected, actual, what) = kind switch
        {
            SalesReportKind.Funnel => (Funnel(apiJson.RootElement), FunnelRaw(rawJson.RootElement), "stages"),
            SalesReportKind.Forecast => (Forecast(apiJson.RootElement.GetProperty("rows"), null),
                Forecast(rawJson.RootElement.GetProperty("items"), JsonNamingPolicy.SnakeCaseLower), "period and owner rows"),
            _ => (Calendar(apiJson.RootElement), Calendar(rawJson.RootElement), "activities"),
        };

        var differences = expected.Keys.Union(actual.Keys)
            .Where(key => !expected.TryGetValue(key, out var a) || !actual.TryGetValue(key, out var b) || !Same(a, b))
            .Take(5)
            .Select(key => $"{key}: API {Show(expected.GetValueOrDefault(key))} ≠ ceiling {Show(actual.GetValueOrDefault(key))}")
            .ToList();
        if (differences.Count > 0)
        {
            throw new InvalidOperationException($"{scenario}: the API and its ceiling disagree:\n" + string.Join('\n', differences));
        }

        return string.Create(CultureInfo.InvariantCulture, $"{scenario}: {expected.Count} {what}, the same numbers from the API and the ceiling");
    }

    private static async Task<JsonDocument> GetAsync(HttpClient http, Uri uri, string? token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        return response.IsSuccessStatusCode
            ? JsonDocument.Parse(body)
            : throw new InvalidOperationException($"GET {uri} answered {(int)response.StatusCode}: {body}");
    }

    // Each report becomes key → numbers; the last two numbers of a funnel stage are the conversion rate and the days.
    private static Dictionary<string, decimal?[]> Funnel(JsonElement body)
    {
        var rows = body.GetProperty("stages").EnumerateArray().ToDictionary(
            s => s.GetProperty("code").GetString()!,
            s => new[]
            {
                Number(s, "count"), Number(s, "amount"), Number(s, "weightedAmount"), Number(s, "reached"),
                Number(s, "conversionRate"), Number(s, "averageDaysInStage"),
            });
        rows["won"] = [Number(body.GetProperty("won"), "count"), Number(body.GetProperty("won"), "amount")];
        rows["lost"] = [Number(body.GetProperty("lost"), "count"), Number(body.GetProperty("lost"), "amount")];
        return rows;
    }

    private static Dictionary<string, decimal?[]> FunnelRaw(JsonElement body)
    {
        var rows = new Dictionary<string, decimal?[]>();
        foreach (var s in body.GetProperty("items").EnumerateArray())
        {
            var kind = s.GetProperty("kind").GetString();
            rows[kind == "Open" ? s.GetProperty("code").GetString()! : kind!.ToLowerInvariant()] = kind == "Open"
                ? [Number(s, "count"), Number(s, "amount"), Number(s, "weighted_amount"), Number(s, "reached"), Number(s, "conversion_rate"), Number(s, "average_days")]
                : [Number(s, "count"), Number(s, "amount")];
        }

        return rows;
    }

    private static readonly string[] ForecastFields =
    [
        "pipelineCount", "pipelineAmount", "weightedAmount", "commitAmount", "bestCaseAmount", "wonCount", "wonAmount", "quota", "attainment",
    ];

    /// <summary>Forecast rows by "period owner"; the ceiling names the same fields in snake case.</summary>
    private static Dictionary<string, decimal?[]> Forecast(JsonElement rows, JsonNamingPolicy? naming)
    {
        string Name(string field) => naming?.ConvertName(field) ?? field;
        return rows.EnumerateArray().ToDictionary(
            r => $"{r.GetProperty(Name("periodStart")).GetString()} {Text(r, Name("ownerId"))}",
            r => ForecastFields.Select(f => Number(r, Name(f))).ToArray());
    }

    /// <summary>The activities as "position id" keys, so another activity or another order is a difference.</summary>
    private static Dictionary<string, decimal?[]> Calendar(JsonElement body) =>
        body.GetProperty("items").EnumerateArray()
            .Select((a, i) => string.Create(CultureInfo.InvariantCulture, $"{i:D4} {a.GetProperty("id").GetString()}"))
            .ToDictionary(key => key, _ => Array.Empty<decimal?>());

    private static bool Same(decimal?[] a, decimal?[] b) =>
        a.Length == b.Length && a.Select((x, i) => (x, y: b[i], i)).All(p =>
            p.x == p.y
            || (p.x is { } x && p.y is { } y && Math.Abs(x - y) <= (a.Length == 6 && p.i == 5 ? DaysTolerance : RateTolerance)));

    private static decimal? Number(JsonElement row, string name) =>
        row.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDecimal() : null;

    private static string Text(JsonElement row, string name) =>
        row.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "-";

    private static string Show(decimal?[]? values) =>
        values is null ? "(missing)" : "[" + string.Join(", ", values.Select(v => v?.ToString(CultureInfo.InvariantCulture) ?? "null")) + "]";
}

/// <summary>Which report a sales scenario reads, for <see cref="SalesCrossCheck"/>.</summary>
internal enum SalesReportKind
{
    Funnel,
    Forecast,
    Calendar,
}
